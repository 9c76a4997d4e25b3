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
Items of the other annotated sets (entities, slogans, linking) may be taken by rounds 1–5: they
carry no date or number annotation.
Round 6 (session 11), for dev, seeks the date kinds rounds 1–5 hold few of (parts of months,
weekdays, 同期, quarters, half-years, relative spans, five-year plans, decades, anniversaries,
festivals, full dates, month and day ranges: RARE_DATES). It takes fresh text only: items in
no annotated set (OTHER_SETS as of OTHER_SETS_COMMIT, nor rounds 1–5), 250–900 characters,
not GLOBAL nor BULLETIN, with any number of LOCAL matches (only 15 such items have 2 or more).
The corpus is cut into 22 equal windows; from each the item with the most RARE_DATES matches,
at least 3, is taken (ties to the earliest): 19 items, all dev. Items
of rounds 1–3 alternate dev, test, dev, … in selection order (each round in corpus order), so
both splits span 2020–2021 and round 1 keeps its splits; rounds 4 to 6 are all dev.

Usage: python data/annotated/dates_numbers/select_items.py [covid_jsonl]
"""

import json
import re
import subprocess
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
ROUND6_WINDOWS = 22
ROUND6_MIN_RARE = 3
OTHER_SETS = HERE.parent
# The other sets as they were when round 6 was chosen: items annotated there since (entities
# rounds 5-6 came the same day) must not change round 6's picks.
OTHER_SETS_COMMIT = "aec90cd"
ITEM_ID = re.compile(r"VIDE[0-9A-Za-z]{26}")
RARE_DATES = re.compile(
    r"[上中下]旬|月[初底末]|同期|周[一二三四五六日末]|星期|[上本下]周|季度|[上下]半年|年代|世纪"
    r"|十[三四]五|周年|年前|(?:近|过去|未来|前)[\d一二三四五六七八九十两几]+个?[年月天日周]"
    r"|\d{4}年\d{1,2}月|农历|春节|元旦|清明|端午|中秋|国庆|五一|元宵|除夕|[纪念]日"
    r"|至\d{1,2}[月日]|—\d{1,2}[月日]"
)


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


def annotated_elsewhere() -> set[str]:
    """Item ids in the other annotated sets (entities, slogans, linking) at OTHER_SETS_COMMIT."""
    root = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = OTHER_SETS.resolve().relative_to(root).as_posix()
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", OTHER_SETS_COMMIT, folder],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    own = HERE.resolve().relative_to(root).as_posix() + "/"
    ids: set[str] = set()
    for path in listing:
        if not path.startswith(own):
            shown = subprocess.run(
                ["git", "show", f"{OTHER_SETS_COMMIT}:{path}"],
                cwd=root,
                capture_output=True,
                check=True,
            ).stdout.decode("utf-8", errors="ignore")
            ids.update(ITEM_ID.findall(shown))
    return ids


def sixth_round(items: list[dict], taken: set[int]) -> list[int]:
    """Round 6: per window, the fresh item richest in the date kinds rounds 1–5 hold few of."""
    elsewhere = annotated_elsewhere()
    picks = []
    for k in range(ROUND6_WINDOWS):
        window = range(k * len(items) // ROUND6_WINDOWS, (k + 1) * len(items) // ROUND6_WINDOWS)
        scored = []
        for p in window:
            text = body(items[p])
            if (
                p not in taken
                and items[p]["id"] not in elsewhere
                and 250 <= len(text) <= 900
                and not GLOBAL.search(items[p]["title"])
                and not BULLETIN.search(text)
            ):
                scored.append((len(RARE_DATES.findall(text)), -p))
        if scored and max(scored)[0] >= ROUND6_MIN_RARE:
            picks.append(-max(scored)[1])
    return picks


def rounds(items: list[dict]) -> list[list[int]]:
    """Corpus positions of the selected items, per round (1 to 6), each in corpus order."""
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
    earlier = [first, second, third, fourth, fifth]
    sixth = sixth_round(items, {p for positions in earlier for p in positions})
    return [*earlier, sixth]


def select(items: list[dict]) -> list[int]:
    """Corpus positions of the selected items: round 1, then 2 to 6."""
    return [position for positions in rounds(items) for position in positions]


def splits(items: list[dict]) -> list[str]:
    """Split per selected item: rounds 1–3 alternate dev/test, rounds 4 to 6 are all dev."""
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
