"""Check data/annotated/linking/linking.jsonl and print counts per split (stdlib only)."""

import collections
import re
import sys
from pathlib import Path

# The annotated sets' shared line reader (data/annotated/jsonl_lines.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jsonl_lines import parsed_lines

PATH = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("linking.jsonl")


def main():
    errors, ids = [], set()
    counts = collections.defaultdict(collections.Counter)
    for n, d, json_error in parsed_lines(PATH):
        where = f"line {n}"
        if d is None:
            errors.append(f"{where}: bad JSON ({json_error})")
            continue
        for key in ("id", "split", "published", "outlet", "text", "mentions", "officials"):
            if key not in d:
                errors.append(f"{where}: missing key {key}")
        if errors and errors[-1].startswith(where + ": missing"):
            continue
        where = f"line {n} ({d['id']})"
        if d["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(d["id"])
        if d["split"] not in ("dev", "test"):
            errors.append(f"{where}: split {d['split']!r}")
        if d["published"] is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["published"]):
            errors.append(f"{where}: published {d['published']!r}")
        text = d["text"]
        c = counts[d["split"]]
        c["articles"] += 1
        for m in d["mentions"]:
            if (
                not (0 <= m["start"] < m["end"] <= len(text))
                or text[m["start"] : m["end"]] != m["text"]
            ):
                errors.append(f"{where}: mention offsets {m}")
            if m["label"] not in ("LOC", "ORG"):
                errors.append(f"{where}: label {m['label']!r}")
            if m["adcode"] is not None and not re.fullmatch(r"\d{6}", m["adcode"]):
                errors.append(f"{where}: adcode {m['adcode']!r}")
            c["mentions"] += 1
            c["coded mentions"] += m["adcode"] is not None
        seen = set()
        for o in d["officials"]:
            if (
                not (0 <= o["start"] < o["end"] <= len(text))
                or text[o["start"] : o["end"]] != o["person"]
            ):
                errors.append(f"{where}: official offsets {o}")
            if o["adcode"] is not None and not re.fullmatch(r"\d{6}", o["adcode"]):
                errors.append(f"{where}: official adcode {o['adcode']!r}")
            if not o["title"]:
                errors.append(f"{where}: empty title {o}")
            key = (o["person"], o["title"], o["organisation"])
            if key in seen:
                errors.append(f"{where}: duplicate official {key}")
            seen.add(key)
            c["officials"] += 1
    for e in errors:
        print("ERROR", e)
    cols = ["articles", "mentions", "coded mentions", "officials"]
    print("split  " + "  ".join(f"{k:>14}" for k in cols))
    total = collections.Counter()
    for split in ("dev", "test"):
        total.update(counts[split])
        print(f"{split:5}  " + "  ".join(f"{counts[split][k]:>14}" for k in cols))
    print("total  " + "  ".join(f"{total[k]:>14}" for k in cols))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
