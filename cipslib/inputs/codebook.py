"""The questionnaire codebook: which questions were asked, of whom, on which scale, in which words.

The codebook is data (YAML), not code: an administration replaces the shipped demo questionnaire
with its own and cipslib follows. :func:`load_codebook` reads and checks it, reporting every
inconsistency at once. The schema is documented in ``docs/codebook.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ProblemList
from .groups import Group, parse_groups
from .languages import catalogue_languages, text_languages, where_catalogues_are
from .yamlfile import read_yaml

CONSTRUCTS_WITH_FACTOR = ("perception", "mechanism_exists", "mechanism_effective")
CONSTRUCTS = (*CONSTRUCTS_WITH_FACTOR, "experience", "outcome")
"""Item constructs: factor perceptions and mechanisms (scored per factor), experience and behaviour
(indicators), and outcomes (an overall rating, the outcome of the key-driver analysis)."""
SCALE_TYPES = ("ordinal", "nominal")
VARIABLE_TYPES = ("id", "year", "category", "number")
CANONICAL_VARIABLES = (
    "respondent_id",
    "cycle",
    "group",
    "respondent_type",
    "region",
    "role",
    "tenure",
    "business_type",
    "mode",
    "duration_s",
)
REQUIRED_VARIABLES = ("respondent_id", "group", "respondent_type", "region", "mode")
TOP_LEVEL_KEYS = (
    "schema_version",
    "title",
    "instruments",
    "groups",
    "scales",
    "factors",
    "respondent_variables",
    "identifiers",
    "items",
)
ITEM_KEYS = (
    "id",
    "key",
    "cycles",
    "instruments",
    "factor",
    "construct",
    "twin",
    "scale",
    "reverse",
    "favourable",
    "asked_if",
    "text",
    "aliases",
    "multiple",
    "separator",
    "note",
)
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def shipped_codebook_path() -> Path:
    """Path of the demo codebook that ships with cipslib."""
    return Path(str(resources.files("cipslib") / "data" / "codebook.yaml"))


@dataclass(frozen=True)
class Scale:
    """An answer scale. Codes are integers; ``favourable`` lists the codes counted as favourable.

    ``dont_know`` and ``refusal`` are the codes of "don't know" and "prefer not to say"; cipslib
    turns them into missing values when loading and counts them separately (they are never in a
    base). ``missing`` declares further missing-value codes (an SPSS file's user-missing values such
    as 0 "not applicable" or 98, 99) with what each means: ``dont_know``, ``refusal`` or
    ``not_asked``; they are counted as that reason.
    """

    name: str
    type: str
    labels: dict[int, dict[str, str]]
    favourable: tuple[int, ...]
    neutral: int | None = None
    dont_know: int | None = None
    refusal: int | None = None
    special_labels: dict[int, dict[str, str]] = field(default_factory=dict)
    missing: dict[int, str] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[int, ...]:
        """The substantive answer codes, in scale order."""
        return tuple(self.labels)

    @property
    def points(self) -> dict[int, float]:
        """Each substantive code's 0-100 score: its position in the listed scale order, the first
        (least favourable) 0 and the last 100, whatever the code numbers are.

        Examples
        --------
        >>> s = Scale("agree", "ordinal", {1: {}, 3: {}, 2: {}}, (2,))
        >>> s.points
        {1: 0.0, 3: 50.0, 2: 100.0}
        """
        last = len(self.codes) - 1
        return {code: 100.0 * i / last for i, code in enumerate(self.codes)}

    @property
    def in_code_order(self) -> bool:
        """Whether the code numbers rise (or fall) along the listed scale order."""
        codes = list(self.codes)
        return codes in (sorted(codes), sorted(codes, reverse=True))

    @property
    def missing_codes(self) -> tuple[int, ...]:
        """Every code that is an answer but not a value: don't know, refusal, declared missing."""
        return (
            *(c for c in (self.dont_know, self.refusal) if c is not None),
            *self.missing,
        )

    @property
    def missing_reasons(self) -> dict[int, str]:
        """What each missing code counts as: ``dont_know``, ``refusal`` or ``not_asked``."""
        reasons = {self.dont_know: "dont_know", self.refusal: "refusal"} | self.missing
        reasons.pop(None, None)
        return reasons

    def label(self, code: int, lang: str = "en") -> str:
        entry = self.labels.get(code) or self.special_labels.get(code)
        if entry is None:
            raise KeyError(f"code {code} is not on scale '{self.name}'")
        return entry[lang]

    def mirror(self, code: int) -> int:
        """The code at the mirrored position of an ordinal scale (used for reverse-coded items)."""
        codes = self.codes
        return codes[len(codes) - 1 - codes.index(code)]


@dataclass(frozen=True)
class Level:
    name: str
    code: int
    labels: dict[str, str]
    applies_to: tuple[str, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class RespondentVariable:
    """A variable describing the respondent (not a question about integrity).

    ``applies_to`` lists the groups or respondent types the variable is asked of (empty: everyone);
    others have it missing by design.
    """

    name: str
    type: str
    required: bool
    labels: dict[str, str]
    levels: dict[str, Level] = field(default_factory=dict)
    ordered: bool = False
    applies_to: tuple[str, ...] = ()
    minimum: float | None = None
    aliases: tuple[str, ...] = ()


SELECTED = "_selected"
"""The scale of each option of a multiple-choice item: 1 selected, 0 not selected."""


@dataclass(frozen=True)
class MultipleChoice:
    """A select-all-that-apply question. Each option is analysed as an item of its own, ``options``
    maps the option's code on ``scale`` to that item's id (``<id>__<code>``), answered 1 when the
    respondent selected it and 0 when they answered the question without selecting it.

    An export gives the answers in one column, the selected options' labels or codes joined by
    ``separator`` (None: ``;``, ``,`` or a space, whichever reads the cell), or in one column per
    option (``<question>/<option>``, ``<question>_<code>``, ``<question> <option label>``).
    """

    id: str
    key: str
    scale: str
    options: dict[int, str]
    separator: str | None
    aliases: tuple[str, ...]
    texts: dict[str, str]
    instruments: tuple[str, ...]
    cycles: tuple[int, ...] | None


class Codebook:
    """A checked questionnaire codebook.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per item with columns ``id``, ``key``, ``instrument`` (``official``, ``private`` or
        ``both``), ``instruments``, ``cycles`` (None: every cycle), ``factor`` (1-10, missing for
        experience items), ``factor_name``, ``construct``, ``scale``, ``reverse``, ``favourable``
        (codes after reverse coding), ``neutral``, ``dont_know``, ``refusal``, ``twin``,
        ``asked_if_item``, ``asked_if_codes`` and ``text_<language>`` for each of the codebook's
        :attr:`languages` (``text_en``, ``text_uk``, ...).
    scales, factors, variables, instruments : dicts of the parsed sections.
    multiples : dict of :class:`MultipleChoice`
        The select-all-that-apply questions; their options are rows of ``items`` (``parent``
        names the question, ``option`` the option's code).

    Examples
    --------
    >>> cb = load_codebook()
    >>> cb.factor_name(8, "en")
    'Human Resource Management'
    >>> cb.items_for("official", 2024, factor=1)["id"].tolist()[:3]
    ['lead_01', 'lead_02', 'lead_03']
    """

    def __init__(
        self,
        path: Path,
        raw: dict[str, Any],
        scales: dict[str, Scale],
        factors: dict[int, dict[str, str]],
        variables: dict[str, RespondentVariable],
        identifier_names: set[str],
        identifier_patterns: list[re.Pattern[str]],
        items: pd.DataFrame,
        instruments: dict[str, dict[str, str]],
        warnings: list | None = None,
        multiples: dict[str, MultipleChoice] | None = None,
        groups: dict[str, Group] | None = None,
        languages: tuple[str, ...] = (),
    ):
        self.path = path
        self.warnings = list(warnings or [])
        self.raw = raw
        self.scales = scales
        self.factors = factors
        self.variables = variables
        self.identifier_names = identifier_names
        self.identifier_patterns = identifier_patterns
        self.items = items
        self.instruments = instruments
        self.multiples = dict(multiples or {})
        self._languages = tuple(languages) or tuple(
            c.removeprefix("text_") for c in items.columns if c.startswith("text_")
        )
        self.groups = (
            dict(groups)
            if groups is not None
            else parse_groups(
                ProblemList(),
                str(path),
                None,
                instruments,
                lambda where, entry: dict(entry),
            )
        )

    def __repr__(self) -> str:
        return f"<Codebook {self.path.name}: {len(self.items)} items, {len(self.scales)} scales>"

    @property
    def group_names(self) -> tuple[str, ...]:
        """The respondent groups in the order the report shows them.

        Examples
        --------
        >>> load_codebook().group_names
        ('official', 'private')
        """
        return tuple(self.groups)

    @property
    def staff_group(self) -> str | None:
        """The group of the administration's own staff (``staff: true``), or None.

        Examples
        --------
        >>> load_codebook().staff_group
        'official'
        """
        return next((g.name for g in self.groups.values() if g.staff), None)

    def subgroups_of(self, group: str) -> tuple[str, ...]:
        """The respondent variables a group is compared by unless the params say otherwise: the
        group's ``subgroups`` in the codebook, or else every category variable (other than the
        group itself) asked of the group with at least two levels its members can have.

        Examples
        --------
        >>> load_codebook().subgroups_of("official")
        ('region', 'role', 'tenure')
        """
        g = self.groups.get(group)
        if g is not None and g.subgroups is not None:
            return g.subgroups
        types = {
            name
            for name, level in getattr(self.variables.get("respondent_type"), "levels", {}).items()
            if level.group == group
        }
        out = []
        for name, var in self.variables.items():
            if var.type != "category" or name == "group":
                continue
            if var.applies_to and not ({group} | types) & set(var.applies_to):
                continue
            if sum(lv.group in (None, group) for lv in var.levels.values()) >= 2:
                out.append(name)
        return tuple(out)

    def decompose_by_of(self, group: str) -> str | None:
        """The variable a group's raw trend is decomposed by unless the params say otherwise: the
        group's ``decompose_by``, or else its first subgroup variable."""
        g = self.groups.get(group)
        if g is not None and g.decompose_by is not None:
            return g.decompose_by
        return next(iter(self.subgroups_of(group)), None)

    def group_label(self, group: str, lang: str) -> str:
        """A group's name as a column, legend or heading has it ("Officials"); an unknown group's
        own name."""
        g = self.groups.get(group)
        return g.label.get(lang, group) if g is not None else str(group)

    def group_lower(self, group: str, lang: str) -> str:
        """A group's label with a small first letter, as a chart's running text has it
        ("officials"); an unknown group's own name."""
        g = self.groups.get(group)
        return g.lower(lang) if g is not None else str(group)

    def group_members(self, group: str, lang: str) -> str:
        """A group's members as the language's sentences name them ("officials")."""
        g = self.groups.get(group)
        return g.members.get(lang, group) if g is not None else str(group)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the codebook's wording is given in: those of its items' texts, in the
        order they first appear. A report can be written in those of them that have a language
        catalogue (:mod:`cipslib.inputs.languages`).

        Examples
        --------
        >>> load_codebook().languages
        ('en', 'uk', 'fr')
        """
        return self._languages

    # -- queries ---------------------------------------------------------------------------------
    def item(self, item_id: str) -> pd.Series:
        """The codebook row of one item."""
        rows = self._rows()
        if item_id not in rows:
            raise KeyError(f"'{item_id}' is not an item of the codebook {self.path}")
        return rows[item_id]

    def _rows(self) -> dict[str, pd.Series]:
        cache = self.__dict__.get("_row_cache")
        if cache is None or cache[0] is not self.items:
            cache = (self.items, {r["id"]: r for _, r in self.items.iterrows()})
            self.__dict__["_row_cache"] = cache
        return cache[1]

    def scale_of(self, item_id: str) -> Scale:
        return self.scales[self.item(item_id)["scale"]]

    def items_for(
        self,
        instrument: str | None = None,
        cycle: int | None = None,
        factor: int | None = None,
        construct: str | tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Items asked on an instrument, in a cycle, for a factor or of a construct (all
        optional)."""
        sel = pd.Series(True, index=self.items.index)
        if instrument is not None:
            sel &= self.items["instruments"].map(lambda s: instrument in s)
        if cycle is not None:
            sel &= self.items["cycles"].map(lambda s: s is None or int(cycle) in s)
        if factor is not None:
            sel &= self.items["factor"].eq(factor).fillna(False).astype(bool)
        if construct is not None:
            wanted = (construct,) if isinstance(construct, str) else tuple(construct)
            sel &= self.items["construct"].isin(wanted)
        return self.items[sel.astype(bool)]

    def is_identifier(self, column: str) -> bool:
        """True when a column name looks like a personal identifier (e-mail, IP, name, free
        text...)."""
        norm = normalise_name(column)
        if norm in self.identifier_names:
            return True
        return any(p.search(norm) for p in self.identifier_patterns)

    def factor_name(self, factor: int, lang: str = "en") -> str:
        return self.factors[int(factor)][lang]

    def level_label(self, variable: str, level: str, lang: str = "en") -> str:
        return self.variables[variable].levels[level].labels[lang]


def normalise_name(name: object) -> str:
    """Column-name normal form used for matching: lower case, spaces/dots/hyphens as underscores."""
    return re.sub(r"[\s.\-]+", "_", str(name).strip().lower())


# ------------------------------------------------------------------------------------------------
def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and check a questionnaire codebook (``None``: the demo codebook shipped with cipslib).

    Every inconsistency (duplicate ids, unknown scales, factors outside 1-10, a ``mechanism_exists``
    item without its ``mechanism_effective`` twin, a missing language...) is collected and raised
    together as one :class:`~cipslib.errors.CipsDataError`.

    Examples
    --------
    >>> cb = load_codebook()          # the shipped demo codebook; give a path for your own
    >>> sorted(cb.variables)[:3]
    ['business_type', 'cycle', 'duration_s']
    """
    path = Path(path) if path is not None else shipped_codebook_path()
    raw = read_yaml(path, "codebook")
    return _parse(path, raw)


def _languages(problems: ProblemList, file: str, raw: Any) -> tuple[str, ...]:
    """The codebook's languages: the language codes its items' texts use, in the order they first
    appear (every text of the codebook must then give each of them; a text may give more, which
    are not read). A language without a catalogue is a warning: the codebook reads, but no report
    can be written in it."""
    items = raw.get("items") if isinstance(raw, dict) else None
    found = text_languages(
        spec.get("text")
        for spec in (items if isinstance(items, list) else [])
        if isinstance(spec, dict)
    )
    if not found:
        problems.add(
            file,
            "the items give their wording in no language",
            expected="each item's text per language, e.g. text: {en: ..., fr: ...}",
        )
        return ("en",)
    known = catalogue_languages()
    for lang in found:
        if lang not in known:
            problems.warn(
                file,
                f"the codebook's texts are given in '{lang}', which has no language catalogue: "
                f"no report can be written in '{lang}'",
                expected=f"a catalogue {lang}.yaml (catalogues: {', '.join(known)}, in "
                f"{where_catalogues_are()})",
            )
    return tuple(found)


def _text(
    problems: ProblemList, file: str, where: str, entry: Any, langs: tuple[str, ...]
) -> dict[str, str]:
    """Labels in every language of the codebook, or a problem naming what is missing."""
    if not isinstance(entry, dict):
        problems.add(
            file,
            f"{where}: expected wording in each language ({', '.join(langs)})",
            value=entry,
        )
        return {lang: str(entry) for lang in langs}
    stray = [k for k, v in entry.items() if v is None and k not in langs]
    if stray:
        # {en: A, uk: B, C} in YAML's inline form splits "B, C" at the comma: C becomes an empty key
        problems.add(
            file,
            f"{where}: the wording contains a comma that YAML read as a separator "
            f"(stray part '{stray[0]}')",
            value=stray[0],
            expected='quote wording that contains a comma, e.g. uk: "Ні так, ні ні"',
        )
    out = {}
    for lang in langs:
        value = entry.get(lang)
        if value is None or not str(value).strip():
            problems.add(
                file,
                f"{where}: the '{lang}' wording is missing",
                expected=f"a text in each language the items give ({', '.join(langs)}); a "
                "language no report is written in can be left out of every item",
            )
            value = ""
        out[lang] = str(value)
    return out


def _int_code(problems: ProblemList, file: str, where: str, value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(str(value))
        except ValueError:
            problems.add(file, f"{where}: codes must be whole numbers", value=value)
            return None
    return value


def _parse_scales(
    problems: ProblemList, file: str, raw: Any, langs: tuple[str, ...]
) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    if not isinstance(raw, dict) or not raw:
        problems.add(file, "the 'scales' section must list at least one answer scale")
        return scales
    for name, spec in raw.items():
        where = f"scale '{name}'"
        if not isinstance(spec, dict):
            problems.add(file, f"{where}: expected a mapping with 'type' and 'codes'", value=spec)
            continue
        unknown = set(spec) - {
            "type",
            "codes",
            "neutral",
            "favourable",
            "dont_know",
            "refusal",
            "missing",
            "note",
        }
        if unknown:
            problems.add(
                file,
                f"{where}: unknown setting(s) {sorted(unknown)}",
                expected="type, codes, neutral, favourable, dont_know, refusal, missing",
            )
        stype = spec.get("type")
        if stype not in SCALE_TYPES:
            problems.add(
                file, f"{where}: unknown scale type", value=stype, expected=" or ".join(SCALE_TYPES)
            )
        labels: dict[int, dict[str, str]] = {}
        codes = spec.get("codes")
        if not isinstance(codes, dict) or len(codes) < 2:
            problems.add(
                file, f"{where}: 'codes' must list at least two answer codes with their labels"
            )
            codes = {}
        for code, lab in codes.items():
            c = _int_code(problems, file, where, code)
            if c is not None:
                labels[c] = _text(problems, file, f"{where}, code {c}", lab, langs)
        special: dict[int, dict[str, str]] = {}
        specials: dict[str, int | None] = {}
        for kind in ("dont_know", "refusal"):
            entry = spec.get(kind)
            if entry is None:
                specials[kind] = None
                continue
            if not isinstance(entry, dict) or "code" not in entry:
                problems.add(
                    file, f"{where}: '{kind}' must give a 'code' and its labels", value=entry
                )
                specials[kind] = None
                continue
            c = _int_code(problems, file, f"{where}, {kind}", entry["code"])
            if c is not None and c in labels:
                problems.add(file, f"{where}: the {kind} code {c} is also an answer code")
            specials[kind] = c
            if c is not None:
                special[c] = _text(
                    problems,
                    file,
                    f"{where}, {kind}",
                    {k: v for k, v in entry.items() if k != "code"},
                    langs,
                )
        if specials["dont_know"] is not None and specials["dont_know"] == specials["refusal"]:
            problems.add(file, f"{where}: don't-know and refusal must have different codes")
        missing = _parse_missing(problems, file, where, spec.get("missing"), labels, special, langs)
        fav = spec.get("favourable")
        if fav is None and stype == "nominal":
            fav = []  # the options of a multiple-choice question: none is favourable
        elif not isinstance(fav, list) or not fav:
            problems.add(file, f"{where}: 'favourable' must list the favourable answer codes")
            fav = []
        fav_codes = []
        for c in fav:
            ci = _int_code(problems, file, where, c)
            if ci is not None and ci not in labels:
                problems.add(
                    file,
                    f"{where}: favourable code {ci} is not one of the answer codes",
                    expected=str(sorted(labels)),
                )
            elif ci is not None:
                fav_codes.append(ci)
        neutral = spec.get("neutral")
        if neutral is not None:
            neutral = _int_code(problems, file, where, neutral)
            if neutral is not None and neutral not in labels:
                problems.add(file, f"{where}: the neutral code {neutral} is not an answer code")
        scales[str(name)] = Scale(
            str(name),
            str(stype),
            labels,
            tuple(fav_codes),
            neutral,
            specials["dont_know"],
            specials["refusal"],
            special,
            missing,
        )
    return scales


MISSING_MEANINGS = ("dont_know", "refusal", "not_asked")


def _parse_missing(problems, file, where, raw, labels, special, langs) -> dict[int, str]:
    """A scale's ``missing:`` codes: ``{code: {meaning: dont_know|refusal|not_asked, <lang>:
    label}}`` (meaning ``dont_know`` when left out); their labels join ``special``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(
            file,
            f"{where}: 'missing' must map each missing-value code to its meaning and labels",
            value=raw,
            expected="e.g. missing: {0: {meaning: not_asked, en: Not applicable}}",
        )
        return {}
    out: dict[int, str] = {}
    for code, entry in raw.items():
        c = _int_code(problems, file, f"{where}, missing", code)
        if c is None:
            continue
        if c in labels or c in special:
            problems.add(file, f"{where}: the missing code {c} is also an answer or special code")
            continue
        entry = dict(entry) if isinstance(entry, dict) else {}
        meaning = entry.pop("meaning", "dont_know")
        if meaning not in MISSING_MEANINGS:
            problems.add(
                file,
                f"{where}: missing code {c} has an unknown meaning",
                value=meaning,
                expected=", ".join(MISSING_MEANINGS),
            )
            continue
        out[c] = meaning
        special[c] = _text(problems, file, f"{where}, missing code {c}", entry, langs)
    return out


def _parse_factors(
    problems: ProblemList, file: str, raw: Any, langs: tuple[str, ...]
) -> dict[int, dict[str, str]]:
    factors: dict[int, dict[str, str]] = {}
    if not isinstance(raw, dict):
        problems.add(file, "the 'factors' section must map factor numbers 1-10 to their names")
        return factors
    for key, names in raw.items():
        k = _int_code(problems, file, "factors", key)
        if k is None:
            continue
        if not 1 <= k <= 10:
            problems.add(
                file,
                "factor numbers follow the Revised Arusha Declaration",
                value=k,
                expected="1 to 10",
            )
            continue
        factors[k] = _text(problems, file, f"factor {k}", names, langs)
    missing = sorted(set(range(1, 11)) - set(factors))
    if missing:
        problems.add(
            file,
            f"the 'factors' section is missing factor(s) {missing}",
            expected="all ten Revised Arusha Declaration factors",
        )
    return factors


def _parse_variables(
    problems: ProblemList, file: str, raw: Any, langs: tuple[str, ...]
) -> dict[str, RespondentVariable]:
    out: dict[str, RespondentVariable] = {}
    if not isinstance(raw, dict):
        problems.add(file, "the 'respondent_variables' section must be a mapping of variable names")
        return out
    for name, spec in raw.items():
        where = f"respondent variable '{name}'"
        if not isinstance(spec, dict):
            problems.add(file, f"{where}: expected a mapping", value=spec)
            continue
        vtype = spec.get("type")
        if vtype not in VARIABLE_TYPES:
            problems.add(
                file, f"{where}: unknown type", value=vtype, expected=", ".join(VARIABLE_TYPES)
            )
        labels = _text(problems, file, where, {k: spec.get(k) for k in langs}, langs)
        levels: dict[str, Level] = {}
        if vtype == "category":
            raw_levels = spec.get("levels")
            if not isinstance(raw_levels, dict) or not raw_levels:
                problems.add(file, f"{where}: a category variable must list its levels")
                raw_levels = {}
            seen_codes: dict[int, str] = {}
            for lname, lspec in raw_levels.items():
                lwhere = f"{where}, level '{lname}'"
                if not isinstance(lspec, dict) or "code" not in lspec:
                    problems.add(
                        file, f"{lwhere}: expected a numeric 'code' and labels", value=lspec
                    )
                    continue
                code = _int_code(problems, file, lwhere, lspec["code"])
                if code is not None and code in seen_codes:
                    problems.add(
                        file, f"{lwhere}: code {code} is already used by '{seen_codes[code]}'"
                    )
                if code is not None:
                    seen_codes[code] = str(lname)
                applies = lspec.get("applies_to") or []
                levels[str(lname)] = Level(
                    str(lname),
                    code if code is not None else -1,
                    _text(problems, file, lwhere, lspec, langs),
                    tuple(map(str, applies)),
                    lspec.get("group"),
                )
        flags = {}
        for flag in ("required", "ordered"):
            flags[flag] = spec.get(flag, False)
            if not isinstance(flags[flag], bool):
                problems.add(file, f"{where}: '{flag}' must be true or false", value=flags[flag])
        out[str(name)] = RespondentVariable(
            name=str(name),
            type=str(vtype),
            required=flags["required"] is True,
            labels=labels,
            levels=levels,
            ordered=flags["ordered"] is True,
            applies_to=tuple(map(str, spec.get("applies_to") or ())),
            minimum=spec.get("minimum"),
            aliases=_aliases(problems, file, where, spec.get("aliases")),
        )
    for req in REQUIRED_VARIABLES:
        if req not in out:
            problems.add(
                file,
                f"the respondent variable '{req}' must be defined",
                expected=f"the canonical variables {', '.join(CANONICAL_VARIABLES)}",
            )
    return out


def _parse_items(
    problems: ProblemList,
    file: str,
    raw: Any,
    scales: dict[str, Scale],
    factors: dict[int, dict[str, str]],
    instruments: dict[str, Any],
    variables: dict[str, RespondentVariable],
    langs: tuple[str, ...],
) -> tuple[pd.DataFrame, dict[str, MultipleChoice]]:
    rows: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw:
        problems.add(file, "the 'items' section must list the questionnaire's items")
        return pd.DataFrame(columns=_item_columns(langs)), {}
    multiples: dict[str, MultipleChoice] = {}
    seen: dict[str, int] = {}
    for pos, spec in enumerate(raw, start=1):
        if not isinstance(spec, dict):
            problems.add(
                file, f"item number {pos}: expected a mapping with id, scale, text...", value=spec
            )
            continue
        iid = str(spec.get("id", "")).strip()
        where = f"item '{iid}'" if iid else f"item number {pos}"
        if not iid:
            problems.add(file, f"{where}: has no 'id'")
            continue
        if not NAME_RE.match(iid):
            problems.add(
                file,
                f"{where}: an id may only hold letters, digits and underscores, starting "
                "with a letter",
                value=iid,
            )
        if iid in seen:
            problems.add(
                file, f"{where}: the id is used twice (items number {seen[iid]} and {pos})"
            )
        seen.setdefault(iid, pos)
        if iid in variables:
            problems.add(
                file, f"{where}: the id clashes with a respondent variable of the same name"
            )
        unknown = set(spec) - set(ITEM_KEYS)
        if unknown:
            problems.add(
                file,
                f"{where}: unknown setting(s) {sorted(unknown)}",
                expected=", ".join(ITEM_KEYS),
            )
        key = str(spec.get("key") or "").strip()
        if not key:
            problems.add(file, f"{where}: has no cross-cycle 'key'")
        inst = spec.get("instruments")
        if not isinstance(inst, list) or not inst:
            problems.add(
                file,
                f"{where}: 'instruments' must list who is asked",
                expected=" and/or ".join(instruments),
            )
            inst = []
        for i in inst:
            if i not in instruments:
                problems.add(
                    file, f"{where}: unknown instrument", value=i, expected=" or ".join(instruments)
                )
        construct = spec.get("construct")
        if construct not in CONSTRUCTS:
            problems.add(
                file, f"{where}: unknown construct", value=construct, expected=", ".join(CONSTRUCTS)
            )
        factor = spec.get("factor")
        if construct in CONSTRUCTS_WITH_FACTOR:
            if isinstance(factor, bool) or not isinstance(factor, int) or not 1 <= factor <= 10:
                problems.add(
                    file,
                    f"{where}: a {construct} item needs its Revised Arusha Declaration factor",
                    value=factor,
                    expected="a whole number from 1 to 10",
                )
                factor = None
        elif factor is not None:
            problems.add(
                file, f"{where}: {construct} items do not belong to a factor", value=factor
            )
            factor = None
        scale_name = spec.get("scale")
        scale = scales.get(str(scale_name))
        if scale is None:
            problems.add(
                file, f"{where}: unknown scale", value=scale_name, expected=", ".join(scales)
            )
        reverse = spec.get("reverse", False)
        if not isinstance(reverse, bool):
            problems.add(file, f"{where}: 'reverse' must be true or false", value=reverse)
            reverse = False
        if reverse and scale is not None and scale.type != "ordinal":
            problems.add(
                file,
                f"{where}: only items on an ordinal scale can be reverse-coded",
                value=scale.name,
            )
        favourable: tuple[int, ...] = ()
        if scale is not None:
            if spec.get("favourable") is not None:
                favourable = tuple(int(c) for c in spec["favourable"])
                bad = [c for c in favourable if c not in scale.labels]
                if bad:
                    problems.add(
                        file, f"{where}: favourable codes {bad} are not on scale '{scale.name}'"
                    )
            elif reverse and scale.type == "ordinal":
                favourable = tuple(sorted(scale.mirror(c) for c in scale.favourable))
            else:
                favourable = scale.favourable
        cycles = spec.get("cycles")
        if cycles is not None:
            if not isinstance(cycles, list) or not all(
                isinstance(c, int) and not isinstance(c, bool) for c in cycles
            ):
                problems.add(file, f"{where}: 'cycles' must list survey years", value=cycles)
                cycles = None
            else:
                cycles = tuple(cycles)
        asked_if = spec.get("asked_if")
        asked_item, asked_codes = None, None
        if asked_if is not None:
            if not isinstance(asked_if, dict) or "item" not in asked_if or "codes" not in asked_if:
                problems.add(
                    file,
                    f"{where}: 'asked_if' must give an 'item' and the 'codes' that route "
                    "to this question",
                    value=asked_if,
                )
            else:
                asked_item, asked_codes = (
                    str(asked_if["item"]),
                    tuple(int(c) for c in asked_if["codes"]),
                )
        text = _text(problems, file, where, spec.get("text"), langs)
        aliases = _aliases(problems, file, where, spec.get("aliases"))
        row = {
            "id": iid,
            "key": key,
            "instruments": tuple(inst),
            "instrument": inst[0] if len(inst) == 1 else "both",
            "cycles": cycles,
            "factor": factor,
            "factor_name": factors.get(factor, {}).get(langs[0]) if factor else None,
            "construct": construct,
            "scale": scale_name,
            "reverse": reverse,
            "favourable": favourable,
            "neutral": scale.neutral if scale else None,
            "dont_know": scale.dont_know if scale else None,
            "refusal": scale.refusal if scale else None,
            "twin": spec.get("twin"),
            "asked_if_item": asked_item,
            "asked_if_codes": asked_codes,
            **{f"text_{lang}": text[lang] for lang in langs},
            "aliases": aliases,
            "parent": None,
            "option": None,
        }
        if spec.get("multiple", False) is False and scale is not None and not favourable:
            problems.add(
                file,
                f"{where}: its scale '{scale.name}' has no favourable codes",
                expected="'favourable' on the scale or the item (or multiple: true for a "
                "select-all-that-apply question)",
            )
        if spec.get("multiple", False) is not False:
            question = _multiple_choice(problems, file, where, spec, row, scale, langs)
            if question is not None:
                multiples[iid] = question
                rows += _option_rows(row, scale, question, langs)
            continue
        rows.append(row)
    if multiples:
        scales[SELECTED] = Scale(
            SELECTED,
            "nominal",
            {0: dict.fromkeys(langs, "0"), 1: dict.fromkeys(langs, "1")},
            (1,),
        )
    _check_cross_item(problems, file, rows, scales)
    _check_factor_coverage(problems, file, rows, instruments)
    items = pd.DataFrame(rows, columns=_item_columns(langs))
    items["factor"] = items["factor"].astype("Int64")
    return items, multiples


def _multiple_choice(problems, file, where, spec, row, scale, langs) -> MultipleChoice | None:
    """A select-all-that-apply item (``multiple: true``): its options are the codes of a nominal
    scale; it is an experience item, neither reverse-coded nor in a factor."""
    ok = True
    if spec.get("multiple") is not True:
        problems.add(file, f"{where}: 'multiple' must be true or left out", value=spec["multiple"])
        ok = False
    if scale is not None and scale.type != "nominal":
        problems.add(
            file,
            f"{where}: a multiple-choice item takes a nominal scale whose codes are its options",
            value=scale.name,
        )
        ok = False
    if row["construct"] != "experience":
        problems.add(
            file,
            f"{where}: a multiple-choice item is an experience item",
            value=row["construct"],
            expected="construct: experience",
        )
        ok = False
    separator = spec.get("separator")
    if separator is not None and (not isinstance(separator, str) or not separator):
        problems.add(
            file, f"{where}: 'separator' must be the text between options", value=separator
        )
        ok = False
    if not ok or scale is None:
        return None
    return MultipleChoice(
        id=row["id"],
        key=row["key"],
        scale=scale.name,
        options={code: f"{row['id']}__{code}" for code in scale.codes},
        separator=separator,
        aliases=row["aliases"],
        texts={lang: row[f"text_{lang}"] for lang in langs},
        instruments=row["instruments"],
        cycles=row["cycles"],
    )


def _option_rows(
    row: dict, scale: Scale, question: MultipleChoice, langs: tuple[str, ...]
) -> list[dict]:
    """One item per option: "<question>: <option>", on the selected/not selected scale."""
    out = []
    for code, option_id in question.options.items():
        texts = {
            f"text_{lang}": f"{row[f'text_{lang}']}: {scale.label(code, lang)}" for lang in langs
        }
        out.append(
            row
            | texts
            | {
                "id": option_id,
                "key": f"{row['key']}__{code}",
                "scale": SELECTED,
                "favourable": (1,),
                "neutral": None,
                "dont_know": None,
                "refusal": None,
                "aliases": (),
                "parent": row["id"],
                "option": code,
            }
        )
    return out


def _item_columns(langs: tuple[str, ...]) -> list[str]:
    """The columns of :attr:`Codebook.items`: a ``text_<language>`` column per language."""
    at = _ITEM_COLUMNS.index("aliases")
    return [*_ITEM_COLUMNS[:at], *(f"text_{lang}" for lang in langs), *_ITEM_COLUMNS[at:]]


_ITEM_COLUMNS = [
    "id",
    "key",
    "instrument",
    "instruments",
    "cycles",
    "factor",
    "factor_name",
    "construct",
    "scale",
    "reverse",
    "favourable",
    "neutral",
    "dont_know",
    "refusal",
    "twin",
    "asked_if_item",
    "asked_if_codes",
    "aliases",
    "parent",
    "option",
]


def _aliases(problems: ProblemList, file: str, where: str, raw: Any) -> tuple[str, ...]:
    """Other names an export may give the column: a list of strings (codes or texts)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(a, (str, int)) for a in raw):
        problems.add(file, f"{where}: 'aliases' must be a list of column names", value=raw)
        return ()
    return tuple(str(a) for a in raw)


def _cycles_overlap(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> bool:
    return a is None or b is None or bool(set(a) & set(b))


def _check_cross_item(
    problems: ProblemList, file: str, items: list[dict[str, Any]], scales: dict[str, Scale]
) -> None:
    by_id = {row["id"]: row for row in items}
    # a key names one question per cycle
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a["key"] == b["key"] and _cycles_overlap(a["cycles"], b["cycles"]):
                problems.add(
                    file,
                    f"items '{a['id']}' and '{b['id']}' share the cross-cycle key "
                    f"'{a['key']}' in the same cycle; give them different 'cycles' or keys",
                )
    twins_of_effective = set()
    for row in items:
        where = f"item '{row['id']}'"
        if row["construct"] == "mechanism_exists":
            twin = row["twin"]
            other = by_id.get(twin)
            if not twin:
                problems.add(
                    file,
                    f"{where}: a mechanism_exists item must name its 'twin', the item asking "
                    "whether the mechanism is effective in practice",
                )
            elif other is None:
                problems.add(file, f"{where}: its twin '{twin}' is not an item of the codebook")
            else:
                twins_of_effective.add(twin)
                if other["construct"] != "mechanism_effective":
                    problems.add(
                        file,
                        f"{where}: its twin '{twin}' must have construct mechanism_effective",
                        value=other["construct"],
                    )
                if other["factor"] != row["factor"]:
                    problems.add(
                        file,
                        f"{where}: its twin '{twin}' is in another factor",
                        value=other["factor"],
                        expected=str(row["factor"]),
                    )
                if not set(other["instruments"]) & set(row["instruments"]):
                    problems.add(
                        file, f"{where}: its twin '{twin}' is never asked of the same respondents"
                    )
        elif row["twin"]:
            problems.add(file, f"{where}: only mechanism_exists items name a twin")
        if row["asked_if_item"]:
            src = by_id.get(row["asked_if_item"])
            if src is None:
                problems.add(
                    file,
                    f"{where}: 'asked_if' refers to an unknown item",
                    value=row["asked_if_item"],
                )
            else:
                scale = scales.get(str(src["scale"]))
                bad = [
                    c for c in row["asked_if_codes"] if scale is not None and c not in scale.labels
                ]
                if bad:
                    problems.add(
                        file,
                        f"{where}: 'asked_if' codes {bad} are not answers to "
                        f"'{row['asked_if_item']}'",
                    )
    for row in items:
        if row["construct"] == "mechanism_effective" and row["id"] not in twins_of_effective:
            problems.add(
                file,
                f"item '{row['id']}': a mechanism_effective item must be the twin of a "
                "mechanism_exists item",
            )


def _parse(path: Path, raw: Any) -> Codebook:
    file = str(path)
    problems = ProblemList()
    if not isinstance(raw, dict):
        problems.add(
            file, "a codebook must be a YAML mapping with sections " + ", ".join(TOP_LEVEL_KEYS)
        )
        problems.raise_if_errors()
    unknown = set(raw) - set(TOP_LEVEL_KEYS)
    if unknown:
        problems.add(
            file, f"unknown section(s) {sorted(unknown)}", expected=", ".join(TOP_LEVEL_KEYS)
        )
    instruments = raw.get("instruments")
    if not isinstance(instruments, dict) or not instruments:
        problems.add(
            file,
            "the 'instruments' section must name the questionnaires, one per respondent group",
        )
        instruments = {}
    langs = _languages(problems, file, raw)
    instruments = {
        str(k): _text(problems, file, f"instrument '{k}'", v, langs) for k, v in instruments.items()
    }
    groups = parse_groups(
        problems,
        file,
        raw.get("groups"),
        instruments,
        lambda where, entry: _text(problems, file, where, entry, langs),
    )
    scales = _parse_scales(problems, file, raw.get("scales"), langs)
    factors = _parse_factors(problems, file, raw.get("factors"), langs)
    variables = _parse_variables(problems, file, raw.get("respondent_variables"), langs)
    _check_groups(problems, file, groups, variables)
    items, multiples = _parse_items(
        problems, file, raw.get("items"), scales, factors, instruments, variables, langs
    )
    ident = raw.get("identifiers") or {}
    names = {normalise_name(n) for n in ident.get("names", [])}
    patterns = []
    for p in ident.get("patterns", []):
        try:
            patterns.append(re.compile(p))
        except re.error as exc:
            problems.add(
                file, f"identifiers: the pattern {p!r} is not a valid regular expression ({exc})"
            )
    problems.raise_if_errors()
    return Codebook(
        path,
        raw,
        scales,
        factors,
        variables,
        names,
        patterns,
        items,
        instruments,
        problems.warnings,
        multiples,
        groups,
        langs,
    )


def _check_groups(
    problems: ProblemList, file: str, groups: dict[str, Group], variables: dict[str, Any]
) -> None:
    """The groups are the levels of the ``group`` variable, and the variables they name exist."""
    group_var = variables.get("group")
    if group_var is not None and group_var.levels:
        levels = list(group_var.levels)
        if set(levels) != set(groups):
            problems.add(
                file,
                "the levels of the respondent variable 'group' must be the questionnaires",
                value=", ".join(levels),
                expected=", ".join(groups),
            )
    for g in groups.values():
        categories = [n for n, v in variables.items() if v.type == "category"]
        for var in [*(g.subgroups or ()), *([g.decompose_by] if g.decompose_by else [])]:
            if var not in categories:
                problems.add(
                    file,
                    f"group '{g.name}': '{var}' is not a category respondent variable",
                    expected=", ".join(categories),
                )


def _check_factor_coverage(
    problems: ProblemList, file: str, items: list[dict[str, Any]], instruments: dict[str, Any]
) -> None:
    """Warn when a factor has fewer than three items on a questionnaire in some cycle."""
    cycles = sorted({c for r in items if r["cycles"] for c in r["cycles"]}) or [None]
    for inst in instruments:
        for factor in range(1, 11):
            for cycle in cycles:
                n = sum(
                    1
                    for r in items
                    if r["factor"] == factor
                    and inst in r["instruments"]
                    and (r["cycles"] is None or cycle is None or cycle in r["cycles"])
                )
                if 0 < n < 3:
                    when = f" in {cycle}" if cycle else ""
                    problems.warn(
                        file,
                        f"factor {factor} has only {n} item(s) on the {inst} questionnaire"
                        f"{when}; its index and Cronbach's alpha will be fragile",
                    )
