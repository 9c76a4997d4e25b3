"""`zhnews_entity_rules`: ANNOTATION.md's entity conventions on top of the MSRA-style `ner`.

The `ner` component is judged alone on MSRA conventions, so rules where the product's
conventions differ live here, after it, and only change what the tables receive. One module
per concern; `component.py` runs them as one explicit list of steps (`STEPS`):

- `tokens.py`: words the tokenizer cut for the model put back;
- `lexicon.py`: People's Daily 1998 word classes, which decide where a name starts;
- `gazetteer.py`: China's provinces, cities and counties with the division above each;
- `filters.py`: what the conventions exclude (generic bodies such as 市委, 我国, quotations,
  places inside fixed terms such as 新中国, demonyms);
- `relabel.py`: titles, party groups and products cut off, labels fixed (a "place" ending in
  局 is a body, an "organisation" ending in 体育馆 a venue);
- `divisions.py`: divisions the model missed, by shape (诸城市), from the gazetteer (诸城) and
  after the place above them (四川苍溪);
- `suffixes.py`: bodies, institutions and facilities named by a suffix (市行政审批服务局,
  巨野河街道, 青兰高速, 昌城口) with the longest name before it, and a venue's quoted nickname
  (国家速滑馆“冰丝带”);
- `merge.py`: rule spans merged with the model's, chains of places split (湖南永州蓝山县,
  自贡永安镇; foreign ones cut inside a word: 卡塔尔多哈, 首尔梨|泰院), places before a site split
  off it (福建泉州欣佳酒店), a bare facility suffix joined to its name (西湖 + 风景名胜区), a
  Chinese company's place kept in its name, a hyphenated word joined to the name after it;
- `metonyms.py`: a body named by its seat (白宫, 欧盟) as the place where something is in it,
  and a company or paper naming a market index (道琼斯工业平均指数) as no entity;
- `media.py`: a broadcaster's channel (央视综合频道) and papers named by their titles in book
  marks (美国《国会山报》 -> 美国 + 国会山报);
- `abbreviations.py`: one-character place names after verbs of movement (离盘, 入诸);
- `organisations.py`: company short names (山东钢铁) and companies by name (星巴克, 京东方) with
  their legal forms, foreign countries, states and established regions by name (汤加, 伊利诺伊州,
  京津冀; 美国 + 牛津大学), national agencies (国家…) and China's ministries and state banks by
  name, international bodies by name (经济合作与发展组织), session numbers (第十三届全国人大),
  quoted body names, delegations, teams and places before a bare kind (四川代表团 -> 四川,
  新疆医疗队 -> 新疆, 福州人社部门 -> 福州);
- `names.py`: one person, one name per document;
- `tables.py`: the word lists and patterns, data saved with the component (`tables/*.jsonl`).
"""

from flows.nlp.entities.component import (
    STEPS,
    EntityRules,
    Step,
    add_to_pipeline,
    make_entity_rules,
)
from flows.nlp.entities.gazetteer import Gazetteer, PlaceMention
from flows.nlp.entities.lexicon import WordClass, WordLexicon, is_han
from flows.nlp.entities.tables import Rules, RuleTables
from flows.nlp.entities.tokens import rejoin_unknown_words

__all__ = [
    "STEPS",
    "EntityRules",
    "Gazetteer",
    "PlaceMention",
    "RuleTables",
    "Rules",
    "Step",
    "WordClass",
    "WordLexicon",
    "add_to_pipeline",
    "is_han",
    "make_entity_rules",
    "rejoin_unknown_words",
]
