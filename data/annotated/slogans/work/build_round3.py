"""Append round 3 to slogans_news.jsonl from the written surfaces (throw-away helper, stdlib).

Usage (from data/annotated/slogans): python work/build_round3.py /tmp/round3.jsonl
where the argument is select_round3.py's output."""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from round3_surfaces import NOT_SLOGANS, SLOGANS
from select_round2 import COVID_NEWS, body


def find(text: str, surface: str, occurrence: int) -> int:
    starts = [m.start() for m in re.finditer(re.escape(surface), text)]
    if len(starts) < occurrence:
        raise SystemExit(f"{surface!r}: occurrence {occurrence} of {len(starts)}")
    return starts[occurrence - 1]


def build(picks_path: Path, round_number: int, slogans: dict, not_slogans: dict) -> None:
    """Append one round's items, in pick order, with offsets computed from the surfaces."""
    picks = [json.loads(line) for line in picks_path.read_text().splitlines()]
    items = [json.loads(line) for line in COVID_NEWS.read_text(encoding="utf-8").splitlines()]
    out = HERE.parent / "slogans_news.jsonl"
    lines = []
    for number, pick in enumerate(picks):
        item = items[pick["number"]]
        text = body(item)
        found = []
        for surface, occurrence, kind, canonical in slogans[number]:
            start = find(text, surface, occurrence)
            if canonical is None:
                canonical = re.sub(r"[“”]", "", surface).replace("，", "、")
            found.append(
                {"start": start, "end": start + len(surface), "text": surface,
                 "canonical": canonical, "kind": kind}
            )
        nots = []
        for surface, occurrence, why in not_slogans[number]:
            start = find(text, surface, occurrence)
            nots.append({"start": start, "end": start + len(surface), "text": surface, "why": why})
        row = {
            "id": item["id"], "split": pick["split"], "round": round_number,
            "published": f"{item['date'][:4]}-{item['date'][4:6]}-{item['date'][6:]}",
            "text": text,
            "slogans": sorted(found, key=lambda s: s["start"]),
            "not_slogans": sorted(nots, key=lambda s: s["start"]),
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main() -> None:
    build(Path(sys.argv[1]), 3, SLOGANS, NOT_SLOGANS)


if __name__ == "__main__":
    main()
