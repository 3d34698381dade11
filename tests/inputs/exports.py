"""Survey-tool exports built from a coded cycle, the way the tools write them: answers as the labels
a respondent clicked, question text (or the tool's codes) as headers, the tools' own columns.

Each builder takes the coded frame of :func:`cipslib.inputs.synthetic.simulate_cycle` and returns a
DataFrame of strings; the tests write it in the tool's file format.
"""

from __future__ import annotations

import pandas as pd

from cipslib.inputs.codebook import Codebook

UK_TOOL_COLUMNS = {"submitted_at": "Позначка часу", "email": "Адреса електронної пошти"}


def _label(cb: Codebook, column: str, value, lang: str, cycle: int):
    """The label of a coded cell: a scale answer for items, a level label for category variables."""
    if pd.isna(value):
        return None
    code = int(value)
    if column in cb.variables:
        var = cb.variables[column]
        level = next(lv for lv in var.levels.values() if lv.code == code)
        return level.labels[lang]
    return cb.scale_of(column).label(code, lang)


def labelled(frame: pd.DataFrame, cb: Codebook, cycle: int, lang: str, header) -> pd.DataFrame:
    """Items and category variables as labels in ``lang``; ``header(column)`` names each column
    (None drops it); other columns are kept as text."""
    items = set(cb.items_for(cycle=cycle)["id"])
    out = {}
    for col in frame.columns:
        name = header(col)
        if name is None:
            continue
        is_category = col in cb.variables and cb.variables[col].type == "category"
        if col in items or is_category:
            out[name] = [_label(cb, col, v, lang, cycle) for v in frame[col]]
        else:
            out[name] = [
                None if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v)
                for v in frame[col]
            ]
    return pd.DataFrame(out)


def google_forms(frame: pd.DataFrame, cb: Codebook, cycle: int, lang: str = "uk") -> pd.DataFrame:
    """Google Forms' responses sheet: the timestamp first, the e-mail column, then one column per
    question headed by its full text; no respondent id, cycle or survey-mode column."""
    items = cb.items_for(cycle=cycle).set_index("id")

    def header(col: str) -> str | None:
        if col in ("respondent_id", "cycle", "mode", "ip_address"):
            return None
        if col in UK_TOOL_COLUMNS:
            return UK_TOOL_COLUMNS[col]
        if col in items.index:
            return items.loc[col, f"text_{lang}"]
        if col in cb.variables:
            return cb.variables[col].labels[lang]
        return col

    out = labelled(frame, cb, cycle, lang, header)
    first = UK_TOOL_COLUMNS["submitted_at"]
    return out[[first] + [c for c in out.columns if c != first]]


def keyed(frame: pd.DataFrame, cb: Codebook, cycle: int, lang: str = "en") -> pd.DataFrame:
    """Question keys as headers (``LEAD_EXAMPLE``), labels as values, respondent variables by name;
    no cycle or survey-mode column."""
    items = cb.items_for(cycle=cycle).set_index("id")

    def header(col: str) -> str | None:
        if col in ("cycle", "mode"):
            return None
        return items.loc[col, "key"] if col in items.index else col

    return labelled(frame, cb, cycle, lang, header)


def limesurvey(frame: pd.DataFrame, cb: Codebook, cycle: int, codes: bool) -> pd.DataFrame:
    """LimeSurvey's "code [text]" headers with answers as codes or full English labels, and its own
    columns (id, submitdate, lastpage, startlanguage, seed, interviewtime)."""
    items = cb.items_for(cycle=cycle).set_index("id")
    tool = {"respondent_id": "id", "submitted_at": "submitdate", "duration_s": "interviewtime"}

    def header(col: str) -> str | None:
        if col in tool:
            return tool[col]
        if col in items.index:
            return f"{col} [{items.loc[col, 'text_en']}]"
        if col in cb.variables:
            return f"{col} [{cb.variables[col].labels['en']}]"
        return col

    if codes:
        out = frame.rename(columns={c: header(c) for c in frame.columns})
        out = out.map(lambda v: None if pd.isna(v) else f"{v:g}" if isinstance(v, float) else v)
    else:
        out = labelled(frame, cb, cycle, "en", header)
    out.insert(1, "lastpage", "12")
    out.insert(2, "startlanguage", "en")
    out.insert(3, "seed", "1234567")
    return out


def survey_monkey(frame: pd.DataFrame, cb: Codebook, cycle: int) -> list[list[str | None]]:
    """SurveyMonkey's two header rows (question text, then "Response" or the tool's own label) and
    its own columns, as rows of cells."""
    items = cb.items_for(cycle=cycle).set_index("id")
    tool = {
        "respondent_id": "Respondent ID",
        "submitted_at": "Start Date",
        "email": "Email Address",
        "ip_address": "IP Address",
    }

    def header(col: str) -> str | None:
        if col in tool:
            return tool[col]
        if col in items.index:
            return items.loc[col, "text_en"]
        if col in cb.variables:
            return cb.variables[col].labels["en"]
        return col

    body = labelled(frame, cb, cycle, "en", header)
    second = ["Response" if c not in tool.values() else None for c in body.columns]
    rows = [list(body.columns), second]
    rows += body.astype(object).where(body.notna(), None).values.tolist()
    return rows


QUALTRICS_SYSTEM = [
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
]


def qualtrics(frame: pd.DataFrame, cb: Codebook, cycle: int) -> list[list[str | None]]:
    """Qualtrics' three header rows (the survey's own column names Q1, Q2, ..., the question text,
    then ``{"ImportId": ...}``), its metadata columns first, answers as choice text."""
    items = cb.items_for(cycle=cycle).set_index("id")
    kept = [c for c in frame.columns if c in items.index or c in cb.variables]
    kept = [c for c in kept if c not in ("respondent_id", "duration_s", "cycle")]
    body = labelled(frame[kept], cb, cycle, "en", lambda c: c)
    names = [f"Q{i}" for i in range(1, len(kept) + 1)]
    texts = [
        items.loc[c, "text_en"] if c in items.index else cb.variables[c].labels["en"] for c in kept
    ]
    n = len(frame)
    system = {
        "StartDate": ["2025-09-16 10:00:00"] * n,
        "EndDate": ["2025-09-16 10:20:00"] * n,
        "Status": ["IP Address"] * n,
        "IPAddress": [f"10.0.{i // 250}.{i % 250}" for i in range(n)],
        "Progress": ["100"] * n,
        "Duration (in seconds)": [
            None if pd.isna(v) else f"{v:g}" for v in frame.get("duration_s", [None] * n)
        ],
        "Finished": ["True"] * n,
        "RecordedDate": ["2025-09-16 10:20:01"] * n,
        "ResponseId": [f"R_{i:08d}" for i in range(n)],
        "RecipientLastName": [None] * n,
        "RecipientFirstName": [None] * n,
        "RecipientEmail": [None] * n,
        "ExternalReference": [None] * n,
        "LocationLatitude": ["50.45"] * n,
        "LocationLongitude": ["30.52"] * n,
        "DistributionChannel": ["anonymous"] * n,
        "UserLanguage": ["EN"] * n,
    }
    header = QUALTRICS_SYSTEM + names
    question = [
        {"Duration (in seconds)": "Duration (in seconds)"}.get(c, c) for c in QUALTRICS_SYSTEM
    ] + texts
    import_ids = [f'{{"ImportId":"{c[0].lower() + c[1:]}"}}' for c in QUALTRICS_SYSTEM] + [
        f'{{"ImportId":"QID{i}"}}' for i in range(1, len(kept) + 1)
    ]
    rows = [header, question, import_ids]
    cells = body.astype(object).where(body.notna(), None).values.tolist()
    for i, answers in enumerate(cells):
        rows.append([system[c][i] for c in QUALTRICS_SYSTEM] + answers)
    return rows


def kobo_groups(frame: pd.DataFrame, cb: Codebook, cycle: int) -> pd.DataFrame:
    """A KoboToolbox export with group paths (``factor_1/lead_01``), answers as choice names
    (here the codes), and Kobo's own columns."""
    items = cb.items_for(cycle=cycle).set_index("id")

    def header(col: str) -> str | None:
        if col in items.index:
            factor = items.loc[col, "factor"]
            return f"factor_{int(factor)}/{col}" if pd.notna(factor) else f"experience/{col}"
        return {"respondent_id": None, "submitted_at": "_submission_time"}.get(col, col)

    out = pd.DataFrame(
        {
            name: [None if pd.isna(v) else f"{v:g}" if isinstance(v, float) else v for v in values]
            for col, values in frame.items()
            if (name := header(col)) is not None
        }
    )
    n = len(out)
    out["_uuid"] = [f"uuid-{i:06d}" for i in range(n)]
    out["_index"] = range(1, n + 1)
    out["_status"] = "submitted_via_web"
    out["__version__"] = "vQ4vVh2"
    out["_validation_status"] = None
    out["_submitted_by"] = None
    out["meta/instanceID"] = [f"uuid:{i:06d}" for i in range(n)]
    return out
