"""The key drivers of the overall integrity rating: what goes most with it in each group (design-
based standardised coefficients and relative weights, :mod:`cipslib.analysis.drivers`), as
sentences, an action grid and a table.
"""

from __future__ import annotations

import pandas as pd

from ...analysis.drivers import outcome_item
from ...analysis.omissions import sections_left_out
from ..context import HTML, Section, groups_present


class Drivers(Section):
    """The key drivers: sentences, and an action grid and a table per group. A report has one as
    ``report.drivers``; :mod:`cipslib.report.sections` shows each in use."""

    def _with_index(self) -> pd.DataFrame:
        """The key-driver table with each factor's current index of the group."""
        d = self.r.findings.tables.get("drivers", pd.DataFrame())
        if d.empty:
            return d
        fac = self.r.findings.tables["factors"][["factor", "group", "index"]]
        return d.merge(fac, on=["factor", "group"], how="left")

    def intro(self) -> HTML:
        """What the key-driver analysis is, then per group one sentence on what goes most with the
        overall rating and which of those factors scores lowest (association, not cause)."""
        if "drivers" in sections_left_out(self.r.omitted):
            return HTML("")
        d = self._with_index()
        outcome = outcome_item(self.r.cb, self.r.params.drivers.get("outcome"), self.r.params.cycle)
        statement = "" if outcome is None else outcome[f"text_{self.r.language}"]
        parts = [self.r.text("drivers_intro", outcome=str(statement).rstrip("."))]
        for group in groups_present(self.r):
            part = d[d["group"] == group] if not d.empty else d
            if part.empty:
                parts.append(self.r.text("drivers_too_few", group=self.r.group_label(group)))
                continue
            top = part.sort_values("importance", ascending=False).head(2)
            act = part[
                (part["importance"] > part["importance"].mean())
                & (part["index"] < part["index"].mean())
            ]
            name = lambda k: self.r.cb.factor_name(int(k), self.r.language)  # noqa: E731
            parts.append(
                self.r.text(
                    "drivers_sentence",
                    group=self.r.group_members(group),
                    first=name(top["factor"].iloc[0]),
                    second=name(top["factor"].iloc[1]),
                    share=self.r.fmt.value(top["importance"].sum(), "%"),
                    r2=self.r.fmt.number(part["r_squared"].iloc[0], 2),
                    act=", ".join(name(k) for k in act["factor"])
                    or self.r.text("drivers_act_none"),
                )
            )
        return HTML("".join(str(self.r.paragraph(p)) for p in parts))

    def page(self, group: str) -> list:
        """A group's key drivers: the action grid and the table."""
        return [self.chart(group), self.table(group)]

    def table(self, group: str) -> HTML:
        """A group's key drivers, most important first: importance (% of R²) with its CI, the
        standardised coefficient with its CI, and the factor's current index."""
        d = self._with_index()
        part = d[d["group"] == group] if not d.empty else d
        if part.empty:
            return HTML("")
        rows = [
            {
                self.r.col("factor"): self.r.cb.factor_name(int(r["factor"]), self.r.language),
                self.r.col("importance"): (
                    f"{self.r._num(r['importance'], 1)} "
                    f"({self.r._ci(r['importance_ci_low'], r['importance_ci_high'], 1)})"
                ),
                self.r.col("beta"): self.r.fmt.number(r["beta"], 2, signed=True),
                self.r.col("ci"): self.r._ci(r["ci_low"], r["ci_high"], 2),
                self.r.col("index"): self.r._num(r["index"]),
            }
            for _, r in part.sort_values("importance", ascending=False).iterrows()
        ]
        first = part.iloc[0]
        caption = self.r.text(
            "drivers_note",
            group=self.r.group_label(group),
            r2=self.r.fmt.number(first["r_squared"], 2),
            n=self.r._n(first["n"]),
        )
        return self.r._table(pd.DataFrame(rows), caption)

    def chart(self, group: str):
        """The key drivers of the overall integrity rating as an action grid; None without a
        driver analysis."""
        from ..charts import driver_grid

        drivers = self.r.findings.tables.get("drivers")
        if drivers is not None and not drivers.empty and "index" not in drivers.columns:
            factors = self.r.findings.tables["factors"][["group", "factor", "index"]]
            drivers = drivers.merge(factors, on=["group", "factor"], how="left")
        return driver_grid(drivers, self.r.cb, group, self.r.labels, self.r.language)
