"""What changed between two versions of a questionnaire's codebook: items added, removed,
reworded, re-scaled, moved to another factor or asked of other groups, matched by their
cross-cycle ``key`` (an item keeps its key when it is reworded, so trends still match it).

``cips codebook diff OLD NEW`` prints it; a trend compares a factor over the items both cycles
asked (see :func:`cipslib.analysis.findings.compute_findings`).
"""

from __future__ import annotations

import pandas as pd

from .codebook import Codebook

CHANGES = ("added", "removed", "reworded", "rescaled", "moved", "asked_of")
"""The kinds of change, in the order they are listed."""


def diff_codebooks(old: Codebook, new: Codebook) -> pd.DataFrame:
    """One row per change of an item between ``old`` and ``new``: ``change`` (one of
    :data:`CHANGES`), the item's ``key``, its ``id`` in each codebook, and ``old`` and ``new``
    values (the wording in English, the scale's answers, the factor, the groups asked).

    Examples
    --------
    >>> from cipslib import load_codebook
    >>> cb = load_codebook()
    >>> diff_codebooks(cb, cb).empty
    True
    """
    rows = []
    before, after = _by_key(old), _by_key(new)
    for key in [k for k in after if k not in before]:
        rows.append(_row("added", key, None, after[key], None, _text(after[key], new)))
    for key in [k for k in before if k not in after]:
        rows.append(_row("removed", key, before[key], None, _text(before[key], old), None))
    for key in [k for k in after if k in before]:
        a, b = before[key], after[key]
        pairs = {
            "reworded": (_text(a, old), _text(b, new)),
            "rescaled": (_answers(a, old), _answers(b, new)),
            "moved": (_factor(a), _factor(b)),
            "asked_of": (", ".join(a["instruments"]), ", ".join(b["instruments"])),
        }
        for change, (x, y) in pairs.items():
            if x != y:
                rows.append(_row(change, key, a, b, x, y))
    out = pd.DataFrame(rows, columns=["change", "key", "id_old", "id_new", "old", "new"])
    order = {c: i for i, c in enumerate(CHANGES)}
    return out.sort_values(
        ["change", "key"], key=lambda c: c.map(order) if c.name == "change" else c
    ).reset_index(drop=True)


def _by_key(cb: Codebook) -> dict[str, pd.Series]:
    """Each key's latest item (the last one listed: a reworded item's new version)."""
    items = cb.items[cb.items["parent"].isna()] if "parent" in cb.items else cb.items
    return {r["key"]: r for _, r in items.iterrows()}


def _row(change, key, a, b, old, new) -> dict:
    return {
        "change": change,
        "key": key,
        "id_old": None if a is None else a["id"],
        "id_new": None if b is None else b["id"],
        "old": old,
        "new": new,
    }


def _text(item: pd.Series, cb: Codebook) -> str:
    lang = "en" if "en" in cb.languages else cb.languages[0]
    return " ".join(str(item[f"text_{lang}"]).split())


def _answers(item: pd.Series, cb: Codebook) -> str:
    scale = cb.scales[item["scale"]]
    lang = "en" if "en" in cb.languages else cb.languages[0]
    listed = [f"{code} {texts.get(lang, '')}" for code, texts in scale.labels.items()]
    return "; ".join(listed)


def _factor(item: pd.Series) -> str:
    return "" if pd.isna(item["factor"]) else str(int(item["factor"]))


__all__ = ["CHANGES", "diff_codebooks"]
