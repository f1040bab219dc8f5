"""The examples' modules on the path for the pytest suites here."""

import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
for folder in (EXAMPLES, EXAMPLES / "pagerank", EXAMPLES / "mlp"):
    sys.path.insert(0, str(folder))
