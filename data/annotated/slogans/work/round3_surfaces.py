"""Round 3 as the annotator wrote it down while reading: per picked item (select_round3.py order),
the slogans and the rejected near-misses as surfaces, with the occurrence number where a surface
repeats. build_round3.py turns these into offsets. Canonical defaults to the surface without
quotation marks and with ，→、; a kind or canonical given here overrides the defaults."""

Q, N, P, H = "quoted", "numbered", "parallel", "phrase"
# (surface, occurrence, kind, canonical or None)
SLOGANS = {
    0: [],
    1: [],
    2: [],
    3: [],
    4: [],
    5: [("“分区分级、分类分时、科学灵活”", 1, Q, None)],
    6: [("外防输入", 1, H, None)],
    7: [
        ("打赢疫情防控人民战争、总体战、阻击战", 1, P, None),
        ("坚定信心、同舟共济、科学防治、精准施策", 1, P, None),
        ("能打仗、打胜仗", 1, P, None),
        ("召之即来、来之能战、战之能胜", 1, P, None),
        ("不忘初心、牢记使命", 1, P, None),
        ("“四个意识”", 1, Q, None),
        ("“四个自信”", 1, Q, None),
        ("“两个维护”", 1, Q, None),
        ("政治建军、改革强军、科技强军、人才强军、依法治军", 1, P, None),
    ],
    8: [("“政治病毒”", 2, Q, None)],
    9: [("“台湾牌”", 1, Q, None)],
    10: [("应检尽检、愿检尽检", 1, P, None)],
    11: [],
    12: [],
    13: [
        ("以国内大循环为主体、国内国际双循环相互促进的新发展格局", 1, P, None),
        ("人类命运共同体", 1, H, None),
    ],
    14: [
        ("统筹推进疫情防控和经济社会发展", 1, H, "统筹疫情防控和经济社会发展"),
        ("“十四五”", 1, Q, None),
        ("新发展格局", 1, H, None),
        ("更大范围、更宽领域、更深层次对外开放", 1, P, None),
    ],
    15: [],
    16: [
        ("世界百年未有之大变局", 1, H, None),
        ("“快捷通道”", 1, Q, None),
        ("第二个一百年奋斗目标", 1, N, None),
    ],
    17: [
        ("决胜全面建成小康社会", 1, H, None),
        ("“十三五”", 1, Q, None),
        ("“四个意识”", 1, Q, None),
        ("“四个自信”", 1, Q, None),
        ("“两个维护”", 1, Q, None),
        ("“十四五”", 1, Q, None),
        ("立足新发展阶段，贯彻新发展理念，构建新发展格局", 1, P, None),
        ("“六稳”", 1, Q, None),
        ("“六保”", 1, Q, None),
        ("人与自然和谐共生", 1, H, None),
        ("统筹发展和安全", 1, H, None),
        ("“五项要求”", 1, Q, None),
        ("“五个扎实”", 1, Q, None),
    ],
    18: [],
    19: [],
    20: [("“双标”", 1, Q, None)],
    21: [],
    22: [("“一带一路”", 2, Q, None), ("“一带一路”", 3, Q, None)],
    23: [],
}

DESCRIPTIVE = "descriptive parallelism"
IDIOM = "idiom"
PART = "bare part of a formula"
TITLE = "in a title or sub-headline"
NAME = "name-internal"
# (surface, occurrence, why)
NOT_SLOGANS = {
    0: [("精准施策", 1, PART), ("公开、迅速", 1, DESCRIPTIVE)],
    1: [
        ("依法科学有力有序", 1, "adverbial, not the formula 依法科学有序防控"),
        ("公开透明、高度负责", 1, DESCRIPTIVE),
        ("有信心、有能力", 1, DESCRIPTIVE),
    ],
    2: [
        ("守望相助、同舟共济", 1, IDIOM),
        ("举全国之力", 1, IDIOM),
        ("最全面、最严格、最彻底", 1, DESCRIPTIVE),
        ("疫情防控阻击战", 1, "campaign named without its verb"),
        ("公开、透明", 1, DESCRIPTIVE),
    ],
    3: [],
    4: [("及时、有力、高效", 1, DESCRIPTIVE)],
    5: [
        ("复工复产", 1, "common policy vocabulary"),
        ("长江大保护", 1, "inside a project's name"),
        ("“返岗直通车”", 1, "name of a service"),
        ("“东方美谷”", 1, "place nickname"),
    ],
    6: [("第一道防线", 1, "descriptive metaphor, unquoted")],
    7: [
        ("闻令而动、勇挑重担", 1, DESCRIPTIVE),
        ("不负重托、不辱使命", 1, IDIOM),
        ("战斗在前、冲锋在前", 1, DESCRIPTIVE),
        ("义无反顾、坚韧不拔、日夜奋战、敢打硬仗", 1, DESCRIPTIVE),
        ("同时间赛跑、与病魔较量", 1, DESCRIPTIVE),
        ("不畏艰险、深入一线", 1, DESCRIPTIVE),
        ("坚定信念、过硬能力、顽强作风、牺牲奉献", 1, DESCRIPTIVE),
        ("忠于党、忠于人民", 1, DESCRIPTIVE),
        ("加强组织领导、密切军地协同、坚持科学施治、搞好自身防护", 1, DESCRIPTIVE),
        ("越是艰险越向前", 1, IDIOM),
        ("习近平新时代中国特色社会主义思想", 1, "doctrine name"),
        ("习近平强军思想", 1, "doctrine name"),
    ],
    8: [
        ("“政治病毒”", 1, TITLE),
        ("“中国抗疫”", 1, TITLE),
        ("团结合作、共克时艰", 1, IDIOM),
        ("命运与共", 1, IDIOM),
    ],
    9: [
        ("“台湾”", 1, TITLE),
        ("“台湾参加世界卫生大会”", 1, "quoted claim"),
        ("一个中国原则", 1, "fixed term, not a formula"),
        ("“台湾参加世卫大会”", 1, "quoted claim"),
        ("“台湾”", 2, "quoted place name"),
    ],
    10: [
        ("全力以赴、分秒必争、主动出击", 1, DESCRIPTIVE),
        ("一张网", 1, "generic word unquoted"),
        ("只进不出", 1, "description of a measure"),
    ],
    11: [
        ("“南海行为准则”", 1, "document name"),
        ("互助之海、合作之海", 1, DESCRIPTIVE),
    ],
    12: [],
    13: [
        ("抗疫情、稳经济、保民生", 1, DESCRIPTIVE),
        ("多边主义", 1, "common term"),
        ("沟通、协调、合作", 1, DESCRIPTIVE),
    ],
    14: [
        ("以习近平同志为核心的中共中央", 1, "designation"),
        ("国内国际双循环", 1, PART),
        ("均衡、公平、包容发展", 1, DESCRIPTIVE),
    ],
    15: [],
    16: [
        ("联防联控", 1, NAME),
        ("多边主义和自由贸易", 1, "common term"),
    ],
    17: [
        ("以习近平同志为核心的党中央", 1, "designation"),
        ("万众一心、迎难而上", 1, IDIOM),
        ("脱贫攻坚战", 1, "campaign named without its verb"),
        ("中华民族伟大复兴", 1, "common term"),
        ("攻坚克难、真抓实干", 1, IDIOM),
        ("开好局起好步", 1, IDIOM),
        ("高质量发展", 1, "common policy vocabulary"),
        ("科技自立自强", 1, "common policy vocabulary"),
        ("常态化疫情防控", 1, "common policy vocabulary"),
        ("追赶超越", 1, "common policy vocabulary"),
    ],
    18: [("复工复产", 1, "common policy vocabulary")],
    19: [
        ("“2021·中欧人权研讨会”", 1, "event name"),
        ("“新冠肺炎疫情与生命健康权保障”", 1, "theme name"),
        ("线上线下", 1, "common term"),
    ],
    20: [
        ("“极不负责且危险”", 1, TITLE),
        ("“极不负责且危险”", 2, "quoted speech"),
        ("“疑点”", 1, "rhetorical quote"),
        ("“透明”“负责”", 1, "rhetorical quote (another side's words)"),
        ("政治操弄", 2, "common term"),
    ],
    21: [("“全国一张网”", 1, TITLE)],
    22: [
        ("“一带一路”", 1, TITLE),
        (
            "“口岸检验检疫、分批进入总仓、集中消毒和核酸检测、统一运输入馆”",
            1,
            "quoted list of steps",
        ),
    ],
    23: [("奥密克戎", 1, "variant name")],
}
