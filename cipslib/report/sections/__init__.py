"""The sections of the findings report, a module each: every section is a class made on the
report's shared context (:class:`cipslib.report.context.ReportContext`), and a
:class:`~cipslib.report.blocks.Report` carries one of each as an attribute
(``report.factors.page(3)``).

==================  =====================  ===============================================
module              ``Report`` attribute   what it shows
==================  =====================  ===============================================
``front``           ``report.front``       title page, dashboard, executive summary
``method``          ``report.method``      who answered, sample, method, weighting, quality
                                           screens, reliability
``factors``         ``report.factors``     factor chart and table, pairs of groups, gaps, a
                                           page per factor (likert chart, items)
``drivers``         ``report.drivers``     key drivers: sentences, action grid, table
``experience``      ``report.experience``  experience indicators, multiple choice, security
``subgroups``       ``report.subgroups``   heatmaps by respondent variable, their tables
``trends``          ``report.trends``      series, change since the previous cycle,
                                           decomposition
``kpis``            ``report.kpis``        the PMM KPI table
``annex_section``   ``report.annex``       the annex, the sheets of tables.xlsx
==================  =====================  ===============================================
"""

from __future__ import annotations

from .annex_section import Annex
from .drivers import Drivers
from .experience import Experience
from .factors import Factors
from .front import Front
from .kpis import Kpis
from .method import Method
from .subgroups import Subgroups
from .trends import Trends

__all__ = [
    "Annex",
    "Drivers",
    "Experience",
    "Factors",
    "Front",
    "Kpis",
    "Method",
    "Subgroups",
    "Trends",
]
