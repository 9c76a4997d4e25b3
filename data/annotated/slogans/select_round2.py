"""Pick the round-2 dev items of slogans_news.jsonl: news items that hold the formula shapes the
first 60 items show too rarely (stdlib only; prints one JSON line per picked item).

Usage: python data/annotated/slogans/select_round2.py [covid_news.jsonl] [slogans_news.jsonl]

Rule (deterministic, no model or lexicon): for each shape below and each of two starting points
(item 0 and item 1712, the middle of the file), walk the corpus in file order and take the first
item that (1) is not already annotated or picked, (2) passes the round-1 filters (body of at
least 300 characters after the dateline, title not matching 全球|世卫|国际联播快讯|确诊病例超),
(3) has a body of at most 1,200 characters, and (4) matches the shape. No item fits 以X制X.
"""

import json
import re
import sys
from pathlib import Path

HAN = "\u4e00-\u9fff"
SHAPES = {
    "counter (以X制X)": rf"以([{HAN}])制\1",
    "repeated verb (稳X稳Y, 保X保Y)": rf"([稳保])[{HAN}]{{1,2}}、?\1[{HAN}]",
    "superlatives (最X、最Y)": rf"最[{HAN}]{{1,3}}、?最[{HAN}]",
    "numbered (一X一Y)": rf"一([{HAN}])一(?!\1)[{HAN}]",
    "campaign (…保卫战/攻坚战/阻击战)": "保卫战|攻坚战|阻击战",
}
STARTS = (0, 1712)
ANNOTATED = "slogans_news.jsonl"
DATELINE = "央视网消息（新闻联播）："
TITLE_SKIP = re.compile("全球|世卫|国际联播快讯|确诊病例超")
REPO = Path(__file__).resolve().parents[3]
COVID_NEWS = REPO.parent / "shared" / "corpora" / "covid_news" / "xwlb_covid_2020_2021.jsonl"


def body(item: dict) -> str:
    text = item["text"]
    return (text[len(DATELINE) :] if text.startswith(DATELINE) else text).strip()


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else COVID_NEWS
    annotated = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).with_name(ANNOTATED))
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    lines = annotated.read_text(encoding="utf-8").splitlines()
    taken = {item["id"] for item in map(json.loads, lines) if item.get("round", 1) == 1}
    for shape, pattern in SHAPES.items():
        for start in STARTS:
            for number in range(start, len(items)):
                item = items[number]
                text = body(item)
                if (
                    item["id"] in taken
                    or TITLE_SKIP.search(item["title"])
                    or not 300 <= len(text) <= 1200
                    or not re.search(pattern, text)
                ):
                    continue
                taken.add(item["id"])
                row = {"number": number, "shape": shape, "id": item["id"], "title": item["title"]}
                print(json.dumps(row, ensure_ascii=False))
                break


if __name__ == "__main__":
    main()
