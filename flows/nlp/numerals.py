"""Parse Chinese, Arabic and mixed numerals into floats.

`parse_numeral` is the one value parser behind `flows.nlp.dates` and `flows.nlp.numbers`. It accepts
the forms found in cleaned Simplified-Chinese news: Arabic digits with thousands separators
(`1,234`), Arabic digits scaled by Chinese units (`5.7万`, `70.91亿`, `1万600`), positional
Chinese numerals (`三千五百万`, `一百零八`, `廿二`), digit-by-digit readings (`二〇二二`),
colloquial abbreviations (`三万五` = 35000, `两千六` = 2600), decimals (`三点五`), fractions
(`二分之一`) and percentages (`百分之五十` = 50: the unit is the caller's business).
It never raises: anything that is not a numeral gives None.
"""

from __future__ import annotations

import math
import re

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "幺": 1, "壹": 1, "二": 2, "两": 2, "兩": 2,
    "贰": 2, "三": 3, "叁": 3, "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
# 廿/卅/卌 are single characters for 20/30/40, still common in dates (廿二日).
TENS: dict[str, int] = {"廿": 20, "卅": 30, "卌": 40}

NUMERAL_CHARS = "".join([*DIGITS, *SMALL_UNITS, *BIG_UNITS, *TENS])
_TOKEN = re.compile(rf"\d+(?:\.\d+)?|[{NUMERAL_CHARS}]|点|\.")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_FRACTION = re.compile(r"(.+?)分之(.+)")


def parse_numeral(text: str) -> float | None:
    """Return the value of a numeral string, or None when `text` is not one numeral."""
    s = _THOUSANDS.sub("", text.strip())
    if not s:
        return None
    sign = 1.0
    if s[0] in "负-":
        sign, s = -1.0, s[1:].lstrip()
    if s.startswith("百分之"):
        value = _parse_plain(s[3:])
    elif fraction := _FRACTION.fullmatch(s):
        value = _parse_fraction(fraction.group(1), fraction.group(2))
    elif s in ("半", "一半"):
        value = 0.5
    else:
        value = _parse_plain(s)
    if value is None or not math.isfinite(value):
        return None
    return sign * value


def _parse_fraction(denominator: str, numerator: str) -> float | None:
    """`二分之一` -> 0.5; None on a zero or unparsable part."""
    den, num = _parse_plain(denominator), _parse_plain(numerator)
    if den is None or num is None or den == 0:
        return None
    return num / den


def _tokenize(s: str) -> list[str] | None:
    """Split into Arabic numbers, numeral characters and decimal points; None on any other char."""
    tokens: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(s):
        if match.start() != pos:
            return None
        tokens.append(match.group())
        pos = match.end()
    return tokens if pos == len(s) and tokens else None


def _parse_plain(s: str) -> float | None:
    """Parse an unsigned numeral: integer part with units, optional 点/. and digit fraction."""
    tokens = _tokenize(s)
    if tokens is None:
        return None
    points = [i for i, tok in enumerate(tokens) if tok in ("点", ".")]
    if len(points) > 1:
        return None
    if points:
        integer, fraction = tokens[: points[0]], tokens[points[0] + 1 :]
        frac = _digit_sequence(fraction)
        if frac is None or not (integer or tokens[points[0]] == "."):
            return None
        whole = _parse_integer(integer) if integer else 0.0
        return None if whole is None else whole + float("0." + frac)
    return _parse_integer(tokens)


def _digit_sequence(tokens: list[str]) -> str | None:
    """Digits read one by one (`二〇二二`, `一二点三`): their concatenation, else None."""
    out = []
    for tok in tokens:
        if tok in DIGITS:
            out.append(str(DIGITS[tok]))
        elif tok.isdigit():
            out.append(tok)
        else:
            return None
    return "".join(out) or None


def _parse_integer(tokens: list[str]) -> float | None:
    """Value of a numeral without a decimal point made of `tokens`."""
    if not any(tok in SMALL_UNITS or tok in BIG_UNITS or tok in TENS for tok in tokens):
        if len(tokens) == 1 and not tokens[0][0].isdigit() and tokens[0] not in DIGITS:
            return None
        if len(tokens) == 1 and "." in tokens[0]:
            return float(tokens[0])
        digits = _digit_sequence(tokens)
        return None if digits is None else float(digits)
    return _positional(tokens)


def _positional(tokens: list[str]) -> float | None:
    """Positional numeral with units; handles implicit 一 (十二, 百二万) and 三万五 = 35000."""
    total = 0.0  # everything closed by 万/亿
    section = 0.0  # value below the current 万/亿 group
    pending: float | None = None  # a digit waiting for its unit
    last_unit = 0  # unit closed just before `pending`, for the colloquial tail
    after_zero = False
    pending_is_chinese = False
    for tok in tokens:
        if tok in DIGITS or tok[0].isdigit():
            if pending is not None:
                return None
            if tok in ("零", "〇", "○"):
                after_zero, last_unit = True, 0
                continue
            pending = float(DIGITS[tok]) if tok in DIGITS else float(tok)
            pending_is_chinese = tok in DIGITS
        elif tok in TENS:
            if pending is not None:
                return None
            section += TENS[tok]
            last_unit = 10
        elif tok in SMALL_UNITS:
            unit = SMALL_UNITS[tok]
            section += (1.0 if pending is None else pending) * unit
            pending, last_unit, after_zero = None, unit, False
        else:
            unit = BIG_UNITS[tok]
            group = section + _tail(pending, pending_is_chinese, last_unit, after_zero)
            if group == 0 and total == 0:
                group = 1.0  # 万九 = 19000: a bare leading 万 means 一万
            if unit == BIG_UNITS["亿"]:
                total = (total + group) * unit
            else:
                total += group * unit
            section, pending, last_unit, after_zero = 0.0, None, unit, False
    return total + section + _tail(pending, pending_is_chinese, last_unit, after_zero)


def _tail(pending: float | None, is_chinese: bool, last_unit: int, after_zero: bool) -> float:
    """Value of a digit left without its own unit.

    In 三万五, 两千六 and 百二万 a lone Chinese digit right after a unit of 百 or more counts in
    the next lower unit; after 零 (一千零五) or written in Arabic digits (1万600) it is units.
    """
    if pending is None:
        return 0.0
    if is_chinese and last_unit >= 100 and not after_zero:
        return pending * last_unit / 10
    return pending
