"""Any questionnaire: a codebook, a matching survey export, population figures and a params file,
written from a :class:`Questionnaire` description (the hypothesis strategy :func:`questionnaires`
draws them; fixed tests build one by hand).

Only the respondent variables the codebook must define are always there (respondent_id, group,
respondent_type, region, mode); any other canonical variable may be absent, region and the id may
be missing from the export, scales are ordinal or nominal with 2-7 codes, with or without a neutral,
don't-know and refusal code, and items sit in any factors or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from hypothesis import strategies as st

OPTIONAL_VARIABLES = ("cycle", "role", "tenure", "business_type", "duration_s")
PRIVATE_TYPES = ("business", "association", "civil_society", "citizen")
LEVELS = {
    "region": ("west", "north", "east"),
    "role": ("manager", "non_manager"),
    "tenure": ("lt5", "5to10", "gt10"),
    "business_type": ("importer_exporter", "broker", "other"),
}
GROUP_WORDS = {
    "official": {
        "label": {"en": "Officials", "uk": "Посадові особи"},
        "members": {"en": "officials", "uk": "посадових осіб"},
    },
    "private": {
        "label": {"en": "Private sector", "uk": "Приватний сектор"},
        "members": {"en": "private-sector respondents", "uk": "представників приватного сектору"},
    },
}
UK_NUMBERS = ("одна", "дві", "три", "чотири", "п'ять", "шість", "сім")


@dataclass(frozen=True)
class ScaleSpec:
    type: str  # ordinal or nominal
    size: int  # 2-7 substantive codes
    neutral: bool = False
    dont_know: bool = False
    refusal: bool = False
    favourable: int = 1  # how many codes (from the top) are favourable


@dataclass(frozen=True)
class ItemSpec:
    construct: str  # perception, mechanism (an exists/effective pair), experience or outcome
    scale: int
    factor: int | None = None
    instruments: tuple[str, ...] | None = None  # None: every group
    reverse: bool = False
    cycles: tuple[int, ...] | None = None  # None: every cycle


@dataclass(frozen=True)
class Questionnaire:
    groups: tuple[str, ...] = ("official", "private")  # the groups who answered
    instruments: tuple[str, ...] = ("official", "private")  # the codebook's groups
    staff: str | None = "official"  # the staff group, asked role and tenure
    group_section: bool = False  # a groups section naming the groups and the staff
    variables: frozenset[str] = frozenset(OPTIONAL_VARIABLES)
    region_column: bool = True
    id_column: bool = True
    scales: tuple[ScaleSpec, ...] = (ScaleSpec("ordinal", 5, True, True, True, 2),)
    items: tuple[ItemSpec, ...] = field(default_factory=tuple)
    n: int = 60
    seed: int = 0
    population: bool = True
    own_indicators: bool = False  # an indicators file of its own (else the shipped definitions)
    kpis: bool = False  # a KPI file: the shipped PMM KPIs plus some on the own indicators
    min_cell: int = 10
    drivers_min_n: float = 100.0


# -- the codebook --------------------------------------------------------------------------------
def _scale(name: str, s: ScaleSpec) -> dict:
    codes = {
        c: {"en": f"{name} answer {c}", "uk": f"{name} відповідь {UK_NUMBERS[c - 1]}"}
        for c in range(1, s.size + 1)
    }
    out: dict = {"type": s.type, "codes": codes}
    if s.neutral and s.size >= 3:
        out["neutral"] = (s.size + 1) // 2
    out["favourable"] = list(range(s.size - min(s.favourable, s.size) + 1, s.size + 1))
    if s.dont_know:
        out["dont_know"] = {"code": 8, "en": "Don't know", "uk": "Важко відповісти"}
    if s.refusal:
        out["refusal"] = {"code": 9, "en": "Prefer not to say", "uk": "Не бажаю відповідати"}
    return out


def _variable(name: str, en: str, uk: str, levels: dict | None = None, **kw) -> dict:
    out = {"type": "category" if levels else kw.pop("type"), "required": True, "en": en, "uk": uk}
    out |= kw
    if levels:
        out["levels"] = levels
    return out


def _levels(names, group=None) -> dict:
    out = {}
    for code, name in enumerate(names, start=1):
        level = {"code": code, "en": name.replace("_", " ").title(), "uk": f"Рівень {code}"}
        if group:
            level["group"] = group(name)
        out[name] = level
    return out


def respondent_types(q: Questionnaire) -> dict[str, str]:
    """Each respondent type and its group: the staff's is the group's name, the second group's
    are the private sector's (business, association, ...), any other group's its own name."""
    out = {}
    for i, g in enumerate(q.instruments):
        if g != q.staff and i == 1:
            out |= dict.fromkeys(PRIVATE_TYPES, g)
        else:
            out[g] = g
    return out


def variables(q: Questionnaire) -> dict:
    types = respondent_types(q)
    out = {
        "respondent_id": _variable("respondent_id", "Respondent", "Респондент", type="id"),
        "group": _variable("group", "Group", "Група", _levels(q.instruments)),
        "respondent_type": _variable(
            "respondent_type", "Type", "Тип", _levels(tuple(types), lambda n: types[n])
        ),
        "region": _variable("region", "Region", "Регіон", _levels(LEVELS["region"])),
        "mode": _variable("mode", "Mode", "Спосіб", _levels(("paper", "online"))),
    }
    out["region"]["required"] = q.region_column
    if "cycle" in q.variables:
        out["cycle"] = _variable("cycle", "Cycle", "Хвиля", type="year")
    if "role" in q.variables:
        out["role"] = _variable(
            "role", "Position", "Посада", _levels(LEVELS["role"]), applies_to=[q.staff]
        )
    if "tenure" in q.variables:
        out["tenure"] = _variable(
            "tenure",
            "Tenure",
            "Стаж",
            _levels(LEVELS["tenure"]),
            applies_to=[q.staff],
            ordered=True,
        )
    if "business_type" in q.variables:
        out["business_type"] = _variable(
            "business_type",
            "Business",
            "Бізнес",
            _levels(LEVELS["business_type"]),
            applies_to=["business"],
        )
    if "duration_s" in q.variables:
        out["duration_s"] = _variable(
            "duration_s", "Duration", "Тривалість", type="number", minimum=0
        )
        out["duration_s"]["required"] = False
    return out


def codebook(q: Questionnaire) -> dict:
    """The codebook of ``q`` as a YAML-ready mapping."""
    scales = {f"s{i}": _scale(f"s{i}", s) for i, s in enumerate(q.scales)}
    items = []
    for pos, spec in enumerate(q.items, start=1):
        scale = f"s{spec.scale % len(q.scales)}"
        ordinal = q.scales[spec.scale % len(q.scales)].type == "ordinal"
        base = {
            **({"cycles": list(spec.cycles)} if spec.cycles else {}),
            "instruments": list(spec.instruments or q.instruments),
            "scale": scale,
            "reverse": bool(spec.reverse and ordinal),
        }
        text = {"en": f"Statement number {pos}.", "uk": f"Твердження номер {pos}."}
        if spec.construct == "mechanism":
            exists, effective = f"q{pos:02d}a", f"q{pos:02d}b"
            factor = spec.factor or 1
            items.append(
                {
                    "id": exists,
                    "key": f"K_{exists.upper()}",
                    **base,
                    "factor": factor,
                    "construct": "mechanism_exists",
                    "twin": effective,
                    "text": text,
                }
            )
            items.append(
                {
                    "id": effective,
                    "key": f"K_{effective.upper()}",
                    **base,
                    "factor": factor,
                    "construct": "mechanism_effective",
                    "text": {k: v + " (in practice)" for k, v in text.items()},
                }
            )
            continue
        item = {
            "id": f"q{pos:02d}",
            "key": f"K_Q{pos:02d}",
            **base,
            "construct": spec.construct,
            "text": text,
        }
        if spec.construct == "perception":
            item["factor"] = spec.factor or 1
        items.append(item)
    if not items:  # a codebook lists at least one item
        items.append(
            {
                "id": "q01",
                "key": "K_Q01",
                "instruments": list(q.instruments),
                "scale": "s0",
                "construct": "experience",
                "text": {"en": "Statement number 1.", "uk": "Твердження номер 1."},
            }
        )
    shipped = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "cipslib" / "data" / "codebook.yaml").read_text(
            encoding="utf-8"
        )
    )
    instruments = {
        g: shipped["instruments"].get(g) or {"en": f"The {g} questionnaire", "uk": f"Анкета {g}"}
        for g in q.instruments
    }
    out = {
        "schema_version": 1,
        "title": {"en": "Any questionnaire", "uk": "Будь-яка анкета"},
        "instruments": instruments,
        "scales": scales,
        "factors": shipped["factors"],
        "respondent_variables": variables(q),
        "identifiers": {"names": ["email"], "patterns": []},
        "items": items,
    }
    if q.group_section:
        out["groups"] = {
            g: {
                **GROUP_WORDS.get(
                    g,
                    {
                        "label": {"en": g.title(), "uk": f"Група {g}"},
                        "members": {"en": f"{g} respondents", "uk": f"респондентів групи {g}"},
                    },
                ),
                **({"staff": True} if g == q.staff else {}),
            }
            for g in q.instruments
        }
        out = {k: out[k] for k in ("schema_version", "title", "instruments", "groups")} | out
    return out


# -- the export ------------------------------------------------------------------------------------
def export_rows(q: Questionnaire, cb: dict, cycle: int) -> list[dict]:
    """One dict per respondent: respondent variables by level name, answers as codes."""
    rng = np.random.default_rng(q.seed + cycle)
    scales = cb["scales"]
    rows = []
    for group in q.groups:
        for i in range(q.n):
            row: dict = {}
            if q.id_column:
                row["respondent_id"] = f"{group[0]}{cycle}-{i}"
            row["group"] = group
            own = [t for t, g in respondent_types(q).items() if g == group]
            rtype = own[i % len(own)]
            row["respondent_type"] = rtype
            if q.region_column:
                row["region"] = LEVELS["region"][i % 3]
            if "cycle" in q.variables:
                row["cycle"] = cycle
            if group == q.staff:
                if "role" in q.variables:
                    row["role"] = LEVELS["role"][i % 2]
                if "tenure" in q.variables:
                    row["tenure"] = LEVELS["tenure"][(i // 2) % 3]
            if rtype == "business" and "business_type" in q.variables:
                row["business_type"] = LEVELS["business_type"][(i // 4) % 3]
            if "duration_s" in q.variables:
                row["duration_s"] = int(rng.integers(400, 900))
            lean = rng.normal()
            for item in cb["items"]:
                if group not in item["instruments"] or cycle not in item.get("cycles", [cycle]):
                    continue
                scale = scales[item["scale"]]
                size = len(scale["codes"])
                u = rng.random()
                if u < 0.04:
                    continue  # no answer
                if u < 0.08 and "dont_know" in scale:
                    row[item["id"]] = 8
                    continue
                if u < 0.1 and "refusal" in scale:
                    row[item["id"]] = 9
                    continue
                pos = int(
                    np.clip(
                        np.round((size - 1) * (0.5 + 0.25 * lean + 0.3 * rng.normal())), 0, size - 1
                    )
                )
                row[item["id"]] = pos + 1
            rows.append(row)
    return rows


def write_csv(rows: list[dict], path: Path) -> Path:
    columns = list(dict.fromkeys(c for r in rows for c in r))
    lines = [",".join(columns)]
    lines += [",".join("" if r.get(c) is None else str(r[c]) for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def population(q: Questionnaire, group: str, rows: list[dict]) -> dict | None:
    """Population figures of a group on the category variables every member has (ten times the
    sample's counts), or None when there is none."""
    members = [r for r in rows if r["group"] == group]
    candidates = ["region"] if q.region_column else []
    candidates += ["role", "tenure"] if group == q.staff else ["respondent_type"]
    margins = {}
    for var in candidates:
        values = [r.get(var) for r in members]
        if values and all(v is not None for v in values):
            margins[var] = {v: 10 * values.count(v) for v in dict.fromkeys(values)}
    if not margins:
        return None
    return {"group": group, "total": 10 * len(members), "illustrative": True, "margins": margins}


def indicators(cb: dict) -> dict:
    """One indicator per experience or outcome item: its favourable answers."""
    out = {}
    for item in cb["items"]:
        if item["construct"] in ("experience", "outcome"):
            scale = cb["scales"][item["scale"]]
            out[f"ind_{item['id']}"] = {
                "item": item["key"],
                "groups": item["instruments"],
                "codes": scale["favourable"],
                "headline": True,
                "text": {
                    "en": f"answer {item['id']} favourably",
                    "uk": f"відповідають на {item['id']} схвально",
                },
            }
    return {"schema_version": 1, "indicators": out}


def kpis(own: dict | None) -> dict:
    """A factor index KPI per factor, and one per own indicator or else the shipped PMM KPIs but
    the gap one (on the shipped indicators and factors 1 and 6)."""
    shipped = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "params" / "pmm_kpis.yaml").read_text(
            encoding="utf-8"
        )
    )["kpis"]
    out = {
        k: v
        for k, v in shipped.items()
        if own is None and not v["formula"]["measure"].startswith("gap.")
    }
    base = next(iter(shipped.values()))
    for k in range(1, 11):
        out[f"F-{k}"] = base | {"formula": {"measure": f"factor_index.{k}", "group": "official"}}
    for name, ind in (own or {}).get("indicators", {}).items():
        formula = {"measure": f"indicator.{name}", "group": ind["groups"][0]}
        out[f"I-{name}"] = base | {"formula": formula}
    return {"schema_version": 1, "kpis": out}


def write_cycle(
    q: Questionnaire, folder: Path, cycle: int = 2025, previous: bool = False, **settings
) -> Path:
    """Codebook, export(s), population figures and params of ``q`` in ``folder``; returns the params
    file. ``previous``: also a cycle before, for trends. ``settings`` go into the params file."""
    folder.mkdir(parents=True, exist_ok=True)
    cb = codebook(q)
    (folder / "codebook.yaml").write_text(
        yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    extra: dict = {"min_cell": q.min_cell, "drivers": {"min_n_effective": q.drivers_min_n}}
    own = indicators(cb) if q.own_indicators and indicators(cb)["indicators"] else None
    if own is not None:
        (folder / "indicators.yaml").write_text(
            yaml.safe_dump(own, allow_unicode=True), encoding="utf-8"
        )
        extra["indicators"] = "indicators.yaml"
    if q.kpis:
        (folder / "kpis.yaml").write_text(
            yaml.safe_dump(kpis(own), allow_unicode=True), encoding="utf-8"
        )
        extra["kpis"] = "kpis.yaml"
    params_path = None
    for year in ([cycle - 1] if previous else []) + [cycle]:
        rows = export_rows(q, cb, year)
        write_csv(rows, folder / f"export_{year}.csv")
        pops = {}
        if q.population:
            for group in q.groups:
                pop = population(q, group, rows)
                if pop is not None:
                    name = f"population_{group}_{year}.yaml"
                    (folder / name).write_text(yaml.safe_dump(pop), encoding="utf-8")
                    pops[group] = name
        params = {
            "cycle": year,
            "title": f"Any questionnaire {year}",
            "data": f"export_{year}.csv",
            "codebook": "codebook.yaml",
            "population": pops,
            "fieldwork": {"start": f"{year}-09-01", "end": f"{year}-09-30", "mode": "online"},
            "output": "reports",
            "kpis": None,
        }
        if year != cycle - 1 and previous:
            params["previous"] = f"{cycle - 1}.yaml"
        params |= extra | settings
        params_path = folder / f"{year}.yaml"
        params_path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return params_path


# -- hypothesis ----------------------------------------------------------------------------------
@st.composite
def scale_specs(draw) -> ScaleSpec:
    size = draw(st.integers(2, 7))
    return ScaleSpec(
        draw(st.sampled_from(["ordinal", "nominal"])),
        size,
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.integers(1, size)),
    )


@st.composite
def item_specs(draw, n_scales: int) -> ItemSpec:
    construct = draw(
        st.sampled_from(["perception", "perception", "mechanism", "experience", "outcome"])
    )
    return ItemSpec(
        construct,
        draw(st.integers(0, n_scales - 1)),
        draw(st.integers(1, 10)),
        draw(st.sampled_from([("official",), ("private",), ("official", "private")])),
        draw(st.booleans()),
    )


@st.composite
def questionnaires(draw) -> Questionnaire:
    scales = draw(st.lists(scale_specs(), min_size=1, max_size=3))
    return Questionnaire(
        groups=draw(st.sampled_from([("official",), ("private",), ("official", "private")])),
        variables=frozenset(draw(st.sets(st.sampled_from(OPTIONAL_VARIABLES)))),
        region_column=draw(st.booleans()),
        id_column=draw(st.booleans()),
        scales=tuple(scales),
        items=tuple(draw(st.lists(item_specs(len(scales)), min_size=0, max_size=14))),
        n=draw(st.integers(8, 60)),
        seed=draw(st.integers(0, 2**16)),
        population=draw(st.booleans()),
        own_indicators=draw(st.booleans()),
        kpis=draw(st.booleans()),
        min_cell=draw(st.sampled_from([3, 10])),
        drivers_min_n=draw(st.sampled_from([5.0, 100.0])),
    )
