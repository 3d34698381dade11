"""Opening exchange packages for a benchmark: every package checked, then all their tables pooled in
one DuckDB connection, read in place.

:func:`open_pool` refuses a set of packages with one :class:`~cipslib.errors.CipsDataError` that
lists every problem of every package, each naming the package folder (and the column, what was
found and what was expected):

* the descriptor (``datapackage.json``): valid JSON and a valid Frictionless Data Package
  descriptor (frictionless checks the metadata; the rows are checked here, in DuckDB), a package
  version this cipslib reads (:data:`KNOWN_VERSIONS`), one table ``responses.parquet`` with its
  ``sha256`` and schema, and the ``cips`` metadata (administration, cycle, ``min_cell``, ``core``);
* the core: the package's ``core`` must be the core of this cipslib's shipped codebook
  (:func:`cipslib.exchange.package.core_version`), or its item keys, factors, scales or reversals
  may mean something else;
* the table: the file the descriptor's checksum names, with every column the descriptor declares,
  of the declared type, and no other; the design columns (``administration``, ``cycle``,
  ``instrument``, ``stratum``, ``weight``), core items as numbers, other columns (respondent
  variables) as text;
* the rows: the administration and cycle the metadata give, an instrument of the core codebook, a
  stratum on every row and at least two respondents in each (else its variance cannot be
  estimated), a positive weight on every row, and answer codes of the core scale (a package holds
  the core scale's codes, see :mod:`cipslib.exchange.package`);
* the pool: an administration's cycle given by one package only.

The tables are then one view, ``pool``, over ``read_parquet([...], union_by_name = true)``: a
column a package lacks (an item its questionnaire did not ask) reads as missing there. Nothing is
loaded into pandas but the aggregates the estimates need.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ProblemList
from ..exchange.package import TABLE, core_version
from ..inputs.codebook import Codebook, load_codebook

KNOWN_VERSIONS = ("2",)
"""Package versions this cipslib pools (version 1 held the sender's own answer codes)."""
DESIGN_COLUMNS = {
    "administration": "string",
    "cycle": "integer",
    "instrument": "string",
    "stratum": "string",
    "weight": "number",
}
CIPS_METADATA = ("administration", "cycle", "min_cell", "core")
VIEW = "pool"
MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit: the pool is aggregated as it is read, so little is ever held."""


@dataclass(frozen=True)
class Package:
    """A package that passed its checks: where it is and what its descriptor says."""

    folder: Path
    administration: str
    cycle: int
    version: str
    sha256: str
    core: str
    respondents: int
    items: tuple[str, ...]
    """The core items the table holds (by key)."""

    @property
    def table(self) -> Path:
        return self.folder / TABLE

    @functools.cached_property
    def path(self) -> str:
        """The table's absolute path, as DuckDB names it."""
        return str(self.table.resolve())


@dataclass
class Pool:
    """The packages of a benchmark, their tables registered as the view ``pool`` of ``con``."""

    con: Any
    packages: tuple[Package, ...]
    core: Codebook
    items: tuple[str, ...] = field(default=())
    """The core items any package holds, in the codebook's order."""

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_pool(
    folders: Iterable[str | Path],
    *,
    threads: int | None = None,
    memory_limit: str = MEMORY_LIMIT,
) -> Pool:
    """Check the packages in ``folders`` (see the module) and pool their tables in DuckDB.

    Examples
    --------
    >>> open_pool(["no/such/package"])
    Traceback (most recent call last):
    ...
    cipslib.errors.CipsDataError: 1 problem found:
      - no/such/package: not a package folder (no datapackage.json in it)
    """
    import duckdb

    folders = [Path(f) for f in folders]
    problems = ProblemList()
    if not folders:
        problems.add("", "no package to pool", expected="one or more package folders")
    core = load_codebook()
    version = core_version(core)
    found = [_package(folder, core, version, problems) for folder in folders]
    readable = [p for p in found if p is not None]
    threads = threads or _cores()
    con = duckdb.connect(
        config={
            "threads": threads,
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
        }
    )
    con.execute("SET enable_progress_bar = false")
    try:
        if readable:
            _check_rows(con, readable, core, problems)
        _check_unique(readable, problems)
        problems.raise_if_errors()
        con.execute(f"CREATE VIEW {VIEW} AS SELECT * FROM {_read_parquet(readable)}")
    except BaseException:
        con.close()
        raise
    held = {k for p in readable for k in p.items}
    items = tuple(dict.fromkeys(k for k in core.items["key"] if k in held))
    return Pool(con, tuple(readable), core, items)


def _cores() -> int:
    """The cores this process may run on (all of the machine's where the system cannot say)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def sql_string(text: str) -> str:
    """A SQL string literal.

    Examples
    --------
    >>> print(sql_string("it's"))
    'it''s'
    """
    return "'" + str(text).replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """A quoted SQL identifier.

    Examples
    --------
    >>> print(sql_name('LEAD_COMMITMENT'))
    "LEAD_COMMITMENT"
    """
    return '"' + str(name).replace('"', '""') + '"'


def _read_parquet(packages: Iterable[Package], filename: bool = False) -> str:
    files = ", ".join(sql_string(p.path) for p in packages)
    extra = ", filename = true" if filename else ""
    return f"read_parquet([{files}], union_by_name = true{extra})"


# -- one package -----------------------------------------------------------------------------------
def _package(folder: Path, core: Codebook, version: str, problems: ProblemList) -> Package | None:
    """The package in ``folder`` when its descriptor and table can be read (the problems found
    added to ``problems`` either way), else None."""
    where = str(folder)
    described = _described(folder, version, problems)
    if described is None:
        return None
    descriptor, meta, resource = described
    fields = _fields(resource, where, core, problems)
    table = folder / TABLE
    if not table.is_file():
        problems.add(where, f"the table {TABLE} is missing")
        return None
    digest = _sha256(table)
    if digest != resource.get("sha256"):
        problems.add(
            where,
            f"checksum: {TABLE} is not the file the package describes (changed or damaged)",
            column="sha256",
            value=digest,
            expected=str(resource.get("sha256")),
        )
    read = _check_schema(table, fields, where, problems)
    if read is None:
        return None
    rows, held = read
    if any(held.get(c, "") not in (kind, None) for c, kind in DESIGN_COLUMNS.items()):
        return None  # its rows cannot be read as a package's
    if meta.get("respondents") is not None and rows != meta.get("respondents"):
        problems.add(
            where,
            f"{TABLE} does not hold the respondents the metadata give",
            value=rows,
            expected=str(meta.get("respondents")),
        )
    keys = set(core.items["key"])
    items = tuple(k for k, t in held.items() if k in keys and t in ("number", "integer", None))
    return Package(
        folder,
        str(meta["administration"]),
        int(meta["cycle"]),
        str(descriptor.get("version")),
        digest,
        str(meta["core"]),
        int(rows),
        items,
    )


def _described(folder: Path, version: str, problems: ProblemList) -> tuple | None:
    """The descriptor, its ``cips`` metadata and its table's resource, checked (frictionless, the
    package version, the metadata, the resource); None when the table cannot be found from it."""
    where = str(folder)
    descriptor = _descriptor(folder, problems)
    if descriptor is None:
        return None
    for note in _frictionless_problems(descriptor):
        problems.add(where, f"datapackage.json is not a valid data package: {note}")
    if str(descriptor.get("version")) not in KNOWN_VERSIONS:
        problems.add(
            where,
            "a package version this cipslib does not read",
            column="version",
            value=descriptor.get("version"),
            expected=f"{' or '.join(KNOWN_VERSIONS)} (make the package again with cips share)",
        )
    meta = _metadata(descriptor, where, version, problems)
    resource = _resource(descriptor, where, problems)
    return None if resource is None or meta is None else (descriptor, meta, resource)


def _descriptor(folder: Path, problems: ProblemList) -> dict | None:
    where = str(folder)
    path = folder / "datapackage.json"
    if not path.is_file():
        problems.add(where, "not a package folder (no datapackage.json in it)")
        return None
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.add(where, f"datapackage.json is not valid JSON ({exc})")
        return None
    if not isinstance(descriptor, dict):
        problems.add(where, "datapackage.json is not a data package descriptor (an object)")
        return None
    return descriptor


def _notes(errors) -> list[str]:
    return [f"{e.type}: {e.note}" for e in errors]


@functools.lru_cache(maxsize=64)
def _schema_problems(schema: str) -> tuple[str, ...]:
    """What frictionless finds wrong with a table schema (as JSON): packages of one pool share
    theirs, so each is checked once."""
    from frictionless import Schema

    return tuple(_notes(Schema.metadata_validate(json.loads(schema))))


def _frictionless_problems(descriptor: dict) -> list[str]:
    """What frictionless finds wrong with the descriptor (its metadata; the rows are checked in
    DuckDB): the package and its resources, then each table schema."""
    from frictionless import FrictionlessException, Package

    resources = descriptor.get("resources")
    schemas = []
    if isinstance(resources, list) and all(isinstance(r, dict) for r in resources):
        schemas = [r["schema"] for r in resources if isinstance(r.get("schema"), dict)]
        resources = [{k: v for k, v in r.items() if k != "schema"} for r in resources]
        descriptor = {**descriptor, "resources": resources}
    try:
        out = _notes(Package.metadata_validate(descriptor))
    except FrictionlessException as exc:
        out = [str(exc)]
    for schema in schemas:
        try:
            out += _schema_problems(json.dumps(schema, sort_keys=True))
        except FrictionlessException as exc:
            out.append(str(exc))
    return out


def _metadata(descriptor: dict, where: str, version: str, problems: ProblemList) -> dict | None:
    meta = descriptor.get("cips")
    if not isinstance(meta, dict):
        problems.add(
            where,
            "datapackage.json has no cips metadata",
            column="cips",
            expected="what cips share writes: " + ", ".join(CIPS_METADATA),
        )
        return None
    missing = [k for k in CIPS_METADATA if meta.get(k) is None]
    for key in missing:
        problems.add(where, "the cips metadata lack a setting", column=f"cips.{key}")
    if missing:
        return None
    if meta["core"] != version:
        problems.add(
            where,
            "made against another core codebook (its item keys, factors, scales or reversals "
            "may differ): it cannot be pooled with this cipslib's",
            column="cips.core",
            value=meta["core"],
            expected=version,
        )
    bad = False
    try:
        int(meta["cycle"])
    except (TypeError, ValueError):
        problems.add(where, "the cycle is not a year", column="cips.cycle", value=meta["cycle"])
        bad = True
    if not str(meta["administration"]).strip():
        problems.add(where, "the administration's code is empty", column="cips.administration")
        bad = True
    return None if bad else meta


def _resource(descriptor: dict, where: str, problems: ProblemList) -> dict | None:
    resources = descriptor.get("resources")
    tables = (
        [r for r in resources if isinstance(r, dict) and r.get("path") == TABLE]
        if isinstance(resources, list)
        else []
    )
    if len(tables) != 1 or len(resources) != 1:
        problems.add(
            where,
            "a package describes one table",
            column="resources",
            value=[r.get("path") for r in resources if isinstance(r, dict)]
            if isinstance(resources, list)
            else resources,
            expected=f"one resource with path {TABLE}",
        )
        return None
    table = tables[0]
    for key, expected in (("format", "parquet"), ("sha256", None)):
        if table.get(key) is None or (expected is not None and table.get(key) != expected):
            problems.add(
                where,
                f"the table's {key} is missing or wrong",
                column=f"resources.{key}",
                value=table.get(key),
                expected=expected or "the SHA-256 of the table, in hexadecimal",
            )
    fields = (
        (table.get("schema") or {}).get("fields") if isinstance(table.get("schema"), dict) else None
    )
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        problems.add(where, "the table has no schema (a list of fields)", column="resources.schema")
        return None
    return table


def _fields(resource: dict, where: str, core: Codebook, problems: ProblemList) -> dict[str, str]:
    """The declared columns and types, checked: the design columns and core items of their type,
    other columns (respondent variables) text."""
    fields = {
        str(f.get("name")): str(f.get("type", "string")) for f in resource["schema"]["fields"]
    }
    keys = set(core.items["key"])
    for name, kind in DESIGN_COLUMNS.items():
        if name not in fields:
            problems.add(where, "the table lacks a design column", column=name)
        elif fields[name] != kind:
            problems.add(
                where,
                "a design column of another type",
                column=name,
                value=fields[name],
                expected=kind,
            )
    for name, kind in fields.items():
        if name in DESIGN_COLUMNS:
            continue
        expected = "number" if name in keys else "string"
        if kind != expected:
            what = (
                "a core item" if name in keys else "a column that is neither a core item nor text"
            )
            problems.add(
                where, f"{what} of another type", column=name, value=kind, expected=expected
            )
    return fields


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _arrow_kind(arrow_type) -> str | None:
    import pyarrow as pa

    if pa.types.is_null(arrow_type):
        return None  # a column with no value at all fits any declared type
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "number"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    return str(arrow_type)


def _check_schema(
    table: Path, fields: dict[str, str], where: str, problems: ProblemList
) -> tuple[int, dict[str, str | None]] | None:
    """The table's row count and the kind of each of its columns, checked against the declared
    ones (None: not a Parquet file)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(table)
        schema = meta.schema.to_arrow_schema()
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        problems.add(where, f"{TABLE} is not a readable Parquet file ({exc})")
        return None
    held = {f.name: _arrow_kind(f.type) for f in schema}
    for name, kind in fields.items():
        if name not in held:
            problems.add(where, f"a column the descriptor declares is not in {TABLE}", column=name)
        elif held[name] is not None and held[name] != kind:
            problems.add(
                where,
                f"a column of {TABLE} is not of the declared type",
                column=name,
                value=held[name],
                expected=kind,
            )
    for name in held:
        if name not in fields:
            problems.add(
                where, f"{TABLE} holds a column the descriptor does not declare", column=name
            )
    return int(meta.num_rows), held


# -- the rows --------------------------------------------------------------------------------------
def _check_rows(con, packages: list[Package], core: Codebook, problems: ProblemList) -> None:
    """One pass over every table: who, which cycle, instrument, stratum, weights and codes."""
    codes = _item_codes(core, {k for p in packages for k in p.items})
    bad_codes = "".join(f", {_bad_code_sql(k, c)} AS {sql_name(k)}" for k, c in codes.items())
    found = con.sql(f"""
        SELECT filename, instrument, stratum, count(*) AS rows,
               min(administration) AS administration_min, max(administration) AS administration_max,
               min(cycle) AS cycle_min, max(cycle) AS cycle_max,
               count_if(weight IS NULL OR NOT isfinite(weight) OR weight <= 0) AS weight{bad_codes}
        FROM {_read_parquet(packages, filename=True)}
        GROUP BY ALL
    """).df()
    by_file = {p.path: str(p.folder) for p in packages}
    found["folder"] = found["filename"].map(by_file)
    found = found.astype({"instrument": object, "stratum": object})
    given = {str(p.folder): p for p in packages}
    for col in ("administration", "cycle"):
        seen = found.groupby("folder", sort=False)[[f"{col}_min", f"{col}_max"]].agg(set)
        for folder, (low, high) in seen.iterrows():
            expected = str(getattr(given[folder], col))
            other = sorted({str(v) for v in low | high} - {expected})
            if other:
                problems.add(
                    folder,
                    f"rows of another {col} than the metadata give",
                    column=col,
                    value=", ".join(other),
                    expected=expected,
                )
    _check_groups(found, list(core.instruments), problems)
    counts = found.groupby("folder", sort=False)[["weight", *codes]].sum()
    for (folder, col), count in counts.stack().items():
        if not count:
            continue
        if col == "weight":
            problems.add(
                folder,
                f"{int(count)} row(s) without a positive weight",
                column=col,
                expected="a weight above 0 on every row",
            )
        else:
            problems.add(
                folder,
                "answer codes that are not the core scale's",
                column=col,
                expected=", ".join(map(str, codes[col])) + " or missing",
            )


def _bad_code_sql(key: str, codes: tuple[int, ...]) -> str:
    """An aggregate that is true when a group holds a code off the scale: for codes rising by one,
    one below the first, above the last or not whole (NaN is above every number in DuckDB); else
    one not among them."""
    col = sql_name(key)
    if list(codes) == list(range(codes[0], codes[0] + len(codes))):
        test = (
            f"min({col}) < {codes[0]} OR max({col}) > {codes[-1]} OR max({col} - floor({col})) > 0"
        )
    else:
        test = f"count_if({col} NOT IN ({', '.join(map(str, codes))})) > 0"
    return f"coalesce({test}, false)"


def _check_groups(found: pd.DataFrame, instruments: list[str], problems: ProblemList) -> None:
    """Instruments of the core codebook; a stratum on every row and two respondents in each."""
    wrong = found[~found["instrument"].isin(instruments)]
    for folder, rows in wrong.groupby("folder", sort=False):
        problems.add(
            folder,
            "rows of an instrument the core codebook does not have",
            column="instrument",
            value=", ".join(sorted(str(v) for v in rows["instrument"].unique())),
            expected=" or ".join(instruments),
        )
    for folder in found.loc[found["stratum"].isna(), "folder"].unique():
        problems.add(folder, "rows without a stratum", column="stratum")
    sizes = (
        found.dropna(subset=["stratum"]).groupby(["folder", "stratum"], sort=False)["rows"].sum()
    )
    for folder, stratum in sizes.index[sizes.to_numpy() < 2]:
        problems.add(
            folder,
            "a stratum with a single respondent: its variance cannot be estimated",
            column="stratum",
            value=stratum,
            expected="at least two respondents per stratum",
        )


def _item_codes(core: Codebook, keys: set[str]) -> dict[str, tuple[int, ...]]:
    """The core scale's codes of each item key in ``keys`` (the last item with the key)."""
    items = core.items[core.items["parent"].isna() & core.items["key"].isin(keys)]
    out = {}
    for _, row in items.iterrows():
        out[row["key"]] = tuple(core.scales[row["scale"]].codes)
    return out


def _check_unique(packages: list[Package], problems: ProblemList) -> None:
    seen: dict[tuple[str, int], Package] = {}
    for p in packages:
        key = (p.administration, p.cycle)
        if key in seen:
            problems.add(
                str(p.folder),
                f"administration {p.administration}'s {p.cycle} cycle is also in "
                f"{seen[key].folder}: an administration gives one package per cycle",
                column="cips.administration",
                value=p.administration,
            )
        else:
            seen[key] = p


__all__ = [
    "DESIGN_COLUMNS",
    "KNOWN_VERSIONS",
    "VIEW",
    "Package",
    "Pool",
    "open_pool",
    "sql_name",
    "sql_string",
]
