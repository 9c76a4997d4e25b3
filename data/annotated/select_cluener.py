"""Pick the CLUENER 2020 train sentences for hand annotation by ANNOTATION.md (third set).

Deterministic, no model: in file order, sentences of at least 15 characters that CLUENER marks
as naming a government body or an address, and no game, movie or
book (those are off our domain). CLUENER's own labels are not handed to the annotators: its
conventions differ from ours (its `address` takes whole addresses, `position` is a label).
Every other candidate goes to batch C, the rest to batch D.

    python data/annotated/select_cluener.py /work/shared/corpora/cluener2020/train.json OUT_DIR
"""

import json
import sys
from pathlib import Path

WANTED = {"government", "address"}
OFF_DOMAIN = {"game", "movie", "book"}


def main(source: Path, out_dir: Path) -> None:
    batches: dict[str, list[str]] = {"C": [], "D": []}
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            record = json.loads(line)
            labels = set(record["label"])
            text = record["text"].strip()
            if labels & WANTED and not labels & OFF_DOMAIN and len(text) >= 15:
                batch = "CD"[sum(map(len, batches.values())) % 2]
                row = {"id": f"cluener:{number}", "text": text}
                batches[batch].append(json.dumps(row, ensure_ascii=False))
    for name, rows in batches.items():
        (out_dir / f"candidates_{name}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(name, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
