"""Pick COVID news sentences about local government for hand annotation (fourth set).

Deterministic, no model. The sentence split and ids are those of the first two sets (README):
split `text` after 。！？ (a closing quote or bracket right after the mark stays with the
sentence) and at newlines, index = position in that split, dateline prefix removed, 15–150
characters kept. A sentence's score is its number of local-body matches (LOCAL below);
sentences naming a foreign country or the national case bulletin score 0. From every item the
two best sentences not annotated yet (ties: earliest) with a score of at least 1 are candidates,
in text order; candidates alternate between batches G and H.

    python data/annotated/select_covid.py \
        /work/shared/corpora/covid_news/xwlb_covid_2020_2021.jsonl \
        data/annotated/ner_news.jsonl OUT_DIR
"""

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

SENTENCE = re.compile(r"[^。！？\n]*(?:[。！？][”’」』）)]*|\n|$)")
DATELINE = re.compile(r"^央视网消息（新闻联播）：")
LOCAL = re.compile(
    r"[省市县区州镇乡村](?:委|政府|人大|政协|局|厅|办|指挥部|医院|中心|卫健委|发改委)"
    r"|街道|社区|指挥部|领导小组|工作组|专班|(?<!总)书记|市长|县长|区长|镇长|主任"
)
FOREIGN = re.compile(
    r"美国|英国|法国|德国|意大利|西班牙|日本|韩国|俄罗斯|巴西|印度|伊朗|世卫|世界卫生组织"
    r"|欧洲|欧盟|非洲|联合国|外交部|大使|总统|首相|总理"
)
PER_ITEM = 2
BULLETIN = re.compile(r"0—24时|国家卫生健康委今天（")


def sentences(text: str, min_chars: int = 15, max_chars: int = 150) -> Iterator[tuple[int, str]]:
    """(index, sentence) as the first sets numbered them, dateline removed, only those of
    `min_chars` to `max_chars` characters kept (select_articles.py keeps every non-empty one)."""
    pieces = [p for p in SENTENCE.findall(text) if p]
    for index, piece in enumerate(pieces):
        sentence = DATELINE.sub("", piece).strip()
        if min_chars <= len(sentence) <= max_chars:
            yield index, sentence


def score(sentence: str) -> int:
    if FOREIGN.search(sentence) or BULLETIN.search(sentence):
        return 0
    return len(LOCAL.findall(sentence))


def main(source: Path, annotated: Path, out_dir: Path) -> None:
    done = {}
    with annotated.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            done[row["id"]] = row["text"]
    batches: dict[str, list[str]] = {"G": [], "H": []}
    reproduced = 0
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            scored: list[tuple[int, int, str]] = []
            for index, sentence in sentences(item.get("text") or ""):
                key = f"{item['id']}:{index}"
                if key in done:
                    reproduced += done[key] == sentence
                    continue
                if (points := score(sentence)) >= 1:
                    scored.append((-points, index, sentence))
            for _, index, sentence in sorted(sorted(scored)[:PER_ITEM], key=lambda s: s[1]):
                batch = "GH"[sum(map(len, batches.values())) % 2]
                row = {"id": f"{item['id']}:{index}", "text": sentence}
                batches[batch].append(json.dumps(row, ensure_ascii=False))
    print(f"{reproduced} annotated COVID sentences found again with the same id and text")
    for name, rows in batches.items():
        (out_dir / f"candidates_{name}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(name, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
