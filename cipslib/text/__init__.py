"""Stage 3, words: language catalogues (one YAML file per language), number formats and the sentence
writer of the key findings. Adding a language is adding a file to ``catalogues/`` or to a folder
that ``CIPS_CATALOGUES`` names (:mod:`cipslib.inputs.languages`)."""
