"""The shipped demo cycles: their files, and the cycles loaded and checked.

Naming the demo files needs neither numpy nor pandas (reading a params file with ``data: demo``
resolves a path here before anything is computed); loading them does.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .loading import CycleData

DEMO_CYCLES = (2024, 2025)
DEMO_FILES = {2024: "cips_2024.csv", 2025: "cips_2025.sav"}


def demo_dir() -> Path:
    """Folder of the demo files shipped with cipslib."""
    return Path(str(resources.files("cipslib") / "data" / "demo"))


def demo_path(cycle: int) -> Path:
    """Path of a shipped demo file (2024: data-entry CSV; 2025: online tool's SPSS export)."""
    if cycle not in DEMO_FILES:
        raise ValueError(f"there is no demo cycle {cycle}; the demo cycles are {list(DEMO_FILES)}")
    return demo_dir() / DEMO_FILES[cycle]


def demo_cycle(cycle: int) -> CycleData:
    """A demo cycle with its missing-answer reasons and load report.

    Examples
    --------
    >>> cycle = demo_cycle(2024)
    >>> cycle.cycle, len(cycle.data)
    (2024, 925)
    """
    from .loading import load_cycle

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
