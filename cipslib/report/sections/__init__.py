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
``compare``         ``report.compare``     how the factor indices compare with a
                                           benchmark's peers (params ``benchmark:``)
``annex_section``   ``report.annex``       the annex, the sheets of tables.xlsx
==================  =====================  ===============================================

Examples
--------
>>> from cipslib.report import Report
>>> report = Report.build("params/2024.yaml")
>>> str(report.front.title_page())[:40]
'<section class="title-page"><p class="ki'
>>> str(report.method.about())[:46]
'<p>Respondents analysed: 914 (read 925; 11 exc'
>>> str(report.factors.heading(3))
'<h3 class="factor-page" id="factor-3">3. Transparency</h3>'
>>> [type(block).__name__ for block in report.factors.page(3)]
['HTML', 'HTML', 'Figure', 'HTML']
>>> str(report.drivers.intro())  # 2024 did not ask the overall rating: the heading says so
''
>>> str(report.experience.security())[:40]
'<p>Organised-crime pressure reported by '
>>> report.experience.choices()  # the 2024 questionnaire has no multiple-choice question
[]
>>> str(report.subgroups.note("official", "region"))[19:72]
'No subgroup differs significantly from the rest of it'
>>> str(report.trends.table("official"))
'<p>There is no previous cycle to compare with.</p>'
>>> list(report.kpis.frame().columns[:3]), len(report.kpis.frame())
(['kpi', 'name', 'dimension'], 8)
>>> [sheet.name for sheet in report.annex.sheets()][:3]
['Estimates', 'Questions', 'Answers']
"""

from __future__ import annotations

from .annex_section import Annex
from .compare import Compare
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
    "Compare",
    "Drivers",
    "Experience",
    "Factors",
    "Front",
    "Kpis",
    "Method",
    "Subgroups",
    "Trends",
]
