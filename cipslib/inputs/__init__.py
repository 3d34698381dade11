"""Stage 2, inputs: the questionnaire codebook, survey-export readers, loading and checking a
cycle's answers through the codebook, population figures, cycle params, the shipped demo data and
YAML reading. Every problem is collected and reported at once, naming the file, row, column and
value."""
