"""Open a rendered report in the system Chromium through Playwright and report what a reader would
notice: console errors, images that did not load or have no alt text, elements wider than the
viewport, and a screenshot.

Playwright drives the browser found by :func:`cipslib.report.render.find_chromium`
(``executable_path``); its own browser download is never used.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from cipslib.report.render import CHROMIUM_FLAGS

CHROMIUM_ARGS = [
    f for f in CHROMIUM_FLAGS if f != "--headless"
]  # Playwright adds its own headless mode

_PAGE_FACTS = """() => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  // inside a box that scrolls or clips sideways, width is that box's business
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || scrolls(el)) continue;
    if (r.right > vw + 1 || r.left < -1) {
      const where = `${Math.round(r.left)}..${Math.round(r.right)}`;
      wide.push(`${el.tagName.toLowerCase()}.${el.className} ${where}`);
    }
  }
  const imgs = Array.from(document.images);
  return {
    images: imgs.length,
    images_loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    images_without_alt: imgs.filter(i => !(i.getAttribute('alt') || '').trim()).length,
    scripts: document.scripts.length,
    headings: Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent.trim()),
    page_width: document.documentElement.scrollWidth,
    viewport_width: vw,
    too_wide: wide.slice(0, 20),
  };
}"""


def inspect_page(
    chromium: str,
    page: Path,
    screenshot: Path,
    widths: tuple[int, ...] = (1280, 390),
    timeout: float = 60,
) -> dict[int, dict]:
    """Load ``page`` at each viewport width; return, per width, the console errors and the page
    facts.

    The screenshot (full page) is taken at the first width.
    """
    results: dict[int, dict] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, timeout=timeout * 1000
        )
        try:
            for i, width in enumerate(widths):
                context = browser.new_context(viewport={"width": width, "height": 900})
                tab = context.new_page()
                errors: list[str] = []
                tab.on(
                    "console",
                    lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text),
                )
                tab.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                tab.goto(page.resolve().as_uri(), wait_until="load", timeout=timeout * 1000)
                facts = tab.evaluate(_PAGE_FACTS)
                if i == 0:
                    tab.screenshot(path=str(screenshot), full_page=True)
                results[width] = {"errors": errors, **facts}
                context.close()
        finally:
            browser.close()
    return results
