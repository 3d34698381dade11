"""A reverse-worded statement's % favourable is the share disagreeing, and sentences say so."""

from __future__ import annotations

from cipslib.analysis.scoring import load_indicators
from cipslib.text.sentences import Words, measure_name


def test_a_reverse_worded_item_is_named_by_disagreement(codebook):
    inds = load_indicators(codebook)
    en, uk = Words(codebook, inds, "en"), Words(codebook, inds, "uk")
    items = codebook.items
    reverse = items[items["reverse"]].iloc[0]
    plain = items[~items["reverse"] & items["factor"].notna()].iloc[0]
    for row, word in ((reverse, "disagreement"), (plain, "agreement")):
        name = measure_name(f"item_fav.{row['key']}", "official", en)
        assert name.startswith(f"{word} among") and row["text_en"] in name
    assert measure_name(f"item_fav.{reverse['key']}", "official", uk).startswith("Незгода")
