"""Stage 4, the questionnaire: the codebook's other face. The questionnaire put into the field from
the codebook (``xlsform``: the XLSForm that KoboToolbox, ODK, SurveyCTO and Survey123 import), so
that the export comes back in the codebook's names and codes."""
