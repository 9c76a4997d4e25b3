"""Pick the round-4 items of slogans_news.jsonl: 24 more whole news items spread over the corpus,
on topics other than the epidemic alone and rich in formula shapes (stdlib only; prints one JSON
line per picked item).

Usage: python data/annotated/slogans/select_round4.py [covid_news.jsonl]

Rule (deterministic, no model or lexicon): for k = 0…23, start at item 60 + 142·k and walk
forward to the first item that (1) is in no annotated set of data/annotated (select_round3.py's
test), (2) passes the round-1 filters, (3) has a body of 300 to 1,200 characters, (4) has a title
on economy, Party building, poverty alleviation, rural revitalisation, ecology or diplomacy
(TOPIC) and (5) shows at least four formula signals (SIGNALS: short quotes, series of short
parts joined by 、, numbered 一X一Y, campaigns, 坚持/统筹 frames). Picked items alternate dev,
test, dev… in pick order. Rounds 1-3 were read before this rule was written, so it looks at
shapes and topics, not at any formula of the lexicon.
"""

import re
import sys
from pathlib import Path

from select_round2 import COVID_NEWS
from select_round3 import print_picks

COUNT, FIRST, STEP, MAX_CHARS, MIN_SIGNALS = 24, 60, 142, 1200, 4
HAN = "\u4e00-\u9fff"
TOPIC = re.compile(
    "经济|发展|改革|开放|党|脱贫|扶贫|小康|乡村|振兴|农|粮|生态|环境|绿色|长江|黄河|"
    "外交|会见|会谈|通话|合作|一带一路|创新|就业|消费|市场|企业|民生|治理|考察"
)
SIGNALS = re.compile(
    rf"“[{HAN}+、，]{{2,12}}”"
    rf"|[{HAN}]{{2,6}}(?:、[{HAN}]{{2,6}})+"
    rf"|一([{HAN}])一(?!\1)[{HAN}]"
    "|攻坚战|保卫战|阻击战|坚持|统筹"
)


def fits(item: dict, text: str) -> bool:
    """Length, topic and formula signals of a round-4 item."""
    return (
        300 <= len(text) <= MAX_CHARS
        and TOPIC.search(item["title"]) is not None
        and len(SIGNALS.findall(text)) >= MIN_SIGNALS
    )


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else COVID_NEWS
    print_picks(corpus, COUNT, FIRST, STEP, fits)


if __name__ == "__main__":
    main()
