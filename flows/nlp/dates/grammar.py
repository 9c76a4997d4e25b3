"""The date grammar: `_ATOM`, the regex of every expression `extract_dates` finds, with the
patterns around it (what may follow a day, range joins, open-range suffixes) and the word tables
that map relative words to offsets.
"""

import re

from flows.nlp import festivals

HOLIDAY_NAMES = "|".join(festivals.NAMES)
QUOTED_HOLIDAY_NAMES = "|".join(festivals.QUOTED_NAMES)

_CN = "〇零一二两三四五六七八九"
# 上 that ends a locative or time word (网上年货节, 晚上月色) is not "last" (上年, 上月).
_NOT_LOCATIVE = "(?<![网线晚早马会路身世街台面地手头班])"
# 前 that opens a span of weeks (前三周) stands after no word or after 在/的/于 (not 发病前14天);
# 前两个月 is the year's first months (statistics), 前两天 and 前两年 are vague.
_NOT_AFTER_WORD = "(?:(?<![\u4e00-\u9fff])|(?<=[在的于]))"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = (
    r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?"
    r"|廿[一二三四五六七八九]?|[一二三四五六七八九]"
)
_PART_OF_DAY = "凌晨|清晨|早上|早晨|上午|中午|午间|午后|下午|傍晚|晚上|晚间|夜间|夜里|深夜"
# 28日晚 (but 28日晚会, 晚报, 晚餐): the evening of that day.
_EVENING = "晚(?![会报餐饭宴点辈年些稻期])"
_CLOCK = r"\d{1,2}(?:[时点](?:\d{1,2}分|半|钟)?|:\d{2}(?::\d{2})?时?)许?"


def _any_of(*groups: str) -> str:
    """Regex conditional that fails unless at least one of `groups` took part in the match."""
    return "".join(f"(?({g})|" for g in groups) + "(?!)" + ")" * len(groups)


# Every date starts with one of these; testing it first keeps the scan fast.
_FIRST_CHARS = "".join(
    sorted(
        set(
            _CN
            + "0123456789十廿首年今去前明后本上下这当次大昨翌周星礼截目近连日每凌清早中午"
            + "傍晚夜第“全农阴正冬腊过未最月刚"
            + "".join(name[0] for name in festivals.NAMES)
        )
    )
)
_ATOM = re.compile(
    rf"""
    (?=[{_FIRST_CHARS}])
    (?:(?P<iso>(?<!\d)(?P<iy>\d{{4}})(?P<isep>[-/.\x20])(?P<im>1[0-2]|0?[1-9])(?P=isep)(?P<id>3[01]|[12]\d|0?[1-9])(?![\d.]))
    |(?P<hol>(?:(?P<hy>\d{{4}})年|(?P<hyrel>今|去|明)年)?(?P<hq>“)?(?P<h>{HOLIDAY_NAMES}|(?<=“)(?:{QUOTED_HOLIDAY_NAMES})(?=”))(?(hq)”))
    |(?P<years>(?<!\d)(?P<ya>\d{{4}})\s?(?:-|—|－|~|～|至|到)\s?(?P<yb>\d{{4}})年)
    |(?P<dmy>(?<![\d.])(?P<dd>3[01]|[12]\d|0?[1-9])(?P<dsep>[./\x20])(?P<dm>1[0-2]|0?[1-9])(?P=dsep)(?P<dy>\d{{4}})(?![\d.]))
    |(?P<months>(?:(?P<msy>\d{{4}})年|(?P<msrel>今|去|明)年)?(?<!\d)(?P<ma>1[0-2]|[1-9])\s?(?:-|—|－|~|～|至|到)\s?(?P<mb>1[0-2]|[1-9])月份?)
    |(?P<decade>(?P<cent>上个?世纪|20世纪|二十世纪|本世纪|21世纪|二十一世纪)?(?P<dec>[一二三四五六七八九]十|[1-9]0)年代(?P<dp>初|中期|末)?)
    |(?P<century>(?P<crel>上个?|本)?(?(crel)|(?P<cn>二十一|二十|十[一二三四五六七八九]|[12]\d))世纪(?P<cp>初|末)?)
    |(?P<plan>(?P<pq>“)?十(?P<pn>[一二三四五六七八九])五(?(pq)”)(?:时期|(?=期间)|(?!”?[\u4e00-\u9fff]{{0,6}}?(?:规划|纲要))))
    |(?P<span>(?:(?P<sdir>近|过去的?|最近|未来|今后|{_NOT_AFTER_WORD}前(?=\S{{1,3}}(?:周|个星期)))(?P<sn>\d{{1,3}}|[一二两三四五六七八九十]{{1,3}})(?P<su>年|个月|个星期|周|天|日)(?![以来前后内多]))
      |(?P<tm>今明|明后)两(?P<tmu>[天日年]))
    |(?P<ago>(?<![\d{_CN}十百近约多第这那每])(?P<an>\d{{1,3}}|[一二两三四五六七八九十]{{1,3}})(?P<au>年|个月|个星期|周|天)之?(?P<adir>前|后))
    |(?P<season>(?:(?:(?P<sy>\d{{4}})年|(?P<syrel>今年|去年|明年|这个))(?P<ss>[春夏秋冬])[天季]
        |(?P<sshort>[今去明])(?P<sss>[春夏秋冬])(?![节运装令菜播种耕收风雨雪灾奥残粮灌汛]))
      (?:[今明](?P<ss2>[春夏秋冬])[天季]?)?)
    |(?P<lunar>(?=(?:\d{{4}}年|[今去明]年)?(?:农历|阴历)|[正冬腊]月|(?:十[一二]?|[一二三四五六七八九])月初|大年初)
      (?:(?P<ly>\d{{4}})年|(?P<lyrel>[今去明])年)?(?:农历|阴历)?(?:(?P<lm>十[一二]?|[正一二三四五六七八九冬腊])月|大年(?=初))
      (?P<ld>初[一二三四五六七八九十]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十|十[一二三四五六七八九]?)(?![日号\d]))
    |(?P<cal>(?<![\d{_CN}十百千万.])
      (?:(?:(?P<y>\d{{4}}|\d{{2}}|[〇零一二三四五六七八九]{{4}}|[〇零一二三四五六七八九]{{2}})\x20?|(?P<yrel>今|去|前|明|后|本|{_NOT_LOCATIVE}(?:上一|上)|下|次|全))年(?:度(?![\d{_CN}十]))?(?:\x20(?=\d))?)?
      (?:(?:(?P<m>{_MONTH})\x20?|(?P<mrel>本|{_NOT_LOCATIVE}(?:上上个|上上|上一个|上个|上)|下下个|下下|下个|这个|下|当))月份?(?:\x20(?=\d))?)?
      (?:(?P<d>{_DAY})(?:(?P<dj>、|至|到|—|－|-|~|～)(?P<d2>{_DAY}))?\x20?[日号])?
      (?:(?:第|(?P<qrel>上个|上|本|这个|下个|下))?(?P<q>[一二三四1-4首])?(?:季度|(?<=首)季)(?P<qp>末|初)?|(?P<half>上|下)半年|前(?P<qn>[一二三两])个?季度
        |前(?P<mn>1[0-2]|[1-9]|[一二三四五六七八九十两]{{1,2}})个?月|(?P<yp>年底|年初|年末|年中|年内|底|初|末|伊始|内)
        |(?P<mp>上中旬|中下旬|上旬|中旬|下旬|上半月|下半月|月初|月底|月末|(?<=[月份])(?:首周|第[一二三四]周))|前(?P<wkn>[一二两三四])周)?
      {_any_of("y", "yrel", "m", "mrel", "d", "q", "qrel", "half", "qn", "mn", "yp", "mp")})
    |(?P<thisbreak>这个(?:小长假|长假|假期|黄金周))
    |(?P<rel>大大前天|大大后天|大前天|大后天|前天|(?<!日)本日|前日|昨天|昨日|昨晚|今天|今日|今晨|今晚|(?<!的|好)明天|明日|后天|当天|当日|当晚|次日|翌日)
    |(?P<week>(?<![\d一二两三四五六七八九十几每])(?P<wrel>上上个?|下下个?|上一|上个|下个|上|下|本|这个?|(?:刚刚|刚)?过去的(?=周末))?
      (?:周|星期|礼拜)(?:(?P<wend>末)|(?:周|星期)?(?P<wd>[一二三四五六日天1-7]))?
      {_any_of("wrel", "wd")})
    |(?P<vague>截至目前为止|截至目前|截止目前|目前|近日|近期|连日来|日前|近来|近年来|当前(?=[，,、]|正|仍|已|我|全|各|要))
    |(?P<freq>每日|每天|每周|每月(?:(?:{_DAY})[日号])?|每年(?:(?:{_MONTH})月(?:(?:{_DAY})[日号])?)?)
    |(?P<tod>{_PART_OF_DAY}))
    """,
    re.VERBOSE,
)
_CLOCK_JOIN = r"\s?(?:至|到|—|－|-|~|～)\s?"
# 0-24时: an hour without its 时 opens a clock range whose end has one.
_BARE_HOUR = rf"\d{{1,2}}(?={_CLOCK_JOIN}{_CLOCK})"
# What may follow a day: a parenthesised date (今天（1月8日）), a part of day, a clock time.
_DAY_TAIL = re.compile(
    rf"(?:（(?P<pm>\d{{1,2}})月(?P<pd>\d{{1,2}})日）)?(?:（?(?:星期|周)[一二三四五六日天]）?)?"
    rf"(?:{_PART_OF_DAY}|{_EVENING})?(?:(?:{_CLOCK}|{_BARE_HOUR})(?:{_CLOCK_JOIN}(?:{_PART_OF_DAY})?{_CLOCK})?)?"
)
# A closed range ending in 间 (1月到3月间): "between", as 期间 is "during".
BETWEEN = re.compile(r"间(?![隔接距断歇])")
_RANGE_JOIN = re.compile(r"起?\s?(?:至|到|——|—|－|-|~|～)\s?")
_OPEN_SUFFIX = re.compile(r"以来|至今|到现在|起|开始|期间")
# Words after a holiday's day that belong to it, as a part of day does (除夕当晚, 端午当天).
HOLIDAY_SAME_DAY = re.compile(r"当天|当日|当晚|夜(?![间里校市场])")
# Words after a holiday that mean its whole (official) holiday, as 期间 does.
HOLIDAY_SPAN = re.compile(r"假日期间|期间|假期|假日|小长假|长假|黄金周")
# Suffixes that make a holiday the latest one up to publication (国庆以来 read in August).
SINCE_SUFFIXES = ("以来", "至今", "到现在")
# A holiday right before these words names an event or a product (国庆招待会) or the
# festival's customs (清明祭扫, 端午习俗), not a date.
_HOLIDAY_NAME_TAIL = re.compile(
    r"招待会|晚会|联欢会|献礼|档|特刊|贺卡|礼盒|礼包|祭扫|祭祖|习俗|民俗|文化|传统|盛典|庆典"
    r"|典礼|阅兵|祝"
)
# 清明时节: the season around a festival, a vague time rather than its day.
HOLIDAY_SEASON = "时节"
_BARE_DAY_BEFORE = frozenset("近每前后第连续数余多个约")
# A bare day (no month) before these is a count or a label: 3日内, 27号病床, “远望7号”.
_BARE_DAY_AFTER = re.compile(
    r"[日号](?:内|后|以内|之内|以后|左右|楼|线|院|文|令|房|床|车|机|馆|门|口|位)"
    r"|号(?:”|病|主|船|集|泊|码|站|桥|墩|坞|井|仓|罐|塔|舱|展|窗|柜|字|卫星|机组|文件)"
)

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
REL_DAYS = {
    "大大前天": -4, "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0,
    "今日": 0, "今晨": 0, "今晚": 0, "本日": 0, "前日": -2, "明天": 1, "明日": 1, "后天": 2,
    "大后天": 3, "大大后天": 4,
}  # fmt: skip
# Days relative to the day the text last talked about (当天 = that day).
CONTEXT_DAYS = {"当天": 0, "当日": 0, "当晚": 0, "次日": 1, "翌日": 1}
REL_YEARS = {
    "今": 0,
    "本": 0,
    "全": 0,  # 全年: the whole current year
    "去": -1,
    "上": -1,
    "上一": -1,
    "前": -2,
    "明": 1,
    "下": 1,
    "次": 1,
    "后": 2,
}
REL_MONTHS = {
    "本": 0, "这个": 0, "当": 0, "上": -1, "上个": -1, "上一个": -1, "下": 1, "下个": 1,
    "上上": -2, "上上个": -2, "下下": 2, "下下个": 2,
}  # fmt: skip
# Parts of a year as (first month, last month): 年底 is November-December.
YEAR_PARTS = {
    "年底": (11, 12), "底": (11, 12), "年末": (11, 12), "末": (11, 12),
    "年初": (1, 2), "初": (1, 2), "伊始": (1, 1), "年中": (6, 7),
}  # fmt: skip
REL_QUARTERS = {"本": 0, "这个": 0, "上": -1, "上个": -1, "下": 1, "下个": 1}
REL_WEEKS = {
    "上上": -2,
    "上上个": -2,
    "下下": 2,
    "下下个": 2,
    "上": -1,
    "上一": -1,
    "上个": -1,
    "过去的": -1,  # 刚刚过去的周末: the weekend before publication
    "刚过去的": -1,
    "刚刚过去的": -1,
    "下": 1,
    "下个": 1,
    "本": 0,
    "这": 0,
    "这个": 0,
    None: 0,
}
FREQUENCIES = {"每日": "P1D", "每天": "P1D", "每周": "P1W", "每月": "P1M", "每年": "P1Y"}
# 每年5月30日, 每月15日: a recurring day is a frequency of its period.
RECURRING = {"每年": "P1Y", "每月": "P1M"}

_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
