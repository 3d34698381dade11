"""The respondent groups of a codebook: who answers which questionnaire, the order the report shows
them in, how the report names them in each language, and which of them is the administration's own
staff.

A codebook names its groups in an optional ``groups:`` section, one entry per questionnaire of its
``instruments:`` section, in the order the report shows them::

    groups:
      official:
        staff: true                       # the administration's own staff (at most one group)
        label: {en: Officials}            # a table column, a chart legend, a heading
        members: {en: officials}          # in a sentence: "81% of officials ...", "among officials"
        subgroups: [region, role, tenure] # compared by default (the params' analysis: overrides)
        decompose_by: role                # the trend decomposition's variable by default
      private:
        label: {en: Private sector}
        members: {en: private-sector respondents}

``members`` is written as the language's catalogue sentences need it (Ukrainian's sentences take
the genitive: "посадових осіб митниці"). Without the section each questionnaire is a group: its
title is its label, the title with a small first letter its members, and no group is staff (the
sections about staff are then left out, saying why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ProblemList

GROUP_KEYS = ("staff", "label", "members", "subgroups", "decompose_by")


@dataclass(frozen=True)
class Group:
    """One respondent group: its name (a level of the ``group`` variable and a questionnaire),
    its wording per language, its role and its default comparisons.

    Examples
    --------
    >>> g = Group("staff", {"en": "Staff"}, {"en": "staff members"}, staff=True)
    >>> g.label["en"], g.lower("en"), g.staff
    ('Staff', 'staff', True)
    """

    name: str
    label: dict[str, str]
    members: dict[str, str]
    staff: bool = False
    subgroups: tuple[str, ...] | None = None
    decompose_by: str | None = None

    def lower(self, lang: str) -> str:
        """The label as a chart's running text has it, with a small first letter ("officials")."""
        text = self.label[lang]
        return text[:1].lower() + text[1:]


def parse_groups(
    problems: ProblemList,
    file: str,
    raw: Any,
    instruments: dict[str, dict[str, str]],
    wording: Callable[[str, Any], dict[str, str]],
) -> dict[str, Group]:
    """The groups of a codebook's ``groups:`` section (``raw``; None: one group per
    questionnaire, named by its title), each a questionnaire of ``instruments``, in the section's
    order. ``wording(where, entry)`` reads a text given in every language of the codebook."""
    if raw is None:
        return {
            name: Group(
                name,
                dict(titles),
                {lang: text[:1].lower() + text[1:] for lang, text in titles.items()},
            )
            for name, titles in instruments.items()
        }
    if not isinstance(raw, dict) or not raw:
        problems.add(file, "the 'groups' section must map each questionnaire to its wording")
        return parse_groups(problems, file, None, instruments, wording)
    out: dict[str, Group] = {}
    for name, spec in raw.items():
        where = f"group '{name}'"
        if name not in instruments:
            problems.add(
                file,
                f"{where}: not a questionnaire of the 'instruments' section",
                expected=" or ".join(instruments),
            )
            continue
        if not isinstance(spec, dict):
            problems.add(file, f"{where}: expected a mapping with {', '.join(GROUP_KEYS)}")
            continue
        unknown = sorted(set(spec) - set(GROUP_KEYS))
        if unknown:
            problems.add(
                file, f"{where}: unknown setting(s) {unknown}", expected=", ".join(GROUP_KEYS)
            )
        staff = spec.get("staff", False)
        if not isinstance(staff, bool):
            problems.add(file, f"{where}: 'staff' must be true or false", value=staff)
            staff = False
        subgroups = spec.get("subgroups")
        if subgroups is not None and (
            not isinstance(subgroups, list) or not all(isinstance(v, str) for v in subgroups)
        ):
            problems.add(file, f"{where}: 'subgroups' must list respondent variables")
            subgroups = None
        decompose = spec.get("decompose_by")
        if decompose is not None and not isinstance(decompose, str):
            problems.add(file, f"{where}: 'decompose_by' must name a respondent variable")
            decompose = None
        out[name] = Group(
            name,
            wording(f"{where}, label", spec.get("label")),
            wording(f"{where}, members", spec.get("members")),
            staff,
            tuple(subgroups) if subgroups is not None else None,
            decompose,
        )
    missing = [name for name in instruments if name not in raw]
    if missing:
        problems.add(
            file,
            f"the 'groups' section lacks the questionnaire(s) {missing}",
            expected="one group per questionnaire of the 'instruments' section",
        )
    staff = [g.name for g in out.values() if g.staff]
    if len(staff) > 1:
        problems.add(file, f"only one group can be the staff ('staff: true'), not {staff}")
    return out


__all__ = ["GROUP_KEYS", "Group", "parse_groups"]
