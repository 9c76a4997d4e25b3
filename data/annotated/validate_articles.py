"""Check ner_news_articles.jsonl (whole COVID news items, split by item) and print its counts.

Usage: python data/annotated/validate_articles.py [path]
(default: ner_news_articles.jsonl next to this script)

Checks: valid JSON objects, id `<item id>:<sentence index>` unique, non-empty text, entities
`[start, end, label]` with int offsets in range, end exclusive, sorted, non-overlapping, no
surrounding spaces, label PERSON/ORG/LOC, split dev/dev2/dev3/dev4/train and one split per item.
Prints counts per label per split. Exits 1 and lists every problem if anything is invalid.
"""

import sys
from collections import Counter, defaultdict
from pathlib import Path

from validate import checked_records, entity_problems

LABELS = ("PERSON", "ORG", "LOC")
SPLITS = ("dev", "dev2", "dev3", "dev4", "train")
DEFAULT = Path(__file__).with_name("ner_news_articles.jsonl")


def record_problems(record: object, seen_ids: set[str]) -> list[str]:
    """Return the problems of one parsed record (empty when it is valid)."""
    if not isinstance(record, dict):
        return ["not a JSON object"]
    problems = []
    rid, text, ents = record.get("id"), record.get("text"), record.get("entities")
    if not isinstance(rid, str) or rid.count(":") != 1:
        problems.append(f"bad id {rid!r}")
    elif not rid.split(":")[1].isdigit():
        problems.append(f"sentence index is not a number in {rid!r}")
    elif rid in seen_ids:
        problems.append(f"duplicate id {rid}")
    if record.get("split") not in SPLITS:
        problems.append(f"bad split {record.get('split')!r}")
    extra = set(record) - {"id", "text", "entities", "split"}
    if extra:
        problems.append(f"unexpected keys {sorted(extra)}")
    if not isinstance(text, str) or not text.strip():
        return [*problems, "missing text"]
    if text != text.strip():
        problems.append("text has surrounding space")
    return [*problems, *entity_problems(text, ents)]


def main(path: Path) -> int:
    """Validate every line of path, print counts, return the exit status."""
    seen: set[str] = set()
    item_splits: defaultdict[str, set[str]] = defaultdict(set)
    counts: Counter[tuple[str, str]] = Counter()
    sentences: Counter[str] = Counter()
    n_bad = 0
    for record, problems in checked_records(path, lambda record: record_problems(record, seen)):
        if record is None or problems:
            n_bad += 1
            continue
        seen.add(record["id"])
        split = record["split"]
        item_splits[record["id"].split(":")[0]].add(split)
        sentences[split] += 1
        for _, _, label in record["entities"]:
            counts[(split, label)] += 1
    for item, splits in sorted(item_splits.items()):
        if len(splits) > 1:
            print(f"item {item}: sentences in both splits")
            n_bad += 1
    items = Counter(next(iter(s)) for s in item_splits.values())
    print(f"{path.name}: {sum(sentences.values())} sentences, {len(item_splits)} items")
    for split in (*SPLITS, "all"):
        chosen = SPLITS if split == "all" else (split,)
        per_label = {lab: sum(counts[(s, lab)] for s in chosen) for lab in LABELS}
        label_text = " ".join(f"{lab} {n}" for lab, n in per_label.items())
        n_items = sum(items[s] for s in chosen)
        n_sents = sum(sentences[s] for s in chosen)
        print(f"  {split}: {n_items} items, {n_sents} sentences, {label_text}")
    if n_bad:
        print(f"{n_bad} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
