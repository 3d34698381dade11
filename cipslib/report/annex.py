"""The report's full tables as one Excel workbook, ``tables.xlsx`` beside the report: a contents
sheet, then one sheet per findings table. Cells hidden by disclosure control read as the report's
hidden label (``<10``); the precision columns stay as columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.findings import Findings
from ..files import atomic_write

MAX_SHEET_NAME = 31  # Excel's limit


def shown_table(table: pd.DataFrame, hidden: str) -> pd.DataFrame:
    """A findings table as a reader gets it: the empty cells of suppressed records read ``hidden``.

    Examples
    --------
    >>> t = pd.DataFrame({"estimate": [52.0, None], "n": [40, None], "suppressed": [False, True]})
    >>> shown_table(t, "<10")["estimate"].tolist()
    [52.0, '<10']
    """
    out = table.copy()
    if "suppressed" not in out or out.empty:
        return out
    rows = out["suppressed"].fillna(False).astype(bool).to_numpy()
    for col in out.columns:
        empty = out[col].isna().to_numpy() & rows
        if empty.any():
            out[col] = out[col].astype(object)
            out.loc[empty, col] = hidden
    return out


def write_tables_xlsx(
    findings: Findings, path: str | Path, hidden: str, descriptions: dict[str, str], title: str
) -> Path:
    """Write ``tables.xlsx``: a contents sheet (table, rows, what it holds) and one sheet per
    non-empty findings table, in the findings' order."""
    tables = {name: t for name, t in findings.tables.items() if not t.empty}
    contents = pd.DataFrame(
        {
            "sheet": [name[:MAX_SHEET_NAME] for name in tables],
            "rows": [len(t) for t in tables.values()],
            "contents": [descriptions.get(name, "") for name in tables],
        }
    )

    def write(target: Path) -> None:
        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            contents.to_excel(writer, sheet_name="contents", index=False, startrow=2)
            writer.sheets["contents"]["A1"] = title
            for name, table in tables.items():
                shown = shown_table(table, hidden)
                for col in shown.columns:  # lists (codes, factors) as text
                    if shown[col].map(lambda v: isinstance(v, (list, tuple))).any():
                        shown[col] = shown[col].map(
                            lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                        )
                shown.to_excel(writer, sheet_name=name[:MAX_SHEET_NAME], index=False)
            for sheet in writer.sheets.values():
                sheet.freeze_panes = "A2" if sheet.title != "contents" else "A4"

    return atomic_write(Path(path), write)
