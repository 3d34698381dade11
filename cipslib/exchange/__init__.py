"""Stage 4½, exchange: what an administration hands over so that others can compare
(``package``: the exchange package, a Frictionless Data Package of anonymised respondent-level
answers with their final weights). Reads the analysis stage; the report never reads it."""
