"""Stage 2, inputs: the questionnaire codebook, survey-export readers, recognising an export's
columns and answers (by id, key, alias or question text; codes or labels in any codebook language),
loading and checking a cycle through the codebook, drafting a codebook from an export, population
figures, cycle params, the shipped demo data and YAML reading. Every problem is collected and
reported at once, naming the file, row, column and value."""
