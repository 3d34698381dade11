"""Demo exchange packages: a seeded stand-in for the A-CIP programme's pooled data.

Under the WCO's A-CIP programme 25 administrations ran CIPS in 2020-21 and 17 of them ran it again
in 2023: over 11,000 officials and 8,500 private-sector respondents over the two iterations, nearly
a million data points, and "the combined, anonymised data shows improvement in all ten key
factors". The microdata are not public; :func:`write_demo_packages` writes packages that match
those published facts, one per administration and iteration, exactly as ``cips share`` writes
them (a :class:`~cipslib.exchange.package.Share` through
:func:`~cipslib.exchange.package.write_package`):

* **who**: administrations ``A01``-``A25``; ``A01``-``A10`` first ran it in 2020 (together 3,019
  officials and 2,793 private-sector respondents, the published figures of that round),
  ``A11``-``A25`` in 2021; ``A01``-``A17`` again in 2023. Over all 42 packages 11,214 officials
  and 8,537 private-sector respondents (:data:`TOTALS`); sizes vary (lognormal), and a few
  administrations have only 30-60 respondents in a group.
* **answers**: the answer model of the national demo data (:mod:`cipslib.inputs.synthetic`: its
  latent-trait perception items cut at its thresholds, reverse-worded items mirrored, its
  don't-know rates, its overall rating driven by the factors with its weights, its experience
  items drawn through its Gaussian copula from its answer distributions) over the shipped
  codebook's core items, plus what differs between administrations: a general level, a level per
  group and per factor, and from the first iteration to the second a change per factor that
  improves the pooled data on all ten factors while a few administrations get worse on some.
  The breach items (a bribe may help, the share of corrupt officials) follow Transparency, Audit
  and Investigation and Human Resource Management, as Netherlands Customs found in the pooled data.
* **weights**: officials raked to their administration's synthetic staff figures by role and
  tenure band, private-sector respondents post-stratified to the trade frame by business type
  (:meth:`~cipslib.survey.SurveyDesign.rake`, :meth:`~cipslib.survey.SurveyDesign.poststratify`);
  samples over-represent managers and brokers, so the weights matter.
* **gender**: about half of the administrations let the ``gender`` respondent variable travel
  (``female``/``male``), with women less positive on Transparency, Human Resource Management and
  Morale; a package whose smallest gender cell within a group is under ``min_cell`` leaves the
  variable out and says so in its README, as ``cips share`` does.

The same seed gives the same bytes. ``python -m cipslib.benchmark.demo --out DIR`` writes them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..exchange.package import (
    TABLE,
    Share,
    _codebook_version,
    _in_content_order,
    core_version,
    write_package,
)
from ..inputs.codebook import Codebook, load_codebook
from ..inputs.synthetic import (
    BUSINESS_SHIFT,
    CONSTRUCT_SHIFT,
    EXPERIENCE,
    FACTOR_SHIFT,
    INVESTIGATION,
    INVOLVED,
    OTHER,
    OUTCOME_WEIGHTS,
    ROLE_SHIFT,
    STAFF,
    TENURE_SHIFT,
    THRESHOLDS,
    _allocate,
    _copula,
    _experience_params,
    _item_offset,
    demo_groups,
)
from ..survey.design import SurveyDesign

SEED = 20230601
INSTRUMENTS = (STAFF, OTHER)
TOTALS = {STAFF: 11_214, OTHER: 8_537}
"""Respondents over all iterations (published: over 11,000 officials and 8,500 private)."""
FIRST_ROUND = {STAFF: 3_019, OTHER: 2_793}
"""The ten administrations of early 2020 (published)."""
N_ADMINISTRATIONS, N_TWICE, N_2020 = 25, 17, 10
SECOND_CYCLE = 2023
SMALL = ("A07", "A19", "A22", "A24")
"""Administrations with a small private-sector (A07, A19) or staff sample (A22, A24)."""
MIN_GROUP = 30
MIN_CELL = 10
GENDER_GAP = {3: -0.15, 8: -0.30, 9: -0.20}
"""Women minus men on the latent scale, by factor (0 elsewhere)."""
BREACH_FACTORS = (3, 6, 8)
BREACH_ITEMS = ("bribe_helps", "corruption_level")
ROLES = ("manager", "non_manager")
TENURES = ("lt5", "5to10", "gt10")
BUSINESS = {"importer_exporter": 0.55, "broker": 0.20, "carrier": 0.18, "other": 0.07}


@dataclass(frozen=True)
class Administration:
    """What sets one demo administration apart (latent units of the answer model)."""

    code: str
    cycles: tuple[int, ...]
    level: float
    group_level: dict[str, float]
    factor_level: tuple[float, ...]
    change: tuple[float, ...]
    female: dict[str, float] | None
    staff: int
    manager_share: float
    tenure: dict[str, float]
    frame: int
    seed: int


@dataclass(frozen=True)
class Plan:
    """The demo's administrations and the respondents of each package by instrument."""

    administrations: tuple[Administration, ...]
    sizes: dict[tuple[str, int], dict[str, int]]


def demo_plan(seed: int = SEED) -> Plan:
    """The administrations, their iterations and package sizes of the demo (no answers yet).

    Examples
    --------
    >>> plan = demo_plan()
    >>> len(plan.administrations), len(plan.sizes)
    (25, 42)
    >>> sum(s["staff"] for s in plan.sizes.values())
    11214
    """
    rng = np.random.default_rng(seed)
    codes = [f"A{i:02d}" for i in range(1, N_ADMINISTRATIONS + 1)]
    cycles = {
        c: ((2020,) if i < N_2020 else (2021,)) + ((SECOND_CYCLE,) if i < N_TWICE else ())
        for i, c in enumerate(codes)
    }
    sizes = _sizes(cycles, dict(zip(codes, rng.lognormal(0.0, 0.7, len(codes)), strict=True)), rng)
    gender = set(rng.choice(codes, size=len(codes) // 2 + 1, replace=False).tolist())
    change = rng.normal(0.0, 0.12, (len(codes), 10)) + rng.normal(0.3, 0.12, (len(codes), 1))
    # the published direction: the mean change of the administrations with two iterations is at
    # least +0.1 on every factor; each administration keeps its own pattern
    twice = np.array([len(cycles[c]) == 2 for c in codes])
    change += np.maximum(0.1 - change[twice].mean(axis=0), 0.0)
    return Plan(
        tuple(
            _administration(c, cycles[c], c in gender, change[i], sizes, rng)
            for i, c in enumerate(codes)
        ),
        sizes,
    )


def _sizes(cycles, size, rng) -> dict[tuple[str, int], dict[str, int]]:
    """Respondents per package and instrument: each block's published total (the 2020 round, the
    rest) shared out in proportion to the administration's size (a second iteration somewhat
    larger), at least ``MIN_GROUP``; the groups named in ``SMALL`` get 30-60."""
    packages = [(c, y) for c, ys in cycles.items() for y in ys]
    growth = {p: (rng.lognormal(0.2, 0.3) if p[1] == SECOND_CYCLE else 1.0) for p in packages}
    out: dict[tuple[str, int], dict[str, int]] = {p: {} for p in packages}
    for g in INSTRUMENTS:
        mix = {p: size[p[0]] * growth[p] * rng.lognormal(0.0, 0.25) for p in packages}
        first = [p for p in packages if p[1] == 2020]
        for members, total in (
            (first, FIRST_ROUND[g]),
            ([p for p in packages if p not in first], TOTALS[g] - FIRST_ROUND[g]),
        ):
            extra = total - MIN_GROUP * len(members)
            mean = extra / len(members)
            for p in members:
                if (p[0] in SMALL[:2] and g == OTHER) or (p[0] in SMALL[2:] and g == STAFF):
                    mix[p] = rng.uniform(0.0, 30.0) / mean * np.mean([mix[q] for q in members])
            counts = Counter(_allocate(extra, {p: mix[p] for p in members}))
            for p in members:
                out[p][g] = MIN_GROUP + counts.get(p, 0)
    return out


def _administration(code, cycles, gender, change, sizes, rng) -> Administration:
    n_off = max(sizes[(code, y)][STAFF] for y in cycles)
    n_priv = max(sizes[(code, y)][OTHER] for y in cycles)
    return Administration(
        code=code,
        cycles=cycles,
        level=float(rng.normal(0.0, 0.35)),
        group_level={g: float(rng.normal(0.0, 0.15)) for g in INSTRUMENTS},
        factor_level=tuple(float(v) for v in rng.normal(0.0, 0.2, 10)),
        change=tuple(float(v) for v in change),
        female=(
            {STAFF: float(rng.uniform(0.25, 0.45)), OTHER: float(rng.uniform(0.2, 0.35))}
            if gender
            else None
        ),
        staff=int(n_off / rng.uniform(0.05, 0.35)),
        manager_share=float(rng.uniform(0.10, 0.25)),
        tenure=dict(zip(TENURES, rng.dirichlet([25.0, 30.0, 45.0]).tolist(), strict=True)),
        frame=int(n_priv / rng.uniform(0.02, 0.15)),
        seed=int(rng.integers(0, 2**31)),
    )


# -- respondents and answers ----------------------------------------------------------------------
def _people(admin: Administration, n: dict[str, int], rng) -> pd.DataFrame:
    """The respondents of one package: officials by role and tenure (managers over-represented),
    private-sector respondents by business type (brokers over-represented), gender if carried."""
    n_off, n_priv = n[STAFF], n[OTHER]
    sampled = min(0.6, admin.manager_share * rng.uniform(1.5, 3.0))
    roles = _allocate(n_off, {"manager": sampled, "non_manager": 1 - sampled})
    tenure = _allocate(n_off, dict(zip(TENURES, rng.dirichlet([20.0, 30.0, 50.0]), strict=True)))
    sample = dict(zip(BUSINESS, rng.dirichlet([40 * v for v in BUSINESS.values()]), strict=True))
    sample["broker"] *= 1.8
    business = _allocate(n_priv, sample)
    people = pd.DataFrame(
        {
            "instrument": [STAFF] * n_off + [OTHER] * n_priv,
            "role": roles + [None] * n_priv,
            "tenure": list(np.array(tenure, dtype=object)[rng.permutation(n_off)])
            + [None] * n_priv,
            "business_type": [None] * n_off + business,
        }
    )
    people["gender"] = None
    if admin.female is not None:
        for g, count in n.items():
            share = admin.female[g]
            labels = np.array(_allocate(count, {"female": share, "male": 1 - share}), dtype=object)
            people.loc[people["instrument"] == g, "gender"] = labels[rng.permutation(count)]
    return people


def _shifts(admin: Administration, people: pd.DataFrame, second: bool):
    """The general shift of each respondent and the shift of each factor (10 columns)."""
    groups = people["instrument"].to_numpy()
    general = admin.level + np.array([admin.group_level[g] for g in groups])
    general = general + people["role"].map(ROLE_SHIFT).fillna(0).to_numpy(dtype=float)
    general = general + people["tenure"].map(TENURE_SHIFT).fillna(0).to_numpy(dtype=float)
    general = general + people["business_type"].map(BUSINESS_SHIFT).fillna(0).to_numpy(dtype=float)
    female = (people["gender"] == "female").to_numpy()
    factor = np.empty((len(people), 10))
    for f in range(1, 11):
        base = np.where(groups == STAFF, FACTOR_SHIFT[STAFF][f], FACTOR_SHIFT[OTHER][f])
        own = admin.factor_level[f - 1] + (admin.change[f - 1] if second else 0.0)
        factor[:, f - 1] = base + own + GENDER_GAP.get(f, 0.0) * female
    return general, factor


def _answers(admin, people, second: bool, items: list[dict], rng) -> dict[str, np.ndarray]:
    """Answer codes of the core items by key (don't know and refusal missing, as in a package)."""
    n = len(people)
    groups = people["instrument"].to_numpy()
    off = groups == STAFF
    theta = rng.standard_normal(n)
    phi = 0.5 * rng.standard_normal((n, 10))
    general, factor = _shifts(admin, people, second)
    out: dict[str, np.ndarray] = {}
    for item in (i for i in items if i["factor"] is not None):
        f = item["factor"] - 1
        latent = (
            theta
            + phi[:, f]
            + factor[:, f]
            + general
            + CONSTRUCT_SHIFT[item["construct"]]
            + item["offset"]
            + rng.standard_normal(n)
        )
        code = (np.searchsorted(THRESHOLDS, latent) + 1).astype(float)
        code = 6 - code if item["reverse"] else code
        p_dk = np.where(
            off,
            0.025,
            0.04
            + 0.10 * (f + 1 in (6, 8, 9))
            + 0.03 * (item["construct"] == "mechanism_effective"),
        )
        code[rng.random(n) < p_dk] = np.nan
        code[~np.isin(groups, item["instruments"])] = np.nan
        out[item["key"]] = code
    weights = np.array([OUTCOME_WEIGHTS[f] for f in range(1, 11)])
    mix = (phi + factor) @ weights / weights.sum()
    for item in (i for i in items if i["construct"] == "outcome"):
        latent = theta + general + 3.0 * mix + rng.normal(0, 0.8, n)
        code = (np.searchsorted(THRESHOLDS, latent) + 1).astype(float)
        code[rng.random(n) < 0.03] = np.nan
        out[item["key"]] = code
    breach = _breach_score(theta, phi, factor, general, off)
    out.update(_experience(admin, people, second, items, theta, breach, rng))
    return out


def _breach_score(theta, phi, factor, general, off) -> np.ndarray:
    """A respondent's standing on the breach items (higher: fewer breaches seen): general
    disposition, the administration's level and the views of Transparency, Audit and
    Investigation and HRM (the respondent's own and the administration's, as it changes)."""
    cols = [f - 1 for f in BREACH_FACTORS]
    base = np.array([[FACTOR_SHIFT[g][f] for f in BREACH_FACTORS] for g in INSTRUMENTS])
    own = factor[:, cols] - np.where(off[:, None], base[0], base[1])
    views = 0.8 * (phi[:, cols] / 0.5).mean(axis=1) + own.mean(axis=1)
    return 0.6 * theta + views + 0.3 * general


def _experience(admin, people, second, items, theta, breach, rng) -> dict[str, np.ndarray]:
    """Experience items from the national demo's answer distributions (its first cycle's for a
    first iteration, its second's for a second), through its copula, shifted by the
    administration's level and change."""
    n = len(people)
    groups = people["instrument"].to_numpy()
    roles = people["role"].to_numpy()
    cycle = 2025 if second else 2024
    shift = admin.level + (float(np.mean(admin.change)) if second else 0.0)
    out = {}
    for item in (i for i in items if i["construct"] == "experience"):
        iid = item["id"]
        if iid not in EXPERIENCE:
            continue
        code = np.full(n, np.nan)
        score, rho = (breach, 0.75) if iid in BREACH_ITEMS else (theta + shift, 0.45)
        for g in INSTRUMENTS:
            if g not in item["instruments"]:
                continue
            for role in [None] if g == OTHER else list(ROLES):
                mask = (groups == g) & ((roles == role) if role else True)
                params = _experience_params(iid, cycle, g, role)
                if params is None or not mask.any():
                    continue
                codes, probs, p_dk, p_ref = params
                drawn = _copula(score[mask], rng, codes, probs, rho=rho).astype(float)
                drawn[rng.random(int(mask.sum())) < p_dk + p_ref] = np.nan
                code[mask] = drawn
        out[item["key"]] = code
    p_inv = people["role"].map(INVOLVED).fillna(INVOLVED[OTHER]).to_numpy(dtype=float)
    involved = np.where(rng.random(n) < p_inv, 1.0, 2.0)
    experience = np.full(n, np.nan)
    codes, probs = INVESTIGATION[2025]
    experience[involved == 1] = _copula(theta[involved == 1] + shift, rng, codes, probs)
    keys = {i["id"]: i["key"] for i in items}
    out[keys["investigation_involved"]] = involved
    out[keys["investigation_experience"]] = experience
    return out


def _core_items(cb: Codebook) -> list[dict]:
    """The shipped codebook's core items, one per key (the last wording of a key), in the
    codebook's order, with the answer model's fixed offset of each."""
    items = cb.items[cb.items["parent"].isna()].drop_duplicates("key", keep="last").sort_index()
    part = {group: role for role, group in demo_groups(cb).items()}  # the model's names
    return [
        {
            "id": r["id"],
            "key": r["key"],
            "factor": None if pd.isna(r["factor"]) else int(r["factor"]),
            "construct": r["construct"],
            "reverse": bool(r["reverse"]),
            "instruments": tuple(part[g] for g in r["instruments"] if g in part),
            "offset": _item_offset(r["key"]),
        }
        for r in items.to_dict("records")
    ]


# -- weights and packages -------------------------------------------------------------------------
def _weights(admin: Administration, people: pd.DataFrame) -> np.ndarray:
    """Officials raked to the staff figures (role, tenure band), private-sector respondents
    post-stratified to the trade frame (business type)."""
    w = np.empty(len(people))
    off = (people["instrument"] == STAFF).to_numpy()
    staff = admin.staff
    roles = Counter(
        _allocate(staff, {"manager": admin.manager_share, "non_manager": 1 - admin.manager_share})
    )
    tenure = Counter(_allocate(staff, admin.tenure))
    design = SurveyDesign(people.loc[off, ["role", "tenure"]].reset_index(drop=True))
    w[off] = design.rake({"role": dict(roles), "tenure": dict(tenure)}).weights.to_numpy()
    frame = Counter(_allocate(admin.frame, BUSINESS))
    design = SurveyDesign(people.loc[~off, ["business_type"]].reset_index(drop=True))
    w[~off] = design.poststratify("business_type", dict(frame)).weights.to_numpy()
    return w


def demo_share(
    admin: Administration, cycle: int, n: dict[str, int], cb: Codebook, items: list[dict]
) -> Share:
    """The exchange table of one demo package, as :func:`~cipslib.exchange.package.share_table`
    builds it from a cycle (columns, types, row order, metadata); ``items`` are the codebook's
    core items (:func:`_core_items`)."""
    rng = np.random.default_rng([admin.seed, cycle])
    people = _people(admin, n, rng)
    answers = _answers(admin, people, cycle == SECOND_CYCLE, items, rng)
    columns = {
        "administration": admin.code,
        "cycle": int(cycle),
        "instrument": people["instrument"].map(demo_groups(cb)).to_numpy(dtype=object),
        "stratum": people["instrument"].map(demo_groups(cb)).to_numpy(dtype=object),
        "weight": _weights(admin, people),
    }
    dropped = []
    if admin.female is not None:
        cells = people.groupby(["instrument", "gender"]).size()
        if cells.min() >= MIN_CELL and len(cells) == 2 * len(INSTRUMENTS):
            columns["gender"] = people["gender"].to_numpy(dtype=object)
        else:  # cips share merges the two levels into one, then leaves the variable out
            dropped.append("gender")
    for item in items:
        columns[item["key"]] = pd.array(answers[item["key"]], dtype="Float64")
    table = pd.DataFrame(columns)
    share = Share(table, dropped=dropped)
    share.table = _in_content_order(table)
    share.meta = {
        "administration": admin.code,
        "cycle": int(cycle),
        "min_cell": MIN_CELL,
        "codebook": _codebook_version(cb),
        "core": core_version(cb),
        "left_out": [],
        "instruments": sorted(set(share.table["instrument"])),
        "respondents": int(len(share.table)),
    }
    return share


def write_demo_packages(
    out_dir: str | Path, seed: int = SEED, administrations: Sequence[str] | None = None
) -> list[Path]:
    """Write the demo packages (see the module) into ``out_dir``, one folder per administration
    and iteration (``A01-2020``, ...), and return their ``datapackage.json`` paths.
    ``administrations`` writes only those (all by default); a package is the same whichever
    others are written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_demo_packages(folder, administrations=["A03"])
    ...     [p.parent.name for p in paths], len(pd.read_parquet(paths[0].parent / TABLE))
    (['A03-2020', 'A03-2023'], 121)
    """
    cb = load_codebook()
    items = _core_items(cb)
    plan = demo_plan(seed)
    out = Path(out_dir)
    paths = []
    for admin in plan.administrations:
        if administrations is not None and admin.code not in administrations:
            continue
        for cycle in admin.cycles:
            share = demo_share(admin, cycle, plan.sizes[(admin.code, cycle)], cb, items)
            paths.append(write_package(share, out / f"{admin.code}-{cycle}"))
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m cipslib.benchmark.demo --out DIR [--seed N]``: write the demo packages and say
    what they hold."""
    parser = argparse.ArgumentParser(prog="python -m cipslib.benchmark.demo", description=__doc__)
    parser.add_argument("--out", required=True, help="folder to write the packages into")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        paths = write_demo_packages(args.out, seed=args.seed)
    except OSError as exc:
        print(f"cannot write the demo packages into {args.out}: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    tables = [pd.read_parquet(p.parent / TABLE) for p in paths]
    pooled = pd.concat(tables, ignore_index=True)
    counts = pooled["instrument"].value_counts()
    keys = [i["key"] for i in _core_items(load_codebook())]
    answers = int(pooled[keys].notna().to_numpy().sum())
    print(
        f"{len(paths)} packages of {pooled['administration'].nunique()} administrations in "
        f"{args.out} ({seconds:.1f} s): "
        + ", ".join(f"{counts.get(g, 0):,} {g}" for g in demo_groups(load_codebook()).values())
        + f", {answers:,} answers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
