"""A minimal Chrome DevTools Protocol client: open a page in headless Chromium, collect console errors,
check that every image loaded and take a screenshot."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket


def inspect_page(chromium: str, page: Path, screenshot: Path, timeout: float = 60) -> dict:
    # Chromium's helper processes may still write to the profile after the browser is killed: kill the whole
    # process group, and do not fail on what they leave behind
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                                 f"--user-data-dir={profile}", "--window-size=1200,1600", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.time() + timeout
            while not port_file.exists() or not port_file.read_text().strip():
                if time.time() > deadline:
                    raise TimeoutError("Chromium did not start")
                time.sleep(0.1)
            port = int(port_file.read_text().splitlines()[0])
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
            ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            ws = websocket.create_connection(ws_url, timeout=timeout)
            counter = iter(range(1, 10_000))
            events: list[dict] = []

            def call(method: str, **params):
                msg_id = next(counter)
                ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
                while True:
                    msg = json.loads(ws.recv())
                    if msg.get("id") == msg_id:
                        if "error" in msg:
                            raise RuntimeError(msg["error"])
                        return msg.get("result", {})
                    events.append(msg)

            for domain in ("Page", "Runtime", "Log"):
                call(f"{domain}.enable")
            call("Page.navigate", url=page.resolve().as_uri())
            while not any(e.get("method") == "Page.loadEventFired" for e in events):
                events.append(json.loads(ws.recv()))
            images = call("Runtime.evaluate", returnByValue=True, expression=(
                "JSON.stringify({n: document.images.length, ok: Array.from(document.images).filter("
                "i => i.complete && i.naturalWidth > 0).length, scripts: document.scripts.length})"))
            counts = json.loads(images["result"]["value"])
            shot = call("Page.captureScreenshot", format="png")
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            ws.close()
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    errors = [e for e in events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")]
    return {"errors": errors, "images": counts["n"], "images_loaded": counts["ok"], "scripts": counts["scripts"]}
