"""Select-all-that-apply answers, read into one 0/1 answer per option.

A :class:`~cipslib.inputs.codebook.MultipleChoice` question arrives in one of two shapes:

* **one column** holding the selected options' labels or codes joined by a separator (Google Forms
  and Microsoft Forms write ``"Option A, Option B"``, KoboToolbox ``"a b"``, Qualtrics' choice-text
  export ``"Option A,Option B"``): the question's ``separator``, else ``;``, ``,``, ``|`` or a
  space, whichever reads every part of the cell as an option (a label that itself holds the
  separator is read whole);
* **one column per option**, headed by the question (id, key, alias or text) and the option (code
  or label) with a separator between (``q05/2``, ``Q5_2``, ``Q5 - Option B``, SurveyMonkey's
  ``Question Option B``), holding 1/0, true/false, yes/no or the option itself when selected
  (SurveyMonkey leaves an unselected option empty).

Either way a respondent who selected nothing and left the question empty has no answer (missing);
one who answered gets 1 for each selected option and 0 for the others. A cell that is "don't
know" or a refusal leaves every option missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import Codebook, MultipleChoice, normalise_name
from .matching import AnswerReader, normalise_text

SEPARATORS = (";", ",", "|", " ")
BETWEEN = " /_-.:?!,[]()"  # what separates a question from its option in a column header
SELECTED = {"1", "true", "yes", "selected", "checked", "x"}
NOT_SELECTED = {"0", "false", "no", "not selected", "unchecked"}


class MultipleChoiceReader:
    """Finds and reads the columns of a cycle's multiple-choice questions.

    Examples
    --------
    >>> from cipslib.inputs.codebook import MultipleChoice, Scale
    >>> scale = Scale("reasons", "nominal", {1: {"en": "Complex rules"}, 2: {"en": "Delays"},
    ...               3: {"en": "Costs, fees"}}, ())
    >>> q = MultipleChoice("why", "WHY", "reasons", {1: "why__1", 2: "why__2", 3: "why__3"},
    ...                    None, (), {"en": "Why?"}, ("private",), None)
    >>> reader = MultipleChoiceReader.for_questions([q], {"reasons": scale})
    >>> reader.option_of("why/2"), reader.option_of("Why? - Costs, fees")
    (('why', 2), ('why', 3))
    >>> reader.selections(q, "Delays, Costs, fees")
    {2, 3}
    """

    def __init__(self, codebook: Codebook, cycle: int):
        asked = [q for q in codebook.multiples.values() if q.cycles is None or cycle in q.cycles]
        self._setup(asked, codebook.scales)

    @classmethod
    def for_questions(cls, questions: list[MultipleChoice], scales) -> MultipleChoiceReader:
        reader = cls.__new__(cls)
        reader._setup(questions, scales)
        return reader

    def _setup(self, questions: list[MultipleChoice], scales) -> None:
        self.questions = {q.id: q for q in questions}
        self.readers = {q.id: AnswerReader(scales[q.scale]) for q in questions}
        prefixes = []
        for q in questions:
            for name in (q.id, q.key, *q.aliases, *q.texts.values()):
                if str(name).strip():
                    prefixes.append((normalise_text(name), q.id))
                    prefixes.append((normalise_name(name), q.id))
        # longest first, so "q5 reason" is not read as "q5" followed by an option "reason ..."
        self.prefixes = sorted(set(prefixes), key=lambda p: -len(p[0]))

    def option_of(self, header: str | None) -> tuple[str, int] | None:
        """(question id, option code) of a per-option column header, or None."""
        if not header or not self.questions:
            return None
        for form in (normalise_text(header), normalise_name(header)):
            for prefix, qid in self.prefixes:
                if len(form) <= len(prefix) or not form.startswith(prefix):
                    continue
                if form[len(prefix)] not in BETWEEN:
                    continue
                code = self.readers[qid].code(form[len(prefix) :].strip(BETWEEN))
                if code in self.questions[qid].options:
                    return qid, code
        return None

    def selections(self, question: MultipleChoice, cell: str) -> set[int] | None:
        """The option codes a joined cell selects; an empty set for "don't know" or a refusal;
        None when some part of the cell is no option."""
        reader = self.readers[question.id]
        whole = reader.code(cell)
        if whole is not None:
            return {whole} & set(question.options)
        for sep in (question.separator,) if question.separator else SEPARATORS:
            found = _split(cell, sep, reader)
            if found is not None and found <= set(question.options):
                return found
        return None

    def joined(
        self, question: MultipleChoice, column: pd.Series
    ) -> tuple[dict[str, pd.Series], dict[str, list[int]]]:
        """Each option's answers ("1", "0" or None) from one column of joined options, and the
        row positions of cells that are not options, by cell."""
        index, distinct = pd.factorize(column.to_numpy(dtype=object))
        read = [self.selections(question, str(v)) for v in distinct]
        bad: dict[str, list[int]] = {}
        for k, found in enumerate(read):
            if found is None:
                bad[str(distinct[k])] = np.flatnonzero(index == k).tolist()
        out = {}
        for code, option_id in question.options.items():
            table = [None if not f else "1" if code in f else "0" for f in read]
            values = np.array([*table, None], dtype=object)[index]
            out[option_id] = pd.Series(values, index=column.index, dtype=object)
        return out, bad

    def per_option(
        self, question: MultipleChoice, columns: dict[int, pd.Series], index: pd.Index
    ) -> tuple[dict[str, pd.Series], dict[int, dict[str, list[int]]]]:
        """Each option's answers from one column per option (options without a column read as
        not selected by those who answered the question), and per option the row positions of
        cells that are neither selected nor not selected, by cell."""
        reader = self.readers[question.id]
        read: dict[int, pd.Series] = {}
        bad: dict[int, dict[str, list[int]]] = {}
        for code, col in columns.items():
            values, wrong = [], {}
            for pos, cell in enumerate(col.to_numpy(dtype=object)):
                answer = _option_cell(cell, code, reader)
                if answer == "?":
                    wrong.setdefault(str(cell), []).append(pos)
                    answer = None
                values.append(answer)
            read[code] = pd.Series(values, index=index, dtype=object)
            if wrong:
                bad[code] = wrong
        answered = pd.concat(read.values(), axis=1).notna().any(axis=1) if read else None
        out = {}
        for code, option_id in question.options.items():
            given = read.get(code, pd.Series(None, index=index, dtype=object))
            out[option_id] = given.where(given.notna() | ~answered, "0").where(answered, None)
        return out, bad


def _split(cell: str, sep: str, reader: AnswerReader) -> set[int] | None:
    """The codes of a cell split at ``sep``, adjacent parts joined where together they are one
    label (a label holding the separator); None when a part is no label or code."""
    parts = [p.strip() for p in cell.split(sep)]
    parts = [p for p in parts if p]
    found, i = set(), 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            code = reader.code(sep.join(parts[i:j]))
            if code is not None:
                found.add(code)
                i = j
                break
        else:
            return None
    return found


def _option_cell(cell, code: int, reader: AnswerReader) -> str | None:
    """ "1", "0", None (empty) or "?" (unreadable) for one cell of an option's column."""
    if cell is None:
        return None
    text = normalise_text(cell)
    if text in SELECTED or reader.code(str(cell)) == code:
        return "1"
    if text in NOT_SELECTED:
        return "0"
    return "?"
