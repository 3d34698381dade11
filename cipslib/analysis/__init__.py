"""Stage 4, analysis: from params to a prepared, weighted cycle (``prepare``), respondent-level
scores and measures, the integrity findings (tables and ranked key findings), trends between cycles,
disclosure control (suppression and the audit of rendered artefacts) and the PMM KPIs."""
