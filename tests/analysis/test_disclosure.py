"""Disclosure control: primary and secondary suppression, proven on a deliberately small dataset."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cipslib.analysis.disclosure import (
    Sum,
    column_sums,
    constraint_matrix,
    determined,
    format_count_table,
    protect,
    protect_counts,
    row_sums,
    suppress_counts,
    suppress_estimates,
)
from cipslib.analysis.findings import Options, compute_findings
from cipslib.analysis.prepare import prepare_data
from cipslib.inputs.loading import CycleData
from cipslib.inputs.params import load_params
from cipslib.inputs.population import load_population
from cipslib.report.annex import shown_table
from cipslib.report.blocks import Report

from ..conftest import ROOT
from ..findings_helpers import ROLE_POPULATION


def test_primary_and_secondary_in_rows_and_columns():
    counts = pd.DataFrame(
        [[50, 3, 40], [30, 25, 20], [12, 15, 60]], index=["r1", "r2", "r3"], columns=["a", "b", "c"]
    )
    sup = suppress_counts(counts, 10)
    assert sup.primary.loc["r1", "b"] and sup.n_primary == 1
    hidden = sup.cells.to_numpy()
    # no row and no column with exactly one hidden cell
    assert all(h != 1 for h in hidden.sum(axis=1)) and all(h != 1 for h in hidden.sum(axis=0))
    # the partner cells are the smallest ones available
    assert sup.cells.loc["r1", "c"] and sup.cells.loc["r2", "b"]


def test_zeros_are_shown_and_never_partners_a_small_total_is_hidden_itself():
    sup = suppress_counts(pd.DataFrame([[0, 4], [20, 30]]), 10, col_totals=False)
    assert not sup.primary.iloc[0, 0] and sup.primary.iloc[0, 1]
    # the empty cell is no cover: the row's total, 4, is itself small and hidden as such
    assert not sup.cells.iloc[0, 0] and sup.row_reasons.iloc[0] == "small"
    assert not sup.cells.iloc[1].any()
    lone = suppress_counts(pd.DataFrame([[5]]), 10, col_totals=False)
    assert lone.row_totals.iloc[0]


def test_format_count_table_reads_less_than_min_cell_and_totals_include_hidden_groups():
    counts = pd.DataFrame([[50, 3], [30, 25]], index=["x", "y"], columns=["a", "b"])
    shown = format_count_table(counts, 10)
    assert shown.loc["x", "b"] == "<10"
    assert shown.loc["y", "b"] == "x"  # 25 respondents, hidden only to protect the 3
    assert shown.loc["x", "Total"] == 53  # the hidden 3 still counts in its parent total
    assert shown.loc["Total", "Total"] == 108
    values = [v for v in shown.to_numpy().ravel() if isinstance(v, (int, np.integer))]
    assert all(v >= 10 for v in values)


def test_suppress_estimates_families():
    t = pd.DataFrame(
        {
            "line": ["f1"] * 3 + ["f2"] * 3,
            "level": list("abc") * 2,
            "estimate": np.arange(6.0),
            "n": [5, 40, 30, 50, 60, 70],
        }
    )
    out = suppress_estimates(t, 10, family=["line"], value_columns=["estimate"])
    assert out["suppressed"].tolist() == [True, False, True, False, False, False]
    assert out["hidden"].tolist() == ["small", None, "complementary", None, None, None]
    assert out.loc[out["suppressed"], ["estimate", "n"]].isna().all().all()
    primary_only = suppress_estimates(t, 10, value_columns=["estimate"])
    assert primary_only["suppressed"].sum() == 1


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_min_cell_must_be_a_positive_whole_number(bad):
    with pytest.raises(Exception, match="min_cell"):
        suppress_counts(pd.DataFrame([[1]]), bad)


@pytest.fixture(scope="module")
def small(demo2025, tmp_path_factory):
    """60 respondents of the 2025 demo: 45 officials and 15 private-sector respondents."""
    data = demo2025.data
    rng = np.random.default_rng(11)
    off = rng.choice(np.flatnonzero((data["group"] == "official").to_numpy()), 45, replace=False)
    prv = rng.choice(np.flatnonzero((data["group"] == "private").to_numpy()), 15, replace=False)
    rows = np.sort(np.concatenate([off, prv]))
    sub = CycleData(
        data.iloc[rows].reset_index(drop=True),
        demo2025.reasons.iloc[rows].reset_index(drop=True),
        demo2025.report,
        demo2025.codebook,
    )
    pop_file = tmp_path_factory.mktemp("pop") / "roles.yaml"
    pop_file.write_text(ROLE_POPULATION, encoding="utf-8")
    prepared = prepare_data(
        sub, {"official": load_population(pop_file, demo2025.codebook)}, {"exclude": []}
    )
    return compute_findings(prepared, options=Options(min_cell=10))


def _lines(table: pd.DataFrame, family: list[str]):
    return table.groupby(family)["suppressed"].sum()


def test_small_dataset_hides_many_cells(small):
    sub = small.tables["subgroups"]
    assert sub["suppressed"].sum() >= 50
    assert (sub.loc[~sub["suppressed"], "n"] >= 10).all()
    # no subgroup line with exactly one hidden cell: nothing can be worked out from the group total
    assert (_lines(sub, ["group", "variable", "measure"]) != 1).all()


def test_no_table_shows_a_base_under_min_cell(small):
    for name, table in small.tables.items():
        for col in [c for c in table.columns if c == "n" or c.startswith("n_") or c.endswith("_n")]:
            values = pd.to_numeric(table[col], errors="coerce").dropna()
            assert (values >= 10).all(), (name, col)


def test_private_group_under_min_cell_is_hidden_everywhere(small):
    est = small.tables["estimates"]
    private = est[est["group"] == "private"]
    hidden = private[private["suppressed"]]
    assert len(hidden) > 0 and hidden["estimate"].isna().all()
    assert all(k.get("n") is None or k["n"] >= 10 for k in small.key_findings)
    assert not any(
        k.get("group") == "private" and k["kind"] == "indicator" and k["n"] < 10
        for k in small.key_findings
    )


def test_findings_json_of_small_dataset_has_no_small_base(small, tmp_path):
    path = small.to_json(tmp_path / "findings.json")
    doc = json.loads(path.read_text(encoding="utf-8"))

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if (k == "n" or k.startswith("n_") or k.endswith("_n")) and isinstance(
                    v, (int, float)
                ):
                    assert v >= 10, (k, v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)


# -- sums a table publishes: the mechanism ---------------------------------------------------------
def test_a_small_part_of_a_published_total_gets_a_partner_smallest_first():
    # the screens of the issue: 8 + 31 + 69 = 108, the 8 would be 108 - 31 - 69
    d = protect([8, 31, 69, 108], [([0, 1, 2], 3)], 10)
    assert d.reason.tolist() == ["small", "complementary", None, None]
    # a total printed elsewhere (not a cell of the table) protects the same way
    d = protect([8, 31, 69], [([0, 1, 2], None)], 10)
    assert d.reason.tolist() == ["small", "complementary", None]
    # ties go to the first cell in the table's order
    assert protect([3, 20, 20], [([0, 1, 2], None)], 10).reason.tolist() == [
        "small",
        "complementary",
        None,
    ]


def test_cells_printed_elsewhere_are_never_partners_and_exposure_is_reported():
    d = protect([8, 31, 69], [([0, 1, 2], None)], 10, published=[False, True, False])
    assert d.reason.tolist() == ["small", None, "complementary"] and not d.exposed.any()
    # every other part printed elsewhere: the small one is given away whatever this table hides
    d = protect([8, 31, 69], [([0, 1, 2], None)], 10, published=[False, True, True])
    assert d.reason.tolist() == ["small", None, None] and d.exposed.tolist() == [True, False, False]


def test_two_hidden_cells_per_line_are_not_always_enough():
    """Two blocks of four hidden cells joined by one hidden cell: every row and column has 0 or at
    least 2 hidden cells, yet the joining cell is the difference of two sums of totals."""
    rows, cols = 4, 4
    sums = [(list(range(i * cols, i * cols + cols)), None) for i in range(rows)]
    sums += [(list(range(j, rows * cols, cols)), None) for j in range(cols)]
    a = constraint_matrix(rows * cols, sums)
    hidden = np.zeros((rows, cols), dtype=bool)
    hidden[np.ix_([0, 1], [0, 1])] = hidden[np.ix_([2, 3], [2, 3])] = True
    hidden[1, 2] = True
    assert all(k in (0, 2, 3) for k in (*hidden.sum(axis=0), *hidden.sum(axis=1)))
    fixed = determined(a, hidden.ravel()).reshape(rows, cols)
    assert fixed[1, 2] and fixed.sum() == 1
    # and the mechanism does not stop there: with counts that make exactly those cells small
    n = np.where(hidden, 5, 40)
    d = protect(n.ravel(), sums, 10)
    assert not determined(a, d.hidden).any()
    assert d.hidden.sum() > hidden.sum()


def test_protect_counts_on_a_table_with_row_and_column_totals():
    t = pd.DataFrame(
        {"official": [8, 31, 69, 108], "private": [2, 10, 21, 33], "all": [10, 41, 90, 141]},
        index=["duplicate", "speeder", "incomplete", "excluded"],
    )
    parts = ["duplicate", "speeder", "incomplete"]
    sums = column_sums(t, parts, "excluded") + row_sums(t, ["official", "private"], "all")
    p = protect_counts(t, 10, sums=sums)
    labels = p.labels(t, 10)
    assert labels.loc["duplicate"].tolist() == ["<10", "<10", 10]
    # the private speeders are 10 respondents: hidden to protect the duplicates, not as small
    assert labels.loc["speeder"].tolist() == ["x", "x", 41]
    assert p.small.to_numpy().sum() == 2 and p.complementary.to_numpy().sum() == 2
    with pytest.raises(Exception, match="does not have"):
        protect_counts(t, 10, sums=[Sum((("duplicate", "nowhere"),))])


# -- the quality table of the 2025 demo ------------------------------------------------------------
@pytest.fixture(scope="module")
def cycle2025_findings(prepared_2025, findings_2025_alone):
    return prepared_2025, findings_2025_alone


def _ranges(values: dict, sums: list[tuple[list, list]]) -> dict:
    """Smallest and largest value of each hidden cell (value None) that the shown cells and the sums
    (parts, total) allow with every cell at least 0, by linear programming."""
    from scipy.optimize import linprog

    hidden = [k for k, v in values.items() if v is None]
    at = {k: i for i, k in enumerate(hidden)}
    a_eq, b_eq = [], []
    for parts, total in sums:
        row, rhs = np.zeros(len(hidden)), 0.0
        for sign, cells in ((1.0, parts), (-1.0, total)):
            for cell in cells:
                if values[cell] is None:
                    row[at[cell]] += sign
                else:
                    rhs -= sign * values[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    out = {}
    for k in hidden:
        c = np.zeros(len(hidden))
        c[at[k]] = 1.0
        lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
        hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
        out[k] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def test_no_screen_count_can_be_worked_out_from_the_totals_of_the_quality_table(
    cycle2025_findings,
):
    prepared, fnd = cycle2025_findings
    q = fnd["quality"].set_index("screen")
    flags = prepared.quality.flags
    screens = [r for r in q.index if q.loc[r, "excludes"] and r != "excluded"]
    # in the demo no respondent is excluded by two screens: "excluded" is exactly their sum
    assert (flags[screens].sum(axis=1) <= 1).all()
    columns = ["official", "private", "all"]
    # the subtraction of the issue (excluded minus the other excluding screens) meets two hidden
    # cells or none in every column
    for c in columns:
        hidden = int(q.loc[[*screens, "excluded"], c].isna().sum())
        assert hidden != 1, c
    assert q.loc["duplicate", ["official", "private"]].isna().all()
    # every equality a reader can write leaves each hidden cell a range, not a value: the
    # groups add up to all, the screens to the excluded, excluded and retained to the respondents
    values = {
        (r, c): (None if pd.isna(q.loc[r, c]) else float(q.loc[r, c]))
        for r in q.index
        for c in columns
    }
    sums = [([(r, "official"), (r, "private")], [(r, "all")]) for r in q.index]
    sums += [([(r, c) for r in screens], [("excluded", c)]) for c in columns]
    sums += [([("excluded", c), ("retained", c)], [("respondents", c)]) for c in columns]
    ranges = _ranges(values, sums)
    assert ranges and all(hi - lo > 0.5 for lo, hi in ranges.values()), ranges
    # why each cell is hidden is recorded; the private speeders (10 respondents) are not "small"
    assert q.loc["duplicate", "hidden_official"] == "small"
    assert q.loc["speeder", "hidden_private"] == "complementary"
    assert prepared.quality.summary.loc["speeder", "private"] >= 10
    records = fnd.to_dict()["tables"]["quality"]
    assert {r["hidden_private"] for r in records} == {None, "small", "complementary"}
    assert fnd.meta["respondents_read"] == len(flags)  # shown: nothing small follows from it


def test_the_report_and_the_workbook_print_x_for_a_complementary_cell(cycle2025_findings):
    prepared, fnd = cycle2025_findings
    shown = shown_table(fnd["quality"], "<10").set_index("screen")
    assert shown.loc["duplicate", "private"] == "<10" and shown.loc["speeder", "private"] == "x"
    for lang, note in (("en", "x hidden so that"), ("uk", "x приховано")):
        report = Report(prepared.params, prepared, None, fnd, lang, None)
        page = report.method.quality_table().text
        assert "<td>x</td>" in page and "<td>&lt;10</td>" in page and note in page
        method = report.method.body().text.replace("&quot;", '"')
        assert '"x"' in method or "«x»" in method


@pytest.mark.slow
def test_few_excluded_hide_the_respondents_read_too(demo2025, tmp_path):
    """Five respondents excluded: read minus analysed would give them away, so the respondents
    read are hidden too, in the quality table, in meta and in the text."""
    from cipslib.analysis.quality import screen

    flags = screen(demo2025.data, demo2025.codebook).flags
    clean = ~flags[["duplicate", "speeder", "straightliner", "incomplete"]].any(axis=1)
    rows = []
    for group, kept, dropped in (("official", 200, 3), ("private", 60, 2)):
        member = (flags["group"] == group).to_numpy()
        rows += list(np.flatnonzero(member & clean.to_numpy())[:kept])
        rows += list(np.flatnonzero(member & flags["incomplete"].to_numpy())[:dropped])
    rows = np.sort(rows)
    sub = CycleData(
        demo2025.data.iloc[rows].reset_index(drop=True),
        demo2025.reasons.iloc[rows].reset_index(drop=True),
        demo2025.report,
        demo2025.codebook,
    )
    pop_file = tmp_path / "roles.yaml"
    pop_file.write_text(ROLE_POPULATION, encoding="utf-8")
    prepared = prepare_data(
        sub, {"official": load_population(pop_file, demo2025.codebook)}, {"exclude": ["incomplete"]}
    )
    fnd = compute_findings(prepared, options=Options(min_cell=10))
    q = fnd["quality"].set_index("screen")
    assert q.loc["excluded", "hidden_all"] == "small"
    assert q.loc["respondents", "hidden_all"] == "complementary"
    assert q.loc["retained", ["official", "private", "all"]].tolist() == [200, 60, 260]
    assert fnd.meta["respondents_read"] is None
    params = load_params(ROOT / "params" / "2025.yaml")  # min_cell 10, as above
    report = Report(params, prepared, None, fnd, "en", None)
    assert "(read x; &lt;10 excluded" in report.method.about().text
