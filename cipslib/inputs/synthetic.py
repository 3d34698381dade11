"""Seeded, deterministic synthetic CIPS cycles (the demo data).

The Ukrainian CIPS microdata are not public, so cipslib ships synthetic cycles built to reproduce
the published facts of CIPS I (2024) and CIPS II (2025) of the State Customs Service of Ukraine:

* sample sizes and composition: 2024, 448 officials (85% managers) and 477 businesses on paper;
  2025, 4,199 officials (23% managers) and 1,046 private-sector respondents (businesses,
  associations, civil society, citizens) online;
* published shares: 89% of private respondents would refuse or ignore a bribe request (2024), over
  20% do not feel safe reporting corruption, 100% positive investigation experience (2024), two
  thirds never break Customs rules and one third cite complexity, 65% say complex rules hurt
  business and 47% that a bribe can help (2024), about 20% of staff under organised-crime pressure
  in 2025 (14% psychological, 6% physical);
* structure: managers and staff with over five years' service are more positive; "mechanism exists"
  is rated above "mechanism is effective"; the private sector improves from 2024 to 2025 while
  officials' attitudes within each role are nearly stable, so most of the raw decline among
  officials comes from the change of who answered.

Perception items follow a latent-trait model: for respondent *i* and item *j* of factor *f*,
``y* = theta_i + phi_if + mu(group, f) + shifts(role, tenure, region, type, cycle) + construct + b_j
+ e_ij`` with ``theta``, ``phi``, ``e`` standard normal (``phi`` sd 0.5), cut into five
agree/disagree categories; reverse-coded items are mirrored. Experience items are drawn from their
target distributions through a Gaussian copula on ``theta`` so that they correlate with attitudes.
Real-world dirt is added: duplicate submissions, speeders (online), straight-liners, partial
completes, and the identifier columns a real export carries (free-text comments; e-mail, IP address
and submission time online).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CipsError
from ..files import atomic_write
from .codebook import Codebook, load_codebook
from .demo import DEMO_CYCLES, DEMO_FILES

STAFF, OTHER = "staff", "other"
"""The parts a respondent group plays in the demo, which key its calibration below: the
administration's own staff (the codebook's staff group) and the other group (the codebook's other
questionnaire: the private sector)."""

THRESHOLDS = np.array([-1.55, -0.65, 0.15, 1.30])  # cut points of the latent scale into codes 1..5

REGIONS_OTHER = {"west": 0.30, "north": 0.16, "centre": 0.20, "south": 0.19, "east": 0.15}
REGION_SHIFT = {
    "central_office": 0.10,
    "west": 0.0,
    "north": 0.05,
    "centre": 0.05,
    "south": -0.10,
    "east": -0.15,
}
TENURE_SHIFT = {"lt5": -0.35, "5to10": -0.12, "gt10": 0.0}
ROLE_SHIFT = {"manager": 0.60, "non_manager": 0.0}
TYPE_SHIFT = {"business": 0.0, "association": 0.10, "civil_society": -0.30, "citizen": -0.20}
BUSINESS_SHIFT = {"importer_exporter": 0.0, "broker": 0.15, "carrier": -0.10, "other": 0.0}
FACTOR_SHIFT = {
    STAFF: {
        1: 0.45,
        2: -0.20,
        3: 0.0,
        4: 0.20,
        5: 0.40,
        6: -0.10,
        7: 0.15,
        8: -0.35,
        9: -0.05,
        10: 0.0,
    },
    OTHER: {
        1: 0.40,
        2: -0.45,
        3: -0.05,
        4: 0.20,
        5: 0.45,
        6: -0.15,
        7: 0.10,
        8: -0.15,
        9: -0.20,
        10: -0.05,
    },
}
CONSTRUCT_SHIFT = {"perception": 0.0, "mechanism_exists": 0.55, "mechanism_effective": -0.35}


@dataclass(frozen=True)
class CycleSpec:
    """Design of one synthetic cycle."""

    cycle: int
    seed: int
    mode: str
    n_staff: int
    manager_share: float
    tenure_by_role: dict[str, dict[str, float]]
    regions_staff: dict[str, float]
    other_types: dict[str, int]
    business_types: dict[str, float]
    staff_shift: float
    other_shift: float
    fieldwork: tuple[str, str]
    duplicates: int
    straightliners: int
    partials: int
    speeders: int


SPECS = {
    2024: CycleSpec(
        cycle=2024,
        seed=20240902,
        mode="paper",
        n_staff=448,
        manager_share=0.85,
        tenure_by_role={
            "manager": {"lt5": 0.05, "5to10": 0.25, "gt10": 0.70},
            "non_manager": {"lt5": 0.35, "5to10": 0.30, "gt10": 0.35},
        },
        regions_staff={
            "central_office": 0.10,
            "west": 0.20,
            "north": 0.17,
            "centre": 0.17,
            "south": 0.18,
            "east": 0.18,
        },
        other_types={"business": 477},
        business_types={"importer_exporter": 0.55, "broker": 0.20, "carrier": 0.18, "other": 0.07},
        staff_shift=0.0,
        other_shift=0.20,
        fieldwork=("2024-09-02", "2024-09-27"),
        duplicates=3,
        straightliners=6,
        partials=8,
        speeders=0,
    ),
    2025: CycleSpec(
        cycle=2025,
        seed=20250915,
        mode="online",
        n_staff=4199,
        manager_share=0.23,
        tenure_by_role={
            "manager": {"lt5": 0.08, "5to10": 0.27, "gt10": 0.65},
            "non_manager": {"lt5": 0.42, "5to10": 0.28, "gt10": 0.30},
        },
        regions_staff={
            "central_office": 0.07,
            "west": 0.26,
            "north": 0.17,
            "centre": 0.15,
            "south": 0.18,
            "east": 0.17,
        },
        other_types={"business": 840, "association": 58, "civil_society": 44, "citizen": 104},
        business_types={"importer_exporter": 0.50, "broker": 0.18, "carrier": 0.22, "other": 0.10},
        staff_shift=-0.03,
        other_shift=0.65,
        fieldwork=("2025-09-15", "2025-09-30"),
        duplicates=12,
        straightliners=35,
        partials=90,
        speeders=40,
    ),
}

# Experience items: probabilities of the answer codes listed from least to most favourable, among
# valid answers, plus the don't-know and refusal rates. Keys: (cycle, part) for the other group,
# (cycle or "*", role) for the staff, (cycle, "*") for both.
EXPERIENCE = {
    "bribe_response": {
        (2024, OTHER): ([4, 2, 1, 3], [0.05, 0.35, 0.55, 0.05], 0, 0.03),
        (2025, OTHER): ([4, 2, 1, 3], [0.04, 0.31, 0.57, 0.08], 0, 0.03),
    },
    "bribe_offer_response": {
        ("*", "manager"): ([4, 2, 1, 3], [0.01, 0.10, 0.59, 0.30], 0, 0.04),
        ("*", "non_manager"): ([4, 2, 1, 3], [0.02, 0.18, 0.60, 0.20], 0, 0.04),
    },
    "safe_reporting": {
        (2024, OTHER): ([2, 1], [0.24, 0.76], 0.06, 0.01),
        (2025, OTHER): ([2, 1], [0.19, 0.81], 0.06, 0.01),
        ("*", "manager"): ([2, 1], [0.20, 0.80], 0.04, 0.01),
        ("*", "non_manager"): ([2, 1], [0.33, 0.67], 0.04, 0.01),
    },
    "rule_compliance": {
        (2024, OTHER): ([3, 2, 1], [0.02, 0.32, 0.66], 0, 0.03),
        (2025, OTHER): ([3, 2, 1], [0.02, 0.27, 0.71], 0, 0.03),
    },
    "complex_rules_hurt": {
        (2024, OTHER): ([5, 4, 3, 2, 1], [0.25, 0.40, 0.15, 0.14, 0.06], 0.02, 0.01),
        (2025, OTHER): ([5, 4, 3, 2, 1], [0.20, 0.38, 0.17, 0.17, 0.08], 0.02, 0.01),
    },
    "bribe_helps": {
        (2024, OTHER): ([5, 4, 3, 2, 1], [0.16, 0.33, 0.17, 0.21, 0.13], 0.05, 0.02),
        (2025, OTHER): ([5, 4, 3, 2, 1], [0.11, 0.27, 0.20, 0.26, 0.16], 0.05, 0.02),
        ("*", "manager"): ([5, 4, 3, 2, 1], [0.05, 0.13, 0.14, 0.38, 0.30], 0.03, 0.02),
        ("*", "non_manager"): ([5, 4, 3, 2, 1], [0.08, 0.20, 0.17, 0.33, 0.22], 0.03, 0.02),
    },
    "corruption_level": {
        (2024, OTHER): ([1, 2, 3, 4, 5], [0.12, 0.16, 0.34, 0.28, 0.10], 0.12, 0.02),
        (2025, OTHER): ([1, 2, 3, 4, 5], [0.09, 0.14, 0.33, 0.32, 0.12], 0.12, 0.02),
        ("*", "manager"): ([1, 2, 3, 4, 5], [0.03, 0.07, 0.25, 0.45, 0.20], 0.06, 0.03),
        ("*", "non_manager"): ([1, 2, 3, 4, 5], [0.05, 0.11, 0.32, 0.38, 0.14], 0.06, 0.03),
    },
    "oc_pressure": {
        (2024, "*"): ([3, 2, 1], [0.04, 0.12, 0.84], 0, 0.03),
        (2025, "*"): ([3, 2, 1], [0.06, 0.13, 0.81], 0, 0.03),
    },
}
INVOLVED = {OTHER: 0.06, "manager": 0.15, "non_manager": 0.08}
INVESTIGATION = {2024: ([1, 2, 3], [0.0, 0.0, 1.0]), 2025: ([1, 2, 3], [0.07, 0.13, 0.80])}

COMMENTS = [
    "Дякую за можливість висловитися анонімно.",
    "Черги на кордоні забирають занадто багато часу.",
    "Потрібно більше автоматизації та менше паперів.",
    "Анкета задовга.",
    "Правила змінюються надто часто.",
    "Заробітна плата не відповідає навантаженню.",
    "Хотілося б більше зворотного зв'язку від керівництва.",
    "Електронна черга працює добре.",
    "Thank you for running this survey.",
    "Процедури оскарження незрозумілі.",
]


def _allocate(n: int, shares: dict[str, float]) -> list[str]:
    """Exactly n labels in the given shares (largest remainder), in a fixed order."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return [k for k, c in zip(keys, counts, strict=True) for _ in range(c)]


def _item_offset(key: str) -> float:
    """A small fixed offset per item, derived from its key so it does not depend on codebook
    order."""
    return float(np.random.default_rng(zlib.crc32(key.encode())).normal(0, 0.15))


def _copula(
    theta: np.ndarray,
    rng: np.random.Generator,
    codes: list[int],
    probs: list[float],
    rho: float = 0.45,
) -> np.ndarray:
    """Draw codes with the given probabilities, the more favourable ones for respondents with higher
    theta."""
    from scipy.stats import norm  # here: reading params (demo data paths) needs no scipy

    z = rho * theta + np.sqrt(1 - rho**2) * rng.standard_normal(len(theta))
    p = np.asarray(probs, dtype=float)
    cuts = norm.ppf(np.clip(np.cumsum(p / p.sum())[:-1], 1e-12, 1 - 1e-12))
    return np.asarray(codes)[np.searchsorted(cuts, z)]


def demo_groups(codebook: Codebook) -> dict[str, str]:
    """The codebook's respondent groups by the part they play in the demo: its staff group
    (``staff: true``) and the one other group.

    Examples
    --------
    >>> demo_groups(load_codebook())
    {'staff': 'official', 'other': 'private'}
    """
    staff = codebook.staff_group
    others = [g for g in codebook.group_names if g != staff]
    if staff is None or len(others) != 1:
        raise CipsError(
            f"{codebook.path}: the demo data need a staff group ('staff: true') and one other "
            f"respondent group; the codebook's groups are {list(codebook.group_names)}"
        )
    return {STAFF: staff, OTHER: others[0]}


def _staff_type(codebook: Codebook, staff: str) -> str:
    """The respondent type of the staff: the level of ``respondent_type`` that belongs to the
    staff group."""
    var = codebook.variables.get("respondent_type")
    levels = [name for name, lv in (var.levels if var else {}).items() if lv.group == staff]
    if not levels:
        raise CipsError(
            f"{codebook.path}: the demo data need a level of 'respondent_type' with group: {staff}"
        )
    return levels[0]


def _respondents(
    spec: CycleSpec, rng: np.random.Generator, parts: dict[str, str], staff_type: str
) -> pd.DataFrame:
    n_off = spec.n_staff
    roles = _allocate(n_off, {"manager": spec.manager_share, "non_manager": 1 - spec.manager_share})
    n_mgr = roles.count("manager")
    tenure = _allocate(n_mgr, spec.tenure_by_role["manager"]) + _allocate(
        n_off - n_mgr, spec.tenure_by_role["non_manager"]
    )
    staff = pd.DataFrame(
        {
            "group": parts[STAFF],
            "respondent_type": staff_type,
            "role": roles,
            "tenure": tenure,
            "business_type": None,
        }
    )
    staff["region"] = np.array(_allocate(n_off, spec.regions_staff))[rng.permutation(n_off)]
    types = [t for t, c in spec.other_types.items() for _ in range(c)]
    n_other = len(types)
    other = pd.DataFrame(
        {"group": parts[OTHER], "respondent_type": types, "role": None, "tenure": None}
    )
    n_bus = spec.other_types.get("business", 0)
    other["business_type"] = None
    other.loc[other["respondent_type"] == "business", "business_type"] = np.array(
        _allocate(n_bus, spec.business_types)
    )[rng.permutation(n_bus)]
    other["region"] = np.array(_allocate(n_other, REGIONS_OTHER))[rng.permutation(n_other)]
    people = pd.concat([staff, other], ignore_index=True)
    people = people.iloc[rng.permutation(len(people))].reset_index(drop=True)
    people["cycle"] = spec.cycle
    people["mode"] = spec.mode
    return people


def _shift(people: pd.DataFrame, spec: CycleSpec, off: np.ndarray) -> np.ndarray:
    """Each respondent's shift of the latent scale: their group's in this cycle (``off``: the
    staff) plus those of their role, tenure, region and respondent and business type."""
    s = np.where(off, spec.staff_shift, spec.other_shift).astype(float)
    s += people["role"].map(ROLE_SHIFT).fillna(0).to_numpy(dtype=float)
    s += people["tenure"].map(TENURE_SHIFT).fillna(0).to_numpy(dtype=float)
    s += people["region"].map(REGION_SHIFT).fillna(0).to_numpy(dtype=float)
    s += people["respondent_type"].map(TYPE_SHIFT).fillna(0).to_numpy(dtype=float)
    s += people["business_type"].map(BUSINESS_SHIFT).fillna(0).to_numpy(dtype=float)
    return s


def _experience_params(item: str, cycle: int, part: str, role: str | None):
    table = EXPERIENCE[item]
    for key in ((cycle, part), ("*", role), (cycle, "*")):
        if key in table:
            return table[key]
    return None


def simulate_cycle(cycle: int, codebook: Codebook | None = None) -> pd.DataFrame:
    """The raw export of a synthetic cycle: canonical column names, numeric codes, identifier
    columns; the questions are those the codebook says the cycle asked (``cycles:``), the groups
    the codebook's staff group and its other group (:func:`demo_groups`).

    Deterministic: the same cycle always gives the same frame.

    Examples
    --------
    >>> frame = simulate_cycle(2024)
    >>> frame["group"].value_counts().sort_index().tolist(), "overall_integrity" in frame
    ([448, 477], False)
    """
    if cycle not in SPECS:
        raise ValueError(f"no synthetic design for cycle {cycle}; available: {sorted(SPECS)}")
    cb = codebook or load_codebook()
    parts = demo_groups(cb)
    spec = SPECS[cycle]
    rng = np.random.default_rng(spec.seed)
    people = _respondents(spec, rng, parts, _staff_type(cb, parts[STAFF]))
    n = len(people)
    off = (people["group"] == parts[STAFF]).to_numpy()
    groups = people["group"].to_numpy()
    theta = rng.standard_normal(n)
    shift = _shift(people, spec, off)
    items = cb.items_for(cycle=cycle)
    phi = {f: 0.5 * rng.standard_normal(n) for f in range(1, 11)}
    answers = _perceptions(items, groups, off, theta, shift, phi, rng)
    # overall ratings: driven by the factors with unequal weights (own random stream, so the other
    # answers stay as they were before this item existed)
    for _, item in items[items["construct"] == "outcome"].iterrows():
        answers[item["id"]] = _outcome(item, spec, theta, shift, phi, off, groups)
    answers |= _experiences(items, people, parts, theta, rng, cycle)
    frame = pd.concat([people, pd.DataFrame(answers)], axis=1)
    frame = _add_dirt(frame, spec, cb, rng)
    return _finish(frame, spec, cb, rng, parts[STAFF])


def _perceptions(items, groups, off, theta, shift, phi, rng) -> dict[str, np.ndarray]:
    """Codes of the factor items: the respondent's disposition (``theta``) and view of the factor
    (``phi``), the group's, the respondent's (``shift``), the construct's and the item's offsets
    and noise, cut into the five agree/disagree codes; don't know and refusals, more among the
    other group on the internal factors (``off``: the staff's rows)."""
    answers = {}
    n = len(groups)
    for _, item in items[items["factor"].notna()].iterrows():
        f = int(item["factor"])
        mu = np.where(off, FACTOR_SHIFT[STAFF][f], FACTOR_SHIFT[OTHER][f])
        latent = (
            theta
            + phi[f]
            + mu
            + shift
            + CONSTRUCT_SHIFT[item["construct"]]
            + _item_offset(item["key"])
            + rng.standard_normal(n)
        )
        code = (np.searchsorted(THRESHOLDS, latent) + 1).astype(float)
        if item["reverse"]:
            code = 6 - code
        internal = f in (6, 8, 9)
        p_dk = np.where(
            off,
            0.02,
            0.04
            + (0.10 if internal else 0)
            + (0.03 if item["construct"] == "mechanism_effective" else 0),
        )
        u = rng.random(n)
        code[u < p_dk] = 8
        code[(u >= p_dk) & (u < p_dk + 0.005)] = 9
        code[~np.isin(groups, item["instruments"])] = np.nan
        answers[item["id"]] = code
    return answers


def _experiences(items, people, parts, theta, rng, cycle) -> dict[str, np.ndarray]:
    """Codes of the experience items, drawn from their target distributions (:data:`EXPERIENCE`)
    per group and, among the staff, per role; then the investigation items."""
    answers = {}
    n = len(people)
    groups, roles = people["group"].to_numpy(), people["role"].to_numpy()
    for _, item in items[items["factor"].isna() & (items["construct"] != "outcome")].iterrows():
        iid = item["id"]
        if iid in ("investigation_involved", "investigation_experience"):
            continue
        code = np.full(n, np.nan)
        for part, group in parts.items():
            if group not in item["instruments"]:
                continue
            for role in ["manager", "non_manager"] if part == STAFF else [None]:
                mask = (groups == group) & ((roles == role) if role else True)
                params = _experience_params(iid, cycle, part, role)
                if params is None or not mask.any():
                    continue
                codes, probs, p_dk, p_ref = params
                drawn = _copula(theta[mask], rng, codes, probs).astype(float)
                u = rng.random(mask.sum())
                drawn[u < p_dk] = 8
                drawn[(u >= p_dk) & (u < p_dk + p_ref)] = 9
                code[mask] = drawn
        answers[iid] = code
    off = groups == parts[STAFF]
    p_inv = np.where(
        off, people["role"].map(INVOLVED).fillna(0).to_numpy(dtype=float), INVOLVED[OTHER]
    )
    involved = np.where(rng.random(n) < p_inv, 1.0, 2.0)
    answers["investigation_involved"] = involved
    exp = np.full(n, np.nan)
    mask = involved == 1
    codes, probs = INVESTIGATION[cycle]
    exp[mask] = _copula(theta[mask], rng, codes, probs)
    answers["investigation_experience"] = exp
    return answers


OUTCOME_WEIGHTS = {
    1: 0.30,
    2: 0.10,
    3: 0.15,
    4: 0.05,
    5: 0.10,
    6: 0.25,
    7: 0.15,
    8: 0.40,
    9: 0.35,
    10: 0.10,
}
"""How much each factor drives the overall integrity rating of the demo (its key drivers)."""


def _outcome(item, spec: CycleSpec, theta, shift, phi, off, groups) -> np.ndarray:
    """Codes of an overall rating: the respondent's general disposition plus a weighted mix of
    their factor-specific views, with noise; don't know 3%."""
    rng = np.random.default_rng(spec.seed + zlib.crc32(item["key"].encode()))
    n = len(theta)
    mix = sum(
        w * (phi[f] + np.where(off, FACTOR_SHIFT[STAFF][f], FACTOR_SHIFT[OTHER][f]))
        for f, w in OUTCOME_WEIGHTS.items()
    )
    latent = theta + shift + 3.0 * mix / sum(OUTCOME_WEIGHTS.values()) + rng.normal(0, 0.8, n)
    code = (np.searchsorted(THRESHOLDS, latent) + 1).astype(float)
    code[rng.random(n) < 0.03] = 8
    code[~np.isin(groups, item["instruments"])] = np.nan
    return code


def _perception_ids(cb: Codebook, cycle: int, group: str) -> list[str]:
    return list(
        cb.items_for(
            instrument=group,
            cycle=cycle,
            construct=("perception", "mechanism_exists", "mechanism_effective"),
        )["id"]
    )


def _add_dirt(
    frame: pd.DataFrame, spec: CycleSpec, cb: Codebook, rng: np.random.Generator
) -> pd.DataFrame:
    frame = frame.copy()
    n = len(frame)
    item_cols = [c for c in frame.columns if c in set(cb.items["id"])]
    frame["_dup_of"] = -1
    frame["_speeder"] = False
    order = rng.permutation(n)
    pos = 0

    def take(k: int) -> np.ndarray:
        nonlocal pos
        chosen = order[pos : pos + k]
        pos += k
        return chosen

    # duplicate submissions: a respondent sends the same answers twice (the copy replaces another
    # row)
    for target in take(spec.duplicates):
        same = np.flatnonzero((frame["group"] == frame.at[target, "group"]).to_numpy())
        source = int(rng.choice(same[same != target]))
        keep = ["cycle", "mode"]
        cols = [c for c in frame.columns if c not in keep and not c.startswith("_")]
        frame.loc[target, cols] = frame.loc[source, cols].to_numpy()
        frame.at[target, "_dup_of"] = source
    # straight-liners: the same answer to every agree/disagree item
    for target in take(spec.straightliners):
        ids = _perception_ids(cb, spec.cycle, frame.at[target, "group"])
        frame.loc[target, ids] = float(rng.choice([3, 4, 5, 5]))
    # speeders: online respondents who rush, half of them straight-lining
    for j, target in enumerate(take(spec.speeders)):
        frame.at[target, "_speeder"] = True
        ids = _perception_ids(cb, spec.cycle, frame.at[target, "group"])
        if j % 2 == 0:
            frame.loc[target, ids] = float(rng.choice([3, 4]))
        else:
            frame.loc[target, ids] = rng.integers(1, 6, len(ids)).astype(float)
    # partial completes: stop somewhere in the first third of the questionnaire
    for target in take(spec.partials):
        asked = [c for c in item_cols if pd.notna(frame.at[target, c])]
        stop = int(rng.integers(1, max(2, len(asked) // 3)))
        frame.loc[target, asked[stop:]] = np.nan
    return frame


def _finish(
    frame: pd.DataFrame, spec: CycleSpec, cb: Codebook, rng: np.random.Generator, staff: str
) -> pd.DataFrame:
    """Identifiers, codes and column order of the export (``staff``: the staff group)."""
    n = len(frame)
    prefix = f"Q{str(spec.cycle)[2:]}-" if spec.mode == "paper" else f"R{spec.cycle}-"
    numbers = rng.choice(np.arange(1, n * 3), size=n, replace=False)
    frame["respondent_id"] = [f"{prefix}{k:05d}" for k in numbers]
    comment = np.where(
        rng.random(n) < (0.08 if spec.mode == "paper" else 0.10),
        np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), n)],
        "",
    )
    frame["comment"] = comment
    if spec.mode == "online":
        dur = np.exp(rng.normal(np.log(np.where(frame["group"] == staff, 840, 660)), 0.35))
        dur = np.where(frame["_speeder"], rng.uniform(70, 190, n), dur)
        frame["duration_s"] = np.round(dur)
        start = datetime.fromisoformat(spec.fieldwork[0])
        days = (datetime.fromisoformat(spec.fieldwork[1]) - start).days + 1
        frame["submitted_at"] = [
            (start + timedelta(seconds=int(s))).strftime("%Y-%m-%d %H:%M:%S")
            for s in rng.integers(7 * 3600, days * 86400 - 3 * 3600, n)
        ]
        frame["ip_address"] = [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 255, (n, 4))]
        frame["email"] = [
            f"resp{k}@example.org" if r < 0.25 else ""
            for k, r in zip(numbers, rng.random(n), strict=True)
        ]
        dups = np.flatnonzero(frame["_dup_of"].to_numpy() >= 0)
        for t in dups:
            s = frame.at[t, "_dup_of"]
            frame.loc[t, ["ip_address", "email"]] = frame.loc[s, ["ip_address", "email"]].to_numpy()
    # category labels to numeric codes, as survey tools and data-entry teams export them
    for name, var in cb.variables.items():
        if var.type == "category" and name in frame:
            frame[name] = (
                frame[name].map({k: lv.code for k, lv in var.levels.items()}).astype("float64")
            )
    variables = [
        v for v in cb.variables if v in frame and not (v == "duration_s" and spec.mode == "paper")
    ]
    ids = list(cb.items_for(cycle=spec.cycle)["id"])
    extra = ["comment"] + (["email", "ip_address", "submitted_at"] if spec.mode == "online" else [])
    return frame[variables + ids + extra].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------
def write_demo_files(out_dir: str | Path, codebook: Codebook | None = None) -> dict[int, Path]:
    """Write the demo files (byte for byte the shipped ones) into ``out_dir``; the shipped copies
    are package data and are never rewritten."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cb = codebook or load_codebook()
    paths = {}
    for cycle in DEMO_CYCLES:
        frame = simulate_cycle(cycle, cb)
        path = out / DEMO_FILES[cycle]
        if path.suffix == ".csv":
            paths[cycle] = atomic_write(path, lambda p, frame=frame: _write_csv(frame, p))
        else:
            paths[cycle] = atomic_write(
                path, lambda p, frame=frame, cycle=cycle: _write_sav(frame, p, cb, cycle)
            )
    return paths


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """As a data-entry team's Excel in a Ukrainian locale saves it: cp1251, semicolons, CRLF."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(
                lambda v: "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v)
            )
    out.to_csv(path, sep=";", index=False, encoding="cp1251", lineterminator="\r\n")


SAV_DATE = {2025: (b"30 Sep 25", b"18:00:00")}


def _write_sav(frame: pd.DataFrame, path: Path, cb: Codebook, cycle: int) -> None:
    """As an online survey tool exports to SPSS: numeric codes with value labels; don't know and
    refusal declared as user-missing values."""
    import pyreadstat

    labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    for name, var in cb.variables.items():
        if var.type == "category" and name in frame:
            labels[name] = {float(lv.code): lv.labels["en"] for lv in var.levels.values()}
    for _, item in cb.items_for(cycle=cycle).iterrows():
        scale = cb.scales[item["scale"]]
        labels[item["id"]] = {
            float(c): scale.label(c) for c in (*scale.codes, *scale.missing_codes)
        }
        if scale.missing_codes:
            missing[item["id"]] = [float(c) for c in scale.missing_codes]
    column_labels = {name: var.labels["en"] for name, var in cb.variables.items()}
    column_labels.update(
        {r["id"]: r["text_en"][:250] for _, r in cb.items_for(cycle=cycle).iterrows()}
    )
    out = frame.copy()
    for col in ("comment", "email", "ip_address", "submitted_at", "respondent_id"):
        out[col] = out[col].astype(object).fillna("").astype(str)
    pyreadstat.write_sav(
        out,
        str(path),
        file_label=f"CIPS {cycle} online export",
        column_labels=column_labels,
        variable_value_labels=labels,
        missing_ranges=missing,
        row_compress=True,
    )
    _stamp_sav(path, *SAV_DATE[cycle])


def _stamp_sav(path: Path, date: bytes, time: bytes) -> None:
    """Fix the SPSS header's product name and creation time so that regeneration is
    byte-identical."""
    data = bytearray(path.read_bytes())
    data[4:64] = b"@(#) SPSS DATA FILE - cipslib demo export".ljust(60)
    data[92:101] = date
    data[101:109] = time
    path.write_bytes(bytes(data))
