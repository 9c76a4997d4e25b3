"""Organisations and countries the model misreads: a company's short name (山东钢铁, 中国石化),
a foreign country written before an organisation's own name (美国 + 约翰斯·霍普金斯大学) or
alone (汤加), and a body's name in quotation marks."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Span

from flows.nlp.entities.gazetteer import Gazetteer
from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules, SuffixKind
from flows.nlp.entities.tokens import entity_at, joined_to_bodies

# How many tokens a trade word may span (重|汽: the tokenizer cuts words it does not know).
_MAX_INDUSTRY_TOKENS = 2
# How many words may stand between a listed company and its legal form (…|数字|技术|股份有限公司).
_MAX_REGISTERED_WORDS = 3
# How far a quotation that names a body may run, in tokens.
_MAX_QUOTED_TOKENS = 12
_QUOTES = frozenset("“”")
# The level prefix of a country's own agencies (国家卫生健康委; word_sets' level_prefix).
_NATIONAL = "国家"
# A country's name may be cut into characters (汤|加); 人 or 裔 after it makes a demonym
# (美国人, 拉美裔).
_MAX_COUNTRY_TOKENS = 4
_DEMONYMS = frozenset({"人", "裔"})
# How many words a body's session number may take (第十三|届).
_MAX_SESSION_TOKENS = 3
# A meeting right after a body is what a session number before it numbers (第75届联合国|大会).
_MEETINGS = frozenset({"大会", "会议", "全会", "峰会", "论坛"})
# China is no "foreign country" of the word set `country` but names delegations as they do.
_CHINA = "中国"


def join_industry_names(spans: list[Span], rules: Rules) -> list[Span]:
    """A place or name followed by a trade word is a company's short name where a company acts:
    山东钢铁用煤告急, 中国石油、中国石化, 金龙汽车接到…; not 中国汽车产量, where a noun
    follows and the words name an industry."""

    def company(span: Span, taken: dict[int, Span]) -> tuple[int, int] | None:
        end = _industry_end(span, rules, taken)
        if end is None:
            return None
        doc = span.doc
        after = doc[end] if end < len(doc) else None
        acts = after is not None and (
            after.pos_ == "VERB"
            or after.text in rules.after_company_name
            # in a list of companies, not of industries (江苏医药、电子、石化)
            or (after.text in rules.list_marks and end + 1 in taken)
        )
        return (span.start, end) if acts else None

    return joined_to_bodies(spans, company)


def join_legal_forms(spans: list[Span], rules: Rules) -> list[Span]:
    """A company's legal form written after the name the model found is part of the name
    (山东史丹利农业集团 + 有限公司), unless another entity holds it."""
    if not spans:
        return spans
    doc = spans[0].doc
    taken = entity_at(spans)
    return [
        Span(doc, span.start, span.end + 1, label="ORG")
        if span.label_ == "ORG"
        and span.end < len(doc)
        and span.end not in taken
        and doc[span.end].text in rules.legal_forms
        else span
        for span in spans
    ]


def _industry_end(span: Span, rules: Rules, taken: dict[int, Span]) -> int | None:
    """Where a trade word right after `span` ends (a token index), or None."""
    if span.label_ == "PERSON":
        return None
    doc, word = span.doc, ""
    for i in range(span.end, min(len(doc), span.end + _MAX_INDUSTRY_TOKENS)):
        if i in taken:
            return None
        word += doc[i].text
        if word in rules.industries:
            return i + 1
    return None


def split_country_prefix(span: Span, lexicon: WordLexicon, rules: Rules) -> list[Span]:
    """A foreign country before a university's or a society's own name is a place of its own
    (ANNOTATION.md: 美国约翰斯·霍普金斯大学 -> 美国 + 约翰斯·霍普金斯大学, 美国 + 布鲁金斯学会),
    and so before a body named by its seat (word set `metonym`: 美国 + 白宫, 美国 +
    白宫冠状病毒应对工作组); it stays where the name after it is only descriptive (美国医学会),
    and in the conventional names of agencies, companies and media (美国疾控中心, 美国广播公司).
    Before the rest of a minister's title (卫生部|长, 外务|大臣) only the country is an entity."""
    if span.label_ != "ORG" or len(span) < 2 or span[0].text not in rules.countries:
        return [span]
    doc = span.doc
    if span.end < len(doc) and doc[span.end].text in rules.titles_after_body:
        # 南非卫生部|长穆凯兹: a minister's title, whose country is the place (data/annotated/
        # README.md: 俄罗斯国防部长绍伊古 -> 俄罗斯 + 绍伊古).
        return [Span(doc, span.start, span.start + 1, label="LOC")]
    name = span[1:]
    own = lexicon.classes.get(name[0].text, WordClass.NAME) is WordClass.NAME
    own_name = own and rules.own_name.search(name.text) is not None and len(name.text) >= 3
    if not own_name and name[0].text not in rules.metonyms:
        return [span]
    return [
        Span(doc, span.start, span.start + 1, label="LOC"),
        Span(doc, name.start, name.end, label="ORG"),
    ]


def country_places(doc: Doc, words: list[str], rules: Rules) -> list[Span]:
    """Foreign countries, states and provinces by name (word sets `country`, `foreign_region`),
    as the gazetteer finds China's divisions: 汤加 and 伊利诺伊, which the model reads as a
    person or cuts (汤|加) where it has rarely seen them; the longest name (伊利诺伊州, 几内亚比绍);
    not 美国 in the demonyms 美国人, 拉美裔."""
    return _listed_names(
        doc,
        words,
        rules.foreign_places,
        label="LOC",
        never_before=_DEMONYMS.__contains__,
        max_tokens=_MAX_COUNTRY_TOKENS,
        overlapping=True,
    )


def national_bodies(doc: Doc, words: list[str], rules: Rules) -> list[Span]:
    """China's ministries, agencies and state banks by name (word set `national_body`, with
    their short forms), which the model reads in one sentence and misses in the next
    (工业和信息化部, 农业银行 after a list), and international bodies it cuts at a conjunction
    or does not know (word set `international_body`: 经济合作与发展组织, 亚投行); a listed name
    runs over whole tokens only, and one ending in 部 not into 门 (财政部门 is any finance
    department). After a foreign country the ministry is that country's (俄罗斯外交部), left to
    the model. A bare body's suffix right after an international body is one of its bodies
    (非盟|委员会); after China's it is an ad hoc group (国家卫生健康委|工作组)."""
    found = _listed_names(
        doc,
        words,
        rules.national_bodies | rules.international_bodies,
        label="ORG",
        never_before=_makes_department_word,
        never_after=rules.countries,
    )
    return [
        Span(doc, span.start, span.end + 1, label="ORG")
        if span.text in rules.international_bodies
        and span.end < len(words)
        and _is_bare_body_suffix(words[span.end], rules)
        else span
        for span in found
    ]


def _is_bare_body_suffix(word: str, rules: Rules) -> bool:
    """委员会, 办公室: a word that is a body's suffix and nothing more."""
    kind = rules.name_suffix_kind(word)
    return kind is not None and kind[0] is SuffixKind.BODY and kind[1] == word


def _makes_department_word(following: str) -> bool:
    """门 after a ministry's 部 makes 部门, any department (财政部门)."""
    return following.startswith("门")


def listed_companies(doc: Doc, words: list[str], rules: Rules) -> list[Span]:
    """Companies known by a name of their own (word set `company`): foreign ones the model
    reads as places (星巴克, 沃尔玛, 阿斯利康) and names it cuts or takes for a person (京|东方,
    阿里巴巴), with a company word written after them (阿斯利康公司). A country before one stays
    a place of its own (德国 + 西门子), a Chinese city joins it (`join_company_places`)."""
    found = _listed_names(doc, words, rules.companies, label="ORG")
    return [
        Span(doc, span.start, _company_name_end(span.end, words, rules), label="ORG")
        for span in found
    ]


def _company_name_end(end: int, words: list[str], rules: Rules) -> int:
    """Where a listed company's whole name ends: after a company word right after it (阿斯利康
    公司), or after a legal form that ends its registered name a few words on (海康威视|数字|
    技术|股份有限公司)."""
    if end < len(words) and words[end] in rules.company_words:
        return end + 1
    for i in range(end, min(len(words), end + _MAX_REGISTERED_WORDS + 1)):
        if words[i] in rules.legal_forms:
            return i + 1
        if not is_han(words[i]):
            break
    return end


def _listed_names(
    doc: Doc,
    words: list[str],
    names: frozenset[str],
    *,
    label: str,
    never_before: Callable[[str], bool] | None = None,
    never_after: frozenset[str] = frozenset(),
    max_tokens: int | None = None,
    overlapping: bool = False,
) -> list[Span]:
    """The longest of `names` that starts at a token and ends at a token's end, over at most
    `max_tokens` tokens, unless `never_before` holds for the next token (the last one counts as
    followed by "") or the token before is in `never_after`. The search goes on after a name's
    end, or with `overlapping` at the next token, so names may overlap."""
    if not names:
        return []
    longest = max(map(len, names))
    initials = frozenset(name[0] for name in names)
    found = []
    i = 0
    while i < len(words):
        match, text = None, ""
        if words[i][:1] in initials and (i == 0 or words[i - 1] not in never_after):
            last = len(words) if max_tokens is None else min(len(words), i + max_tokens)
            for end in range(i + 1, last + 1):
                text += words[end - 1]
                if len(text) > longest:
                    break
                following = words[end] if end < len(words) else ""
                if text in names and not (never_before and never_before(following)):
                    match = end
        if match is None:
            i += 1
            continue
        found.append(Span(doc, i, match, label=label))
        i = i + 1 if overlapping else match
    return found


def quoted_bodies(doc: Doc, words: list[str], spans: list[Span], rules: Rules) -> list[Span]:
    """A quotation that ends with a body's or an institution's suffix is that body's name
    (“全球首席执行官委员会”), where the words alone would be too generic to start one; not a
    quoted sentence that ends like one (“…，于变局中开新局”)."""
    found = []
    for start in (i for i, word in enumerate(words) if word == "“"):
        end = next(
            (
                j
                for j in range(start + 1, min(len(words), start + _MAX_QUOTED_TOKENS))
                if words[j] in _QUOTES
            ),
            None,
        )
        if end is None or words[end] != "”" or end - start < 3:
            continue
        last = words[end - 1]
        kind = rules.name_suffix_kind(last)
        if kind is None or kind[0] is SuffixKind.FACILITY:
            continue
        if last in rules.body_lookalikes or last[-2:] in rules.body_lookalikes:  # “两个大局”
            continue
        if not all(is_han(words[i]) for i in range(start + 1, end)):
            continue
        name = Span(doc, start + 1, end, label="ORG")
        if name.text in rules.kinds_of_institution:  # “方舱医院”: a kind, not a name
            continue
        if not any(s.start < name.start < s.end or s.start < name.end < s.end for s in spans):
            found.append(name)
    return found


def join_national_agencies(spans: list[Span], rules: Rules) -> list[Span]:
    """A foreign country right before its 国家… agency is part of the agency's name
    (美国国家过敏与传染病研究所), as 国家 names China's own (国家卫生健康委)."""
    joined: list[Span] = []
    for span in sorted(spans, key=lambda span: span.start):
        before = joined[-1] if joined else None
        if (
            before is not None
            and before.end == span.start
            and before.label_ == "LOC"
            and before.text in rules.countries
            and span.label_ == "ORG"
            and span.text.startswith(_NATIONAL)
        ):
            joined[-1] = Span(span.doc, before.start, span.end, label="ORG")
        else:
            joined.append(span)
    return joined


def join_session_numbers(spans: list[Span], rules: Rules) -> list[Span]:
    """A body's session number written before it is part of its name (data/annotated/
    README.md: 十三届全国人大常委会, 第十三届全国人民代表大会; pattern `session`), unless a
    meeting follows the body, which the number is then of (第75届联合国大会)."""

    def numbered(span: Span, taken: dict[int, Span]) -> tuple[int, int] | None:
        doc = span.doc
        if span.label_ != "ORG" or (span.end < len(doc) and doc[span.end].text in _MEETINGS):
            return None
        for first in range(max(0, span.start - _MAX_SESSION_TOKENS), span.start):
            free = all(i not in taken for i in range(first, span.start))
            if free and rules.session.match(doc[first : span.start].text):
                return first, span.end
        return None

    return joined_to_bodies(spans, numbered)


def delegation_place(span: Span, gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """Of a delegation only its place is annotated (data/annotated/README.md: 黑龙江代表团 ->
    黑龙江, 中国体育代表团 -> 中国), and so of a body's short name before 部门, which makes it any
    office of that kind (福州人社部门 -> 福州, as 广州市国土部门 -> 广州市): the longest run of its
    first tokens that is a place, or nothing."""
    doc = span.doc
    department = span.end < len(doc) and doc[span.end].text in rules.department_words
    if span.label_ != "ORG" or (rules.delegation.search(span.text) is None and not department):
        return [span]
    for end in range(span.end - 1, span.start, -1):
        text = doc[span.start : end].text
        if text == _CHINA or text in rules.countries or gazetteer.is_chinese_place(text):
            return [Span(doc, span.start, end, label="LOC")]
    return []


def team_owner(span: Span, gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """An ad hoc team is no body (data/annotated/README.md: 医疗队, 工作队 are not annotated,
    their places and bodies are): of a team named by its place only the place is annotated
    (新疆医疗队 -> 新疆, 河北流调队 -> 河北), of one named by a body the body (四川大学华西医院
    医疗队 -> 四川大学华西医院); a team named otherwise stays as the model read it."""
    if span.label_ != "ORG":
        return [span]
    team = rules.team.search(span.text)
    if team is None or team.start() == 0:
        return [span]
    doc = span.doc
    owner = doc.char_span(span.start_char, span.start_char + team.start())
    if owner is None:
        return [span]
    text = owner.text
    if text == _CHINA or text in rules.countries or gazetteer.is_chinese_place(text):
        return [Span(doc, owner.start, owner.end, label="LOC")]
    if rules.body_ending.search(text):
        return [Span(doc, owner.start, owner.end, label="ORG")]
    return [span]


def places_of_a_kind(span: Span, gazetteer: Gazetteer, rules: Rules) -> list[Span]:
    """Places and a bare kind after them (陕西西安市小学: the primary schools of Xi'an) name no
    one body; the places are annotated, as the generic departments of a place are
    (data/annotated/README.md: 广州市国土部门 -> 广州市)."""
    if span.label_ != "ORG" or len(span) < 2 or span[-1].text not in rules.kinds_after_place:
        return [span]
    places = span[:-1]
    parts = gazetteer.chain_parts(places.text)
    if parts is None:
        return [span]
    doc, start = span.doc, places.start_char
    found = [doc.char_span(start + a, start + b, label="LOC") for a, b in parts]
    return [part for part in found if part is not None] if all(found) else [span]
