"""Check slogans_news.jsonl (hand-annotated slogans / 提法 on whole CCTV news items).

Stdlib only. Usage: python data/annotated/slogans/validate.py [path]
Checks: JSON per line, keys and types, unique ids, split values and alternation (dev, test,
dev, ... by article order) in rounds 1, 3 and 4, round-2 items dev, rounds in order, published date
format, no dateline prefix in text, offsets in range with text[start:end] == text field,
canonical without quotation marks, kinds, no overlapping slogans, no slogan overlapping a
not_slogan, spans sorted. Prints counts per split; exit 1 on any problem.
"""

import itertools
import re
import sys
from collections import Counter
from pathlib import Path

# The annotated sets' shared line reader (data/annotated/jsonl_lines.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jsonl_lines import parsed_lines

KINDS = {"quoted", "numbered", "parallel", "phrase"}
SPLITS = ("dev", "test")
# Round 1: 60 items alternating dev/test; round 2: dev items picked for formula shapes
# (select_round2.py); round 3: 24 items spread over the corpus (select_round3.py), alternating
# dev/test again; round 4: 24 items on topics beyond the epidemic alone, rich in formula shapes
# (select_round4.py), alternating too. Rounds follow each other in the file.
ROUNDS = (1, 2, 3, 4)
ALTERNATING = (1, 3, 4)
QUOTES = re.compile(r"[“”‘’「」『』\"']")
DATELINE = "央视网消息（新闻联播）："


def check(path):
    errors = []
    stats = {s: Counter() for s in SPLITS}
    ids = set()
    last_round = 1
    in_round = 0
    for ln, art, json_error in parsed_lines(path):
        where = f"line {ln}"
        if art is None:
            errors.append(f"{where}: bad JSON ({json_error})")
            continue
        keys = {"id", "split", "published", "text", "slogans", "not_slogans"}
        if set(art) - {"round"} != keys:
            errors.append(f"{where}: keys {sorted(art)} != {sorted(keys)} (+ round)")
            continue
        round_number = art.get("round", 1)
        if round_number not in ROUNDS:
            errors.append(f"{where}: bad round {round_number!r}")
            continue
        where = f"line {ln} ({art['id']})"
        if art["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(art["id"])
        split = art["split"]
        if split not in SPLITS:
            errors.append(f"{where}: bad split {split!r}")
            continue
        if round_number < last_round:
            errors.append(f"{where}: round {round_number} after round {last_round}")
        in_round = in_round + 1 if round_number == last_round else 1
        last_round = round_number
        if round_number in ALTERNATING and split != SPLITS[(in_round - 1) % 2]:
            errors.append(f"{where}: round-{round_number} splits alternate dev/test, dev first")
        if round_number == 2 and split != "dev":
            errors.append(f"{where}: round-2 items are dev")
        stats[split][f"round {round_number}"] += 1
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(art["published"])):
            errors.append(f"{where}: bad published {art['published']!r}")
        text = art["text"]
        if not isinstance(text, str) or not text:
            errors.append(f"{where}: empty text")
            continue
        if text.startswith(DATELINE):
            errors.append(f"{where}: dateline not stripped")

        def span_ok(sp, label, extra, where=where, text=text):
            if set(sp) != {"start", "end", "text"} | extra:
                errors.append(f"{where}: {label} keys {sorted(sp)}")
                return False
            s, e = sp["start"], sp["end"]
            if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
                errors.append(f"{where}: {label} bad offsets {s}-{e}")
                return False
            if text[s:e] != sp["text"]:
                errors.append(f"{where}: {label} text mismatch {text[s:e]!r} != {sp['text']!r}")
                return False
            if sp["text"] != sp["text"].strip():
                errors.append(f"{where}: {label} surrounding spaces {sp['text']!r}")
            return True

        slogans = art["slogans"]
        nots = art["not_slogans"]
        good = []
        for sp in slogans:
            if not span_ok(sp, "slogan", {"canonical", "kind"}):
                continue
            if sp["kind"] not in KINDS:
                errors.append(f"{where}: bad kind {sp['kind']!r}")
            can = sp["canonical"]
            if not can or QUOTES.search(can):
                errors.append(f"{where}: canonical has quote marks or is empty: {can!r}")
            if re.search(r"[，,；;]", can):
                errors.append(f"{where}: canonical parts must be joined by 、: {can!r}")
            if "“" in sp["text"] and sp["kind"] != "quoted":
                errors.append(f"{where}: quoted text {sp['text']!r} not of kind quoted")
            good.append(sp)
            stats[split][sp["kind"]] += 1
        for a, b in itertools.pairwise(good):
            if b["start"] < a["start"]:
                errors.append(f"{where}: slogans not sorted")
            if b["start"] < a["end"]:
                errors.append(f"{where}: overlapping slogans {a['text']!r} / {b['text']!r}")
        for sp in nots:
            if not span_ok(sp, "not_slogan", {"why"}):
                continue
            if not sp["why"]:
                errors.append(f"{where}: not_slogan without why")
            for g in good:
                if g["start"] < sp["end"] and sp["start"] < g["end"]:
                    errors.append(
                        f"{where}: not_slogan {sp['text']!r} overlaps slogan {g['text']!r}"
                    )
            stats[split]["not_slogans"] += 1
        stats[split]["articles"] += 1
        stats[split]["chars"] += len(text)
    return errors, stats


def main():
    default = Path(__file__).with_name("slogans_news.jsonl")
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    errors, stats = check(path)
    total = Counter()
    for split in SPLITS:
        c = stats[split]
        total.update(c)
        n = sum(c[k] for k in KINDS)
        rounds = ", ".join(f"{r} {c[r]}" for r in sorted(c) if r.startswith("round "))
        print(
            f"{split}: {c['articles']} articles ({rounds}), {c['chars']} chars, {n} slogans "
            f"(quoted {c['quoted']}, numbered {c['numbered']}, parallel {c['parallel']}, "
            f"phrase {c['phrase']}), {c['not_slogans']} not_slogans"
        )
    n = sum(total[k] for k in KINDS)
    print(
        f"total: {total['articles']} articles, {total['chars']} chars, {n} slogans, "
        f"{total['not_slogans']} not_slogans"
    )
    for e in errors:
        print("ERROR", e)
    if errors:
        print(f"{len(errors)} problem(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
