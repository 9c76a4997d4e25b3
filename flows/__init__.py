"""zhnews: Chinese local-government news to analysis-ready Parquet tables."""

from pathlib import Path

# The checkout the package runs from: models/, configs/ and data/ are found relative to it.
REPO_ROOT = Path(__file__).resolve().parents[1]
