"""A reverse-worded statement's % favourable is the share disagreeing, and sentences say so."""

from __future__ import annotations

import pandas as pd

from cipslib.analysis.scoring import load_indicators
from cipslib.text.sentences import SentenceWriter


def test_a_reverse_worded_item_is_named_by_disagreement(codebook):
    writer = SentenceWriter(codebook, load_indicators(codebook))
    items = codebook.items
    reverse = items[items["reverse"]].iloc[0]
    plain = items[~items["reverse"] & items["factor"].notna()].iloc[0]
    for row, word in ((reverse, "disagreement"), (plain, "agreement")):
        finding = pd.Series({"kind": "item_fav", "item": row["id"], "group": "official"})
        name = writer.measure_name("en", finding)
        assert name.startswith(f"{word} among") and row["text_en"] in name
    finding = pd.Series({"kind": "item_fav", "item": reverse["id"], "group": "official"})
    assert writer.measure_name("uk", finding).startswith("Незгода")
