"""Charts of the findings report (matplotlib/seaborn), drawn from the findings tables only.

One palette throughout, chosen to stay readable when printed in grey (the diverging scale runs
dark-light- mid grey-light-dark with the sides told apart by position, the two groups by marker
shape as well as colour). Every chart states its base n and carries a caption; suppressed cells are
left blank and marked "<10". Figures are deterministic: the same findings give the same image bytes.

Every chart takes ``ax=`` (seaborn's convention): it draws on that axes' figure, or on a new figure
of its own size when ``ax`` is None. Figures are made without pyplot and drawn inside :data:`STYLE`,
so importing or calling this module leaves matplotlib's backend, rcParams and open figures as they
were.
"""

from __future__ import annotations

import functools

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..analysis.disclosure import hidden_label
from ..inputs.codebook import Codebook

DIVERGING = [
    "#8c2d04",
    "#f4a582",
    "#bdbdbd",
    "#92c5de",
    "#08519c",
]  # strongly disagree ... strongly agree
GROUP_STYLE = {
    "official": {"color": "#08519c", "marker": "o"},
    "private": {"color": "#d95f0e", "marker": "s"},
}
RAW_STYLE = {"color": "#969696", "marker": "D"}
WIDTH = 7.2
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "svg.hashsalt": "cipslib",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def styled(chart):
    """Draw ``chart`` inside the report style; rcParams are restored when it returns."""

    @functools.wraps(chart)
    def draw(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return chart(*args, **kwargs)

    return draw


def _figure(ax, figsize: tuple[float, float]):
    """The figure and axes to draw on: ``ax``'s own, or a new pyplot-free figure of ``figsize``
    inches."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _label(labels: dict, key: str) -> str:
    """A text from the language catalogue's ``report`` section (the key itself if it is missing)."""
    return labels.get(key, key)


def _margins(fig, left: float, bottom: float, top: float = 0.45, right: float = 0.2) -> None:
    """Fixed margins in inches (tight_layout measures every label and costs more than the
    drawing)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h)


def _caption(fig, text: str) -> None:
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=7.5, color="#404040", wrap=True)


def _wrap(text: str, width: int = 48) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


@styled
def likert_bars(
    fnd, cb: Codebook, factor: int, group: str, labels: dict, lang: str = "en", ax=None
):
    """Diverging stacked bars of a factor's agree/disagree items for one group, centred on the
    neutral answer (half of the neutral share on each side of zero)."""
    dist = fnd.tables["distributions"]
    items = fnd.tables["items"]
    ids = items[(items["factor"] == factor) & (items["group"] == group)]["item"].tolist()
    d = dist[dist["item"].isin(ids) & (dist["group"] == group)]
    if d.empty:
        return None
    fig, ax = _figure(ax, (WIDTH, 0.55 * len(ids) + 1.4))
    texts, ns = [], []
    for y, iid in enumerate(ids):
        rows = d[d["item"] == iid].sort_values("code")
        item_text = cb.item(iid)[f"text_{lang}"]
        shown = not rows["suppressed"].any()
        n = rows["n"].iloc[0] if shown else np.nan
        base = f"n = {int(n)}" if shown else f"n {hidden_label(fnd.meta['min_cell'])}"
        texts.append(f"{_wrap(item_text)}\n({base})")
        ns.append(n)
        if not shown:
            continue
        shares = rows["share"].to_numpy()
        scale = cb.scale_of(iid)
        codes = rows["code"].to_numpy()
        neutral = scale.neutral
        if cb.item(iid)["reverse"]:
            shares, codes = shares[::-1], codes[::-1]
        left = (
            -shares[codes < neutral].sum() - shares[codes == neutral].sum() / 2
            if neutral
            else -shares[:2].sum()
        )
        for k, share in enumerate(shares):
            ax.barh(
                y,
                share,
                left=left,
                color=DIVERGING[k % len(DIVERGING)],
                edgecolor="white",
                height=0.7,
            )
            if share >= 6:
                ax.text(
                    left + share / 2,
                    y,
                    f"{share:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if k in (0, 4) else "black",
                )
            left += share
    ax.set_yticks(range(len(ids)), texts, fontsize=7.5)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.set_xlabel(_label(labels, "percent_of_valid_answers"))
    scale = cb.scale_of(ids[0])
    handles = [Rectangle((0, 0), 1, 1, color=DIVERGING[k]) for k in range(len(scale.labels))]
    fig.legend(
        handles,
        [scale.label(c, lang) for c in scale.labels],
        ncol=3,
        fontsize=7,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.03),
        frameon=False,
    )
    ax.set_title(f"{cb.factor_name(factor, lang)}: {_label(labels, group)}")
    _margins(fig, left=2.9, bottom=0.95)
    _caption(fig, _label(labels, "caption_likert"))
    return fig


@styled
def factor_dots(fnd, cb: Codebook, labels: dict, lang: str = "en", ax=None):
    """Factor index with 95% CI for officials and the private sector."""
    fac = fnd.tables["factors"]
    fac = fac[~fac["suppressed"]]
    if fac.empty:
        return None
    fig, ax = _figure(ax, (WIDTH, 4.6))
    factors = sorted(fac["factor"].unique())
    offsets = {"official": -0.15, "private": 0.15}
    for g, part in fac.groupby("group"):
        part = part.set_index("factor").reindex(factors)
        y = np.arange(len(factors)) + offsets.get(g, 0)
        ax.errorbar(
            part["index"],
            y,
            xerr=[part["index"] - part["ci_low"], part["ci_high"] - part["index"]],
            fmt=GROUP_STYLE[g]["marker"],
            color=GROUP_STYLE[g]["color"],
            capsize=2,
            markersize=5,
            label=f"{_label(labels, g)} (n = {int(part['n'].max())})",
        )
    ax.set_yticks(range(len(factors)), [f"{k}. {cb.factor_name(int(k), lang)}" for k in factors])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.axvline(50, color="#bdbdbd", linewidth=0.8, linestyle=":")
    ax.set_xlabel(_label(labels, "index_axis"))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    _margins(fig, left=2.6, bottom=0.75, top=0.2)
    _caption(fig, _label(labels, "caption_factors"))
    return fig


@styled
def subgroup_heatmap(
    fnd, cb: Codebook, group: str, variable: str, labels: dict, lang: str = "en", ax=None
):
    """Factor index by subgroup level; suppressed cells are blank and read "<10"."""
    sub = fnd.tables["subgroups"]
    if sub.empty:
        return None
    t = sub[
        (sub["group"] == group) & (sub["variable"] == variable) & (sub["kind"] == "factor_index")
    ]
    if t.empty:
        return None
    levels = [lev for lev in cb.variables[variable].levels if lev in set(t["level"])]
    wide = t.pivot_table(index="factor", columns="level", values="estimate", dropna=False).reindex(
        columns=levels
    )
    hidden = (
        t.pivot_table(index="factor", columns="level", values="suppressed", aggfunc="max")
        .reindex(columns=levels)
        .fillna(False)
        .astype(bool)
    )
    ns = t.groupby("level")["n"].max().reindex(levels)
    fig, ax = _figure(ax, (WIDTH, 0.35 * len(wide) + 1.8))
    annot = wide.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    annot = annot.mask(hidden, hidden_label(fnd.meta["min_cell"]))
    sns.heatmap(
        wide,
        ax=ax,
        cmap="Blues",
        vmin=30,
        vmax=80,
        annot=annot.to_numpy(),
        fmt="",
        cbar=False,
        linewidths=0.5,
        linecolor="white",
        annot_kws={"fontsize": 7.5},
    )
    ax.set_yticks(
        np.arange(len(wide)) + 0.5,
        [f"{k}. {cb.factor_name(int(k), lang)}" for k in wide.index],
        rotation=0,
    )
    ax.set_xticks(
        np.arange(len(levels)) + 0.5,
        [
            f"{_wrap(cb.level_label(variable, lev, lang), 12)}\n"
            + (f"n = {int(ns[lev])}" if pd.notna(ns[lev]) else hidden_label(fnd.meta["min_cell"]))
            for lev in levels
        ],
        rotation=0,
        fontsize=7,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(f"{_label(labels, group)}: {cb.variables[variable].labels.get(lang, variable)}")
    _margins(fig, left=2.9, bottom=0.9)
    _caption(fig, _label(labels, "caption_heatmap"))
    return fig


@styled
def trend_dumbbell(fnd, cb: Codebook, group: str, labels: dict, lang: str = "en", ax=None):
    """Change of each factor index since the previous cycle: raw (unweighted) against
    standardised."""
    tr = fnd.tables.get("trends")
    if tr is None or tr.empty:
        return None
    t = tr[(tr["group"] == group) & (tr["kind"] == "factor_index")]
    if t.empty:
        return None
    wide = t.pivot_table(index="factor", columns="comparison", values="change")
    lo = t[t["comparison"] == "standardised"].set_index("factor")
    factors = list(wide.index)
    fig, ax = _figure(ax, (WIDTH, 4.4))
    y = np.arange(len(factors))
    for i, k in enumerate(factors):
        ax.plot(
            [wide.loc[k, "raw"], wide.loc[k, "standardised"]],
            [i, i],
            color="#bdbdbd",
            linewidth=2,
            zorder=1,
        )
    ax.scatter(
        wide["raw"],
        y,
        color=RAW_STYLE["color"],
        marker=RAW_STYLE["marker"],
        zorder=2,
        label=_label(labels, "raw_change"),
    )
    ax.errorbar(
        wide["standardised"],
        y,
        xerr=[
            lo.loc[factors, "change"] - lo.loc[factors, "ci_low"],
            lo.loc[factors, "ci_high"] - lo.loc[factors, "change"],
        ],
        fmt=GROUP_STYLE[group]["marker"],
        color=GROUP_STYLE[group]["color"],
        capsize=2,
        zorder=3,
        label=_label(labels, "adjusted_change"),
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [f"{k}. {cb.factor_name(int(k), lang)}" for k in factors])
    ax.invert_yaxis()
    ax.set_xlabel(_label(labels, "change_axis"))
    n_now, n_prev = int(lo["n"].max()), int(lo["n_prev"].max())
    ax.set_title(
        f"{_label(labels, group)}: {fnd.previous_cycle} (n = {n_prev}) → {fnd.cycle} (n = {n_now})"
    )
    fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.04), ncol=2, fontsize=7.5, frameon=False)
    _margins(fig, left=2.6, bottom=1.0)
    _caption(fig, _label(labels, "caption_trend"))
    return fig


@styled
def gap_chart(fnd, cb: Codebook, labels: dict, lang: str = "en", ax=None):
    """Words vs action: % saying a mechanism exists and % saying it is effective, per factor and
    group."""
    gaps = fnd.tables["gaps"]
    gaps = gaps[~gaps["suppressed"]] if not gaps.empty else gaps
    if gaps.empty:
        return None
    rows = gaps.sort_values(["factor", "group"])
    fig, ax = _figure(ax, (WIDTH, 0.42 * len(rows) + 1.4))
    y = np.arange(len(rows))
    for i, (_, r) in enumerate(rows.iterrows()):
        ax.plot(
            [r["effective"], r["exists"]],
            [i, i],
            color=GROUP_STYLE[r["group"]]["color"],
            linewidth=2.5,
            alpha=0.6,
        )
    ax.scatter(
        rows["exists"],
        y,
        color="black",
        marker="|",
        s=120,
        zorder=3,
        label=_label(labels, "exists"),
    )
    ax.scatter(
        rows["effective"],
        y,
        facecolor="white",
        edgecolor="black",
        marker="o",
        zorder=3,
        label=_label(labels, "effective"),
    )
    ax.set_yticks(
        y,
        [
            f"{cb.factor_name(int(r['factor']), lang)} – {_label(labels, r['group'])} "
            f"(n = {int(r['n'])})"
            for _, r in rows.iterrows()
        ],
        fontsize=7.5,
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(_label(labels, "percent_agree"))
    ax.legend(loc="lower right", fontsize=7.5, frameon=False)
    _margins(fig, left=3.6, bottom=0.75, top=0.2)
    _caption(fig, _label(labels, "caption_gap"))
    return fig


@styled
def sample_composition(fnd, group: str, cb: Codebook, labels: dict, lang: str = "en", axes=None):
    """Sample against population shares for each weighting variable of a group."""
    s = fnd.tables["sample"]
    s = s[s["group"] == group] if not s.empty else s
    if s.empty:
        return None
    variables = list(dict.fromkeys(s["variable"]))
    if axes is None:
        fig = Figure(figsize=(WIDTH, 2.8))
        axes = fig.subplots(1, len(variables), squeeze=False)[0]
    fig = axes[0].figure
    for ax, var in zip(axes, variables, strict=True):
        part = s[s["variable"] == var]
        y = np.arange(len(part))
        ax.barh(
            y - 0.2,
            part["sample_pct"].fillna(0),
            height=0.4,
            color="#969696",
            label=_label(labels, "sample"),
        )
        ax.barh(
            y + 0.2,
            part["population_pct"],
            height=0.4,
            color=GROUP_STYLE[group]["color"],
            label=_label(labels, "population"),
        )
        ax.set_yticks(y, [cb.level_label(var, lev, lang) for lev in part["level"]], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(_wrap(cb.variables[var].labels.get(lang, var), 22), fontsize=8)
        ax.set_xlabel("%", fontsize=7.5)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        names,
        fontsize=7,
        frameon=False,
        loc="lower right",
        ncol=2,
        bbox_to_anchor=(0.99, 0.0),
    )
    n = fnd.tables["weighting"].set_index("group")["n"].get(group)
    shown_n = (
        f"n = {int(n)}"
        if n is not None and pd.notna(n)
        else f"n {hidden_label(fnd.meta['min_cell'])}"
    )
    fig.suptitle(f"{_label(labels, group)} ({shown_n})", fontsize=10, fontweight="bold")
    fig.subplots_adjust(left=0.16, right=0.98, bottom=0.26, top=0.76, wspace=0.8)
    _caption(fig, _label(labels, "caption_sample"))
    return fig


@styled
def share_bars(names: list[str], shares: list[float], xlabel: str, ax=None):
    """One horizontal bar per row (a cycle, the population) with its percentage written beside
    it."""
    fig, ax = _figure(ax, (WIDTH, 2.4))
    ax.barh(range(len(names)), shares, color=["#969696", "#08519c", "#d95f0e"][: len(names)])
    for i, v in enumerate(shares):
        ax.text(v + 1, i, f"{v:.0f}%", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.invert_yaxis()
    fig.tight_layout()
    return fig
