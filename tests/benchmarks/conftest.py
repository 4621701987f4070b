"""The benchmark tests import the top-level ``benchmarks`` package from the repository root.

``python -m pytest`` puts the working directory on ``sys.path``; the ``pytest`` script does not,
so the root is added here. ``SHARED`` is the read-only OR-Library folder beside the checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
