"""Append round 4 to slogans_news.jsonl from the written surfaces (throw-away helper, stdlib).

Usage (from data/annotated/slogans): python work/build_round4.py /tmp/round4.jsonl
where the argument is select_round4.py's output."""

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from build_round3 import build
from round4_surfaces import NOT_SLOGANS, SLOGANS

if __name__ == "__main__":
    build(Path(sys.argv[1]), 4, SLOGANS, NOT_SLOGANS)
