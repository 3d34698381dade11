"""The shipped demo cycles, loaded and checked."""

from __future__ import annotations

import pandas as pd

from .loading import CycleData, load_cycle
from .synthetic import DEMO_CYCLES, demo_path


def demo_cycle(cycle: int) -> CycleData:
    """A demo cycle with its missing-answer reasons and load report.

    Examples
    --------
    >>> cycle = demo_cycle(2024)
    >>> cycle.cycle, len(cycle.data)
    (2024, 925)
    """
    if cycle not in DEMO_CYCLES:
        raise ValueError(f"there is no demo cycle {cycle}; the demo cycles are {list(DEMO_CYCLES)}")
    return load_cycle(demo_path(cycle), cycle=cycle)


def demo_data(cycle: int) -> pd.DataFrame:
    """The demo cycle ``cycle`` (2024 or 2025), loaded through the shipped codebook and checked.

    2024 is read from the CSV a data-entry team produced from paper questionnaires (cp1251,
    semicolons); 2025 from an online survey tool's SPSS export. The data are synthetic (see
    :mod:`cipslib.synthetic`).

    Examples
    --------
    >>> data = demo_data(2024)
    >>> data["group"].value_counts().sort_index().to_dict()
    {'official': 448, 'private': 477}
    """
    return demo_cycle(cycle).data
