"""The exchange package: a cycle's answers in a form an administration can hand to the WCO
Secretariat or to peers (``cips share``), a Frictionless Data Package.

``datapackage.json`` describes one table, ``responses.parquet``: a row per respondent retained by
the quality screens, with

* ``administration`` (the pseudonymous code the sender gives), ``cycle``, ``instrument`` (the
  respondent's group), ``stratum`` (the design's stratum: the group);
* ``weight``: the final weight, raked to the administration's population figures (the design's
  calibration is not in the package: standard errors from it treat the weights as fixed, which is
  conservative for raked estimates);
* one column per core CIPS item, named by its cross-cycle key (the shipped codebook's keys, not the
  administration's own column names), the answer code **of the shipped core scale**; don't know,
  refusal and no answer missing. An administration's own codebook may code a scale otherwise (0-4
  instead of 1-5, or the codes listed in another order): each answer is written as the code at the
  same position in the core scale's listed order (least to most favourable), turned round when the
  administration's item is reverse-worded and the core's is not (or the other way), so a code in a
  package means the same answer whoever sent it. An item whose scale cannot be mapped so (another
  number of answers, or another scale type) is left out, and the package's README and metadata
  (``left_out``) say why;
* the respondent variables the sender allows (``allow``), coarsened until every combination of
  them within an instrument has at least ``min_cell`` respondents (k-anonymity): levels are merged
  smallest first with their neighbour in the codebook's order, and a variable that would keep one
  level is left out; the package's README lists each merge.

No identifier, no free text, no unit (region, office) and no respondent id is written; rows are in
an order computed from their content, and the same inputs give the same bytes.

The descriptor's ``cips`` metadata records the administration, cycle, ``min_cell``, the sender's
whole codebook file (``codebook``, a digest that differs for every administration with its own
codebook) and the **core** it was made against (``core``, :func:`core_version`: a digest of the
shipped codebook's item keys, their factor, the groups they are asked of, their scale's type and
codes in order and their reversal). Packages can be pooled when their ``core`` agrees.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.scoring import answer_codes
from ..errors import CipsError
from ..inputs.codebook import Codebook, Scale, load_codebook
from ..inputs.params import CycleParams, load_params

PACKAGE_VERSION = 2
"""Version 2: answer codes of the core scale and the ``core`` version in the metadata (version 1
held the sender's own codes)."""
TABLE = "responses.parquet"
NEVER_SHARED = ("respondent_id", "group", "region", "mode", "duration_s", "cycle")
"""Respondent variables a package never holds as such (identifiers, units, process data); the
group travels as ``instrument``."""


@dataclass
class Share:
    """What goes into a package: the table, the merges made to respect ``min_cell``, and what
    describes it."""

    table: pd.DataFrame
    merges: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def share_table(
    params: CycleParams | str | Path,
    code: str,
    allow: tuple[str, ...] = (),
    min_cell: int | None = None,
) -> Share:
    """The exchange table of a cycle (see the module): core items by key, final weights, design
    stratum, the allowed respondent variables coarsened to ``min_cell`` (the params' by default).

    Examples
    --------
    >>> s = share_table("params/2024.yaml", "A01", allow=("role",))
    >>> list(s.table.columns[:6]), s.table["administration"].iloc[0]
    (['administration', 'cycle', 'instrument', 'stratum', 'weight', 'role'], 'A01')
    """
    from ..analysis.prepare import prepare_inputs

    p = params if isinstance(params, CycleParams) else load_params(params)
    if not code or not str(code).replace("-", "").replace("_", "").isalnum():
        raise CipsError(f"--as takes a short pseudonymous code (letters, digits, - or _): '{code}'")
    min_cell = p.min_cell if min_cell is None else min_cell
    prepared = prepare_inputs(p, with_previous=False).current
    cb = prepared.codebook
    refused = [v for v in allow if v in NEVER_SHARED or v not in cb.variables]
    if refused:
        raise CipsError(
            f"cannot share the respondent variable(s) {', '.join(refused)}: a package holds no "
            "identifier, unit or process variable, and only the codebook's variables"
        )
    data = prepared.data
    out = pd.DataFrame(
        {
            "administration": str(code),
            "cycle": int(p.cycle),
            "instrument": data["group"].astype(str).to_numpy(),
            "stratum": data["group"].astype(str).to_numpy(),
            "weight": prepared.design.weights.to_numpy(dtype=float),
        }
    )
    share = Share(out)
    for var in allow:
        out[var] = data[var].astype(object).where(data[var].notna(), None).to_numpy()
    _coarsen(share, list(allow), cb, min_cell)
    core = load_codebook()
    left_out = _core_answers(out, data, cb, core)
    share.table = _in_content_order(share.table)
    share.meta = {
        "administration": str(code),
        "cycle": int(p.cycle),
        "min_cell": int(min_cell),
        "codebook": _codebook_version(cb),
        "core": core_version(core),
        "left_out": left_out,
        "instruments": sorted(set(share.table["instrument"])),
        "respondents": int(len(share.table)),
    }
    return share


def write_package(share: Share, out: str | Path) -> Path:
    """Write ``responses.parquet``, ``datapackage.json`` and ``README.md`` into ``out`` and return
    the datapackage path. The same share gives the same bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .. import __version__

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(share.table, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, out / TABLE, compression="zstd", write_statistics=False)
    digest = hashlib.sha256((out / TABLE).read_bytes()).hexdigest()
    descriptor = {
        "name": f"cips-{share.meta['administration'].lower()}-{share.meta['cycle']}",
        "title": f"CIPS {share.meta['cycle']} exchange package ({share.meta['administration']})",
        "version": str(PACKAGE_VERSION),
        "licenses": [{"name": "other-closed", "title": "For the WCO and the peers it names"}],
        "resources": [
            {
                "name": "responses",
                "type": "table",
                "path": TABLE,
                "format": "parquet",
                "mediatype": "application/parquet",
                "sha256": digest,
                "schema": {"fields": _fields(share.table)},
            }
        ],
        "cips": {**share.meta, "software": f"cipslib {__version__}", "merges": share.merges},
    }
    path = out / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(share), encoding="utf-8")
    return path


def validate_package(path: str | Path) -> list[str]:
    """Problems frictionless finds in a package, and a checksum that does not match (empty: the
    package is valid)."""
    from frictionless import validate

    path = Path(path)
    report = validate(str(path))
    problems = [f"{t}: {n}" for t, n in report.flatten(["type", "note"])]
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for r in descriptor.get("resources", []):
        data = (path.parent / r["path"]).read_bytes()
        if r.get("sha256") != hashlib.sha256(data).hexdigest():
            problems.append(f"checksum: {r['path']} is not the file the package describes")
    return problems


def core_version(codebook: Codebook | None = None) -> str:
    """The version of the core CIPS items a package is made against: a digest of the shipped
    codebook's (or ``codebook``'s) item keys with their factor, the groups they are asked of, their
    scale's type and codes in order and their reversal; wording, languages, aliases and everything
    else of the codebook play no part.

    Examples
    --------
    >>> v = core_version()
    >>> v.startswith("sha256:"), len(v), v == core_version()
    (True, 23, True)
    """
    cb = codebook if codebook is not None else load_codebook()
    items = cb.items[cb.items["parent"].isna()]
    entries = set()
    for _, row in items.iterrows():
        scale = cb.scales[row["scale"]]
        factor = None if pd.isna(row["factor"]) else int(row["factor"])
        entries.add(
            json.dumps(
                [
                    row["key"],
                    factor,
                    sorted(row["instruments"]),
                    scale.type,
                    list(scale.codes),
                    bool(row["reverse"]),
                ]
            )
        )
    text = "\n".join(sorted(entries))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def core_codes(own: Scale, core: Scale, turned: bool = False) -> dict[int, int] | None:
    """Each answer code of an administration's scale ``own`` -> the code of the core scale at the
    same position in the listed order (the mirrored position when ``turned``: the item is
    reverse-worded in one codebook and not in the other). None when the scales cannot be mapped
    (another type or number of answers).

    Examples
    --------
    >>> own = Scale("agree", "ordinal", {0: {}, 1: {}, 2: {}, 3: {}, 4: {}}, (3, 4))
    >>> core = Scale("agree5", "ordinal", {1: {}, 2: {}, 3: {}, 4: {}, 5: {}}, (4, 5))
    >>> core_codes(own, core), core_codes(own, core, turned=True)[0]
    ({0: 1, 1: 2, 2: 3, 3: 4, 4: 5}, 5)
    """
    if own.type != core.type or len(own.codes) != len(core.codes):
        return None
    theirs = list(core.codes)[::-1] if turned else list(core.codes)
    return dict(zip(own.codes, theirs, strict=True))


# -- parts ---------------------------------------------------------------------------------------
def _core_answers(out: pd.DataFrame, data: pd.DataFrame, cb: Codebook, core: Codebook) -> list:
    """Add to ``out`` a column per core item the data hold, named by its key, the answers as codes
    of the core scale; return the items left out (a scale that cannot be mapped)."""
    left_out = []
    for item_id, key in _core_items(cb).items():
        if item_id not in data.columns:
            continue
        own, theirs = cb.item(item_id), _core_row(core, key)
        turned = own["reverse"] != theirs["reverse"]
        mapping = core_codes(cb.scale_of(item_id), core.scales[theirs["scale"]], turned)
        if mapping is None:
            left_out.append({"item": key, "scale": own["scale"], "core_scale": theirs["scale"]})
            continue
        codes = pd.Series(answer_codes(data[item_id])).map(mapping)
        out[key] = codes.astype("Float64").to_numpy()
    return left_out


def _core_row(core: Codebook, key: str) -> pd.Series:
    """The core definition of an item key (the last of the shipped items with that key)."""
    return core.items[(core.items["key"] == key) & core.items["parent"].isna()].iloc[-1]


def _core_items(cb: Codebook) -> dict[str, str]:
    """The items the shipped (WCO standard) questionnaire also has, by key: id -> key."""
    core = set(load_codebook().items["key"])
    items = cb.items[cb.items["key"].isin(core) & cb.items["parent"].isna()]
    return dict(zip(items["id"], items["key"], strict=True))


def _coarsen(share: Share, variables: list[str], cb: Codebook, min_cell: int) -> None:
    """Merge levels (smallest first, with a neighbour in the codebook's order) until every
    combination of ``variables`` within an instrument has at least ``min_cell`` respondents or
    none; a variable left with one level is dropped."""
    t = share.table
    while variables:
        counts = t.groupby(["instrument", *variables], dropna=False).size()
        small = counts[(counts > 0) & (counts < min_cell)]
        if small.empty:
            return
        var = max(variables, key=lambda v: t[v].nunique(dropna=True))
        levels = [lv for lv in _order(cb, var) if (t[var] == lv).any()]
        if len(levels) <= 1:
            variables.remove(var)
            share.dropped.append(var)
            t.drop(columns=var, inplace=True)
            continue
        sizes = {lv: int((t[var] == lv).sum()) for lv in levels}
        low = min(levels, key=lambda lv: (sizes[lv], levels.index(lv)))
        i = levels.index(low)
        other = (
            levels[i - 1]
            if i == len(levels) - 1
            else (
                levels[i + 1]
                if i == 0 or sizes[levels[i + 1]] <= sizes[levels[i - 1]]
                else levels[i - 1]
            )
        )
        merged = f"{other}+{low}" if levels.index(other) < i else f"{low}+{other}"
        t.loc[t[var].isin([low, other]), var] = merged
        share.merges.append({"variable": var, "levels": [low, other], "into": merged})


def _order(cb: Codebook, var: str) -> list[str]:
    names = list(cb.variables[var].levels) if var in cb.variables else []
    return names


def _in_content_order(t: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by a hash of their content (not the export's order, which may follow the order
    of submission), the same for the same rows."""
    keys = pd.util.hash_pandas_object(t.astype(str), index=False).to_numpy()
    return t.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)


def _fields(t: pd.DataFrame) -> list[dict[str, str]]:
    def kind(s: pd.Series) -> str:
        if pd.api.types.is_integer_dtype(s):
            return "integer"
        if pd.api.types.is_float_dtype(s):
            return "number"
        return "string"

    return [{"name": c, "type": kind(t[c])} for c in t.columns]


def _codebook_version(cb: Codebook) -> str:
    return "sha256:" + hashlib.sha256(Path(cb.path).read_bytes()).hexdigest()[:16]


def _readme(share: Share) -> str:
    m = share.meta
    lines = [
        f"# CIPS {m['cycle']} exchange package: {m['administration']}",
        "",
        f"{m['respondents']} respondents ({', '.join(m['instruments'])}), one row each in",
        f"`{TABLE}`: the answer codes of the core CIPS items under their keys, the final raked",
        "weight, the instrument and the design stratum. No identifier, free text, unit or",
        "respondent id.",
        "",
        f"Every combination of the respondent variables in the table has at least {m['min_cell']}",
        "respondents within its instrument (or none).",
    ]
    if share.merges:
        lines += ["", "Levels merged to reach it:", ""]
        lines += [
            f"- {g['variable']}: {' and '.join(g['levels'])} -> {g['into']}" for g in share.merges
        ]
    if share.dropped:
        lines += ["", f"Left out (one level would remain): {', '.join(share.dropped)}."]
    if m.get("left_out"):
        lines += ["", "Items left out (their scale cannot be mapped on the core scale):", ""]
        lines += [
            f"- {g['item']}: scale {g['scale']}, core scale {g['core_scale']}"
            for g in m["left_out"]
        ]
    lines += [
        "",
        "Answer codes are those of the core scale (mapped by their order in the scale).",
        "",
        f"Codebook: {m['codebook']}. Core: {m['core']}. Checksums: see datapackage.json.",
        "",
    ]
    return "\n".join(lines)


__all__ = [
    "NEVER_SHARED",
    "PACKAGE_VERSION",
    "TABLE",
    "Share",
    "core_codes",
    "core_version",
    "share_table",
    "validate_package",
    "write_package",
]
