"""Stage 4¾, benchmark: exchange packages of many administrations pooled and compared
(``pool``: the packages checked and their tables registered in DuckDB; ``estimates``: factor
indices and experience indicators per administration, cycle and instrument, design-based, computed
in SQL; ``peers``: the peer distribution, change between iterations, the share improving and the
pooled estimates; ``disclosure``: small cells hidden, with complementary ones; ``output``:
``benchmark.json`` and the summary a national report compares itself with). Reads survey, inputs,
analysis's scoring and disclosure, and exchange; the report and the CLI read it."""
