"""The languages cipslib writes in: codebook texts, report texts and KPI names, one per language."""

LANGUAGES = ("en", "uk")
