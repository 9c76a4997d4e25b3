"""Select the whole COVID news items of dates_numbers.jsonl (local-government items).

Deterministic, no model. Prints one line per item: position in the corpus, item id, split,
published day, body length, local score, cue score.

Source: the CCTV 新闻联播 COVID items (corpora/covid_news), 3,424 items in file order. The body
is `text` with the dateline `央视网消息（新闻联播）：` removed. An item is eligible when
- its body has 250–900 characters (whole items are annotated by reading);
- its title does not match GLOBAL (world counts and foreign roundups) and its body is not the
  national daily case bulletin (BULLETIN), one template repeated hundreds of times;
- it has at least 2 matches of LOCAL (provincial, city and county bodies and posts).
The corpus is cut into 44 equal windows of positions (window k: positions
[k·n/44, (k+1)·n/44)); from each window the eligible item with the most CUES (digits, Chinese
numerals before a measure word, 年/月/日/时 words) is taken, ties to the earliest; 4 windows
have no eligible item, so 40 items are taken (round 1). Round 2, added to have more dev
articles to learn from, takes the second best item of every odd window that has one (17 more);
round 3, for the same reason, the second best of every even window that has one (16 more);
round 4, again for dev, the third best of every window that has one and at least 3 LOCAL
matches (local-government items first): 17 more, all dev; round 5 (session 11), again for dev,
the fourth best of every window that has one and at least 3 LOCAL matches: 16 more, all dev.
Items of the other annotated sets (entities, slogans, linking) may be taken: they carry no
date or number annotation. Items
of rounds 1–3 alternate dev, test, dev, … in selection order (each round in corpus order), so
both splits span 2020–2021 and round 1 keeps its splits; rounds 4 and 5 are all dev.

Usage: python data/annotated/dates_numbers/select_items.py [covid_jsonl]
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = Path("/work/shared/corpora/covid_news/xwlb_covid_2020_2021.jsonl")
WINDOWS = 44
ROUND4_MIN_LOCAL = 3
DATELINE = re.compile(r"^央视网消息（新闻联播）：")
GLOBAL = re.compile(r"全球|世卫|国际联播快讯|确诊病例超|国际疫情|海外")
BULLETIN = re.compile(r"0—24时|国家卫生健康委今天（")
LOCAL = re.compile(
    r"[省市县区州镇乡村](?:委|政府|局|厅|办|指挥部|卫健委)|街道|社区|[省市县区]长|书记"
)
CUES = re.compile(r"\d+|[一二三四五六七八九十两百千万]+[个人家名例次批项条所座处万亿]|[年月日时]")


def body(item: dict) -> str:
    return DATELINE.sub("", item["text"]).strip()


def eligible(item: dict) -> bool:
    text = body(item)
    return (
        250 <= len(text) <= 900
        and not GLOBAL.search(item["title"])
        and not BULLETIN.search(text)
        and len(LOCAL.findall(text)) >= 2
    )


def rounds(items: list[dict]) -> list[list[int]]:
    """Corpus positions of the selected items, per round (1 to 5), each in corpus order."""
    ranked = []
    for k in range(WINDOWS):
        window = range(k * len(items) // WINDOWS, (k + 1) * len(items) // WINDOWS)
        scored = [(len(CUES.findall(body(items[p]))), -p) for p in window if eligible(items[p])]
        ranked.append([-p for _, p in sorted(scored, reverse=True)])
    first = [positions[0] for positions in ranked if positions]
    # Second picks: the odd windows' (round 2), then the even windows' (round 3).
    runners_up = [(k, positions[1]) for k, positions in enumerate(ranked) if len(positions) > 1]
    second = [position for k, position in runners_up if k % 2]
    third = [position for k, position in runners_up if k % 2 == 0]
    thirds = [positions[2] for positions in ranked if len(positions) > 2]
    fourth = [p for p in thirds if len(LOCAL.findall(body(items[p]))) >= ROUND4_MIN_LOCAL]
    fourths = [positions[3] for positions in ranked if len(positions) > 3]
    fifth = [p for p in fourths if len(LOCAL.findall(body(items[p]))) >= ROUND4_MIN_LOCAL]
    return [first, second, third, fourth, fifth]


def select(items: list[dict]) -> list[int]:
    """Corpus positions of the selected items: round 1, then 2, 3, 4 and 5."""
    return [position for positions in rounds(items) for position in positions]


def splits(items: list[dict]) -> list[str]:
    """Split per selected item: rounds 1–3 alternate dev/test, rounds 4 and 5 are all dev."""
    first, second, third, *dev_only = rounds(items)
    count = len(first) + len(second) + len(third)
    added = sum(len(positions) for positions in dev_only)
    return ["test" if order % 2 else "dev" for order in range(count)] + ["dev"] * added


def main(source: Path) -> None:
    with source.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle]
    for pos, split in zip(select(items), splits(items), strict=True):
        item = items[pos]
        text = body(item)
        print(
            pos,
            item["id"],
            split,
            item["pub_date"][:10],
            len(text),
            len(LOCAL.findall(text)),
            len(CUES.findall(text)),
            sep="\t",
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
