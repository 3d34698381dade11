"""How we compare: each factor index of the report against the peer median and quartiles of a
benchmark across administrations (the params' ``benchmark:``, a summary ``cips benchmark``
writes). Shown within the factors section when the params name a summary; nothing otherwise.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from ...inputs.peers import load_peer_summary
from ...text.catalogue import load_catalogue
from ..charts import peer_ranges
from ..context import HTML, Section


class Compare(Section):
    """The report's factor indices beside the peers' (``report.compare``)."""

    @cached_property
    def peers(self) -> pd.DataFrame:
        """The summary's rows (empty without a benchmark)."""
        path = self.r.params.benchmark
        return pd.DataFrame() if path is None else load_peer_summary(path)

    @cached_property
    def words(self) -> dict:
        return load_catalogue(self.r.language)["benchmark"]

    def _own(self, group: str) -> pd.DataFrame:
        fac = self.r.findings.tables["factors"]
        fac = fac[(fac["group"] == group) & ~fac["suppressed"].astype(bool)]
        columns = ["factor", "estimate", "ci_low", "ci_high"]
        return fac.rename(columns={"index": "estimate"})[columns]

    def groups(self) -> list[str]:
        """The groups the report and the benchmark both have."""
        if self.peers.empty:
            return []
        present = set(self.r.findings.tables["factors"]["group"]) & set(self.peers["group"])
        return [g for g in self.r.cb.group_names if g in present]

    def chart(self, group: str):
        """The peers' quartiles and median per factor, and this report's index with its CI."""
        peers = self.peers[self.peers["group"] == group]
        chart = self.words["chart"] | {
            "own": self.words["this_one"],
            "read": self.words["compare_read"],
            "title": self.words["compare_title"],
        }
        labels = {**self.words, "chart": chart}
        return peer_ranges(peers, self.r.cb, labels, group, self.r.language, own=self._own(group))

    def table(self, group: str) -> HTML:
        """Per factor: this report's index, the peers' Q1, median and Q3, administrations."""
        own = self._own(group).set_index("factor")
        rows = []
        for _, p in self.peers[self.peers["group"] == group].sort_values("factor").iterrows():
            k = int(p["factor"])
            mine = own["estimate"].get(k)
            rows.append(
                {
                    self.r.col("factor"): self.r._factor_label(k),
                    self.words["this_one_column"]: self.r._num(mine),
                    self.words["col"]["q1"]: self._peer(p["q1"]),
                    self.words["col"]["median"]: self._peer(p["median"]),
                    self.words["col"]["q3"]: self._peer(p["q3"]),
                    self.words["col"]["administrations"]: self.r.fmt.count(p["administrations"]),
                }
            )
        return self.r._table(pd.DataFrame(rows))

    def _peer(self, v) -> str:
        return "–" if pd.isna(v) else self.r.fmt.number(v, 0)

    def page(self) -> list:
        """The subheading, how to read it and each group's chart and table; nothing without a
        benchmark."""
        groups = self.groups()
        if not groups:
            return []
        lead = self.words["compare_lead"].format(
            administrations=self.r.fmt.count(int(self.peers["administrations"].max()))
        )
        head = self.r.subheading(self.words["compare"], "compare")
        return [head, self.r.paragraph(lead)] + [(self.chart(g), self.table(g)) for g in groups]
