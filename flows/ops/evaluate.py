"""Score an output directory against hand annotations, the way CONTRACT.md says we are judged.

Per document, items are matched by surface `text` (and label for entities), each occurrence
counted; exactness then compares the normalised values. Annotation files use the customer's
format (`../shared/examples/`): one JSON per document, named after its source file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from flows import REPO_ROOT
from flows.nlp.slogans import MatchMethod, SloganLexicon, SloganMatcher, body_start
from flows.store import tables
from flows.store.records import CleanDocument, DateMention, NumberMention
from flows.store.tables import Table

# Annotated dates of these grains are "neither required nor penalised" (examples/README.md).
_UNSCORED_GRAINS = frozenset({"duration", "relative-unresolved", "time"})


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )

    def __str__(self) -> str:
        return (
            f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} "
            f"(tp {self.true_positives}, predicted {self.predicted}, expected {self.expected})"
        )


class AnnotationError(ValueError):
    """An annotation file is malformed; the message names the file and line."""


def read_annotations(path: Path, keys: Sequence[str] = ()) -> list[dict]:
    """The items of a JSONL annotation file: a JSON object on each line that is not blank,
    each holding `keys`."""
    items = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise AnnotationError(
                    f"{path}:{number}: not JSON ({error.msg} at column {error.colno})"
                ) from None
            if not isinstance(item, dict):
                raise AnnotationError(f"{path}:{number}: not a JSON object")
            missing = [key for key in keys if key not in item]
            if missing:
                raise AnnotationError(f"{path}:{number}: missing {', '.join(missing)}")
            items.append(item)
    return items


def _read_annotation(path: Path) -> dict:
    """One annotated document's JSON file (`../shared/examples/`)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise AnnotationError(
            f"{path}:{error.lineno}: not JSON ({error.msg} at column {error.colno})"
        ) from None


def match(predicted: Iterable[tuple], expected: Iterable[tuple]) -> Score:
    """Multiset match: every occurrence counts once."""
    pred, gold = Counter(predicted), Counter(expected)
    return Score(sum((pred & gold).values()), sum(pred.values()), sum(gold.values()))


def _rows(output: Path, table: Table, columns: list[str]) -> dict[str, list[tuple]]:
    by_doc: dict[str, list[tuple]] = {}
    for row in tables.read_table(output, table, ["doc_id", *columns]).to_pylist():
        by_doc.setdefault(row["doc_id"], []).append(tuple(row[c] for c in columns))
    return by_doc


def evaluate(output: Path, annotations: Path) -> dict[str, Score]:
    """Scores per aspect, summed over the annotated documents found in `output`."""
    documents = tables.read_table(output, Table.DOCUMENTS, ["doc_id", "source"]).to_pylist()
    doc_of = {Path(d["source"]).stem: d["doc_id"] for d in documents}
    entities = _rows(output, Table.ENTITIES, ["label", "text"])
    dates = _rows(output, Table.DATES, ["text", "value", "grain"])
    numbers = _rows(output, Table.NUMBERS, ["text", "value", "unit", "kind", "approx"])
    slogans = _rows(output, Table.SLOGANS, ["text"])
    totals: dict[str, Score] = {}

    def add(aspect: str, score: Score) -> None:
        totals[aspect] = totals.get(aspect, Score(0, 0, 0)) + score

    for path in sorted(annotations.glob("*.json")):
        gold = _read_annotation(path)
        doc_id = doc_of.get(Path(gold["doc"]).stem)
        if doc_id is None:
            continue
        found_entities = entities.get(doc_id, [])
        add("entities", match(found_entities, [(e["label"], e["text"]) for e in gold["entities"]]))
        for label in ("PERSON", "ORG", "LOC"):
            add(
                f"entities:{label}",
                match(
                    [e for e in found_entities if e[0] == label],
                    [(label, e["text"]) for e in gold["entities"] if e["label"] == label],
                ),
            )
        scored = [
            d
            for d in gold["dates"]
            if d.get("note") != "header" and d["grain"] not in _UNSCORED_GRAINS
        ]
        unscored = Counter(d["text"] for d in gold["dates"] if d["grain"] in _UNSCORED_GRAINS)
        found_dates = [
            d for d in dates.get(doc_id, []) if d[2] not in _UNSCORED_GRAINS and not unscored[d[0]]
        ]
        add("dates", match([(d[0],) for d in found_dates], [(d["text"],) for d in scored]))
        add(
            "dates:value",
            match([d[:2] for d in found_dates], [(d["text"], d["value"]) for d in scored]),
        )
        found_numbers = numbers.get(doc_id, [])
        add(
            "numbers",
            match([(n[0],) for n in found_numbers], [(n["text"],) for n in gold["numbers"]]),
        )
        add(
            "numbers:exact",
            match(
                found_numbers,
                [
                    (n["text"], n["value"], n["unit"], n["kind"], n["approx"])
                    for n in gold["numbers"]
                ],
            ),
        )
        add(
            "slogans",
            match(
                [(s[0],) for s in slogans.get(doc_id, [])],
                [(s["text"],) for s in gold["slogans"]],
            ),
        )
    return totals


@dataclass(frozen=True, slots=True)
class LinkingScores:
    """Division codes and officials against a hand-annotated set (issue 20's bars)."""

    mentions: Score  # (text, adcode) pairs of coded mentions
    officials: Score  # (person, title) pairs
    adcode_right: int  # matched officials whose adcode is the annotated one
    documents: int

    @property
    def adcode_accuracy(self) -> float:
        matched = self.officials.true_positives
        return self.adcode_right / matched if matched else 1.0


def _annotated_document(item: dict[str, object]) -> CleanDocument:
    """A dev-set item as the flow's cleaned document, so the scorer runs what the flow runs."""
    text = str(item["text"])
    title = text.split("\n\n", 1)[0] if "\n\n" in text else None
    published = item.get("published")
    published_at = None
    if published:
        published_at = dt.datetime.fromisoformat(str(published))
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=ZoneInfo(tables.SHANGHAI))
    return CleanDocument(
        doc_id=str(item["id"]),
        source=str(item["id"]),
        record_id=None,
        title=title,
        text=text,
        published_at=published_at,
        published_partial=None,
        outlet=item.get("outlet"),  # type: ignore[arg-type]
        author=None,
    )


def evaluate_linking(
    annotations: Path, model: Path | None = None, *, split: str | None = None
) -> LinkingScores:
    """Run the pipeline (`model`, else `flows.model_path`'s) on every annotated article (of
    `split`) and score it.

    Mentions: multiset match of (text, adcode) over mentions with a code on either side.
    Officials: multiset match of (person, title); a matched pair's adcode is right when it
    equals the annotated one (null included).
    """
    from flows.nlp.model import annotate_documents, load_pipeline

    items = read_annotations(annotations, ("id", "text", "mentions", "officials"))
    items = [item for item in items if split is None or item.get("split") == split]
    found = annotate_documents(load_pipeline(model), [_annotated_document(i) for i in items])
    mentions = officials = Score(0, 0, 0)
    adcode_right = 0
    for item, result in zip(items, found, strict=True):
        mentions += match(
            [(e.text, e.adcode) for e in result.entities if e.adcode],
            [(m["text"], m["adcode"]) for m in item["mentions"] if m.get("adcode")],
        )
        predicted = [(o.person, o.title) for o in result.officials]
        expected = [(o["person"], o["title"]) for o in item["officials"]]
        officials += match(predicted, expected)
        codes = {(o.person, o.title): o.adcode for o in result.officials}
        adcode_right += sum(
            1
            for o in item["officials"]
            if (o["person"], o["title"]) in codes
            and codes.pop((o["person"], o["title"])) == o.get("adcode")
        )
    return LinkingScores(mentions, officials, adcode_right, len(items))


NEWS_ARTICLES = REPO_ROOT / "data" / "annotated" / "ner_news_articles.jsonl"
ENTITY_LABELS = ("PERSON", "ORG", "LOC")


def evaluate_entity_articles(
    annotations: Path = NEWS_ARTICLES, model: Path | None = None, *, split: str | None = "dev"
) -> dict[str, Score]:
    """Entity P/R/F per label over whole annotated articles, as CONTRACT.md judges them: the
    whole pipeline on each article (its sentences joined), matched by label and surface text,
    each occurrence counted. `split` may name several splits joined by commas (dev,dev2)."""
    from flows.nlp.model import annotate_documents, load_pipeline

    splits = None if split is None else set(split.split(","))
    keys = ("id", "text", "entities", *(() if splits is None else ("split",)))
    articles: dict[str, list[dict]] = {}
    for sentence in read_annotations(annotations, keys):
        if splits is None or sentence["split"] in splits:
            articles.setdefault(sentence["id"].split(":")[0], []).append(sentence)
    texts = {item: "".join(s["text"] for s in sentences) for item, sentences in articles.items()}
    documents = [_annotated_document({"id": item, "text": text}) for item, text in texts.items()]
    found = annotate_documents(load_pipeline(model), documents)
    scores = {label: Score(0, 0, 0) for label in ("ALL", *ENTITY_LABELS)}
    for sentences, result in zip(articles.values(), found, strict=True):
        gold = [(lab, s["text"][a:b]) for s in sentences for a, b, lab in s["entities"]]
        predicted = [(e.label, e.text) for e in result.entities]
        for label in scores:
            keep = (lambda row: True) if label == "ALL" else (lambda row, lab=label: row[0] == lab)
            scores[label] += match(filter(keep, predicted), filter(keep, gold))
    return scores


SLOGANS_NEWS = REPO_ROOT / "data" / "annotated" / "slogans" / "slogans_news.jsonl"
SEED_ANNOTATIONS = REPO_ROOT / "tests" / "data" / "seed_annotations"
SEEDS = REPO_ROOT / "seeds"


@dataclass(frozen=True, slots=True)
class SloganDocument:
    """A text to match, where its body starts, and the annotated (text, canonical) slogans."""

    text: str
    body_start: int
    gold: tuple[tuple[str, str], ...]


def annotated_news(
    path: Path = SLOGANS_NEWS, split: str | None = "dev", annotation_round: int | None = None
) -> list[SloganDocument]:
    """The articles of the annotated news set in one split (None: all of them), optionally of
    one annotation round only."""
    documents = []
    for item in read_annotations(path, ("text", "split", "slogans")):
        in_round = annotation_round is None or item.get("round", 1) == annotation_round
        if (split is None or item["split"] == split) and in_round:
            gold = tuple((s["text"], s["canonical"]) for s in item["slogans"])
            documents.append(SloganDocument(item["text"], 0, gold))
    return documents


def annotated_seeds(
    seeds: Path = SEEDS, annotations: Path = SEED_ANNOTATIONS
) -> list[SloganDocument]:
    """The seeds as the flow cleans them, with their slogan annotations."""
    from flows.inputs.clean import clean_document
    from flows.inputs.ingest import iter_inputs

    documents = []
    for path in sorted(annotations.glob("*.json")):
        gold = _read_annotation(path)
        (raw,) = iter_inputs([seeds / gold["doc"]])
        cleaned = clean_document(raw)
        if not isinstance(cleaned, CleanDocument):
            raise ValueError(f"{gold['doc']} is rejected by cleaning: {cleaned}")
        pairs = tuple((s["text"], s["canonical"]) for s in gold["slogans"])
        documents.append(SloganDocument(cleaned.text, body_start(cleaned.text), pairs))
    return documents


def score_slogans(matcher: SloganMatcher, documents: Iterable[SloganDocument]) -> dict[str, Score]:
    """Slogan scores: by surface text, by (text, canonical), and of discovered mentions alone.

    `discovered` counts a discovered mention as right when its text is an annotated slogan of
    the document that no other mention took; its expected count is the whole gold set.
    """
    totals = {name: Score(0, 0, 0) for name in ("slogans", "slogans:canonical", "discovered")}
    for document in documents:
        found = matcher.find(document.text, body_start=document.body_start)
        gold_texts = Counter(text for text, _ in document.gold)
        totals["slogans"] += match([(m.text,) for m in found], [(t,) for t, _ in document.gold])
        totals["slogans:canonical"] += match([(m.text, m.canonical) for m in found], document.gold)
        known = Counter(m.text for m in found if m.method != MatchMethod.DISCOVERED)
        discovered = [(m.text,) for m in found if m.method == MatchMethod.DISCOVERED]
        remaining = [(t,) for t in (gold_texts - known).elements()]
        score = match(discovered, remaining)
        totals["discovered"] += Score(score.true_positives, score.predicted, len(document.gold))
    return totals


def without_formulas_only_in(
    lexicon: SloganLexicon,
    held_out: Sequence[SloganDocument],
    seen: Sequence[SloganDocument],
    keep: frozenset[str] = frozenset(),
) -> SloganLexicon:
    """The lexicon less every formula that matches an annotated slogan of `held_out` and none of
    `seen`: what a lexicon curated without reading `held_out` would know, so that scoring
    `held_out` with it shows what discovery gives on formulas the lexicon has never met.
    Formulas whose slogan_id is in `keep` stay (see `recurring_formulas`).

    Removing a formula can uncover a shorter one inside it (两手抓 in 两手抓、两不误), so the
    removal repeats until no held-out-only formula matches an annotated slogan.
    """

    def annotated_ids(matcher: SloganMatcher, documents: Sequence[SloganDocument]) -> set[str]:
        ids = set()
        for document in documents:
            gold = {text for text, _ in document.gold}
            for mention in matcher.find(document.text, body_start=document.body_start):
                if mention.slogan_id is not None and mention.text in gold:
                    ids.add(mention.slogan_id)
        return ids

    full = SloganMatcher(lexicon, discovery_threshold=math.inf)
    known = annotated_ids(full, seen)
    entries = lexicon.entries
    while True:
        matcher = SloganMatcher(SloganLexicon(entries), discovery_threshold=math.inf)
        unseen = annotated_ids(matcher, held_out) - known - keep
        if not unseen:
            return SloganLexicon(entries)
        entries = tuple(entry for entry in entries if entry.slogan_id not in unseen)


def recurring_formulas(
    lexicon: SloganLexicon, corpus: Path, min_items: int, annotated: Path = SLOGANS_NEWS
) -> frozenset[str]:
    """Slogan ids that the lexicon finds in at least `min_items` items of a JSONL corpus
    (covid_news) that the annotated set does not hold: formulas a curator ranking that corpus
    meets without reading either split, which `--unseen` would otherwise leave out."""
    skipped = {json.loads(line)["id"] for line in annotated.read_text("utf-8").splitlines()}
    matcher = SloganMatcher(lexicon, discovery_threshold=math.inf)
    items: Counter[str] = Counter()
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            if item["id"] not in skipped:
                found = matcher.find(item.get("text") or "")
                items.update({m.slogan_id for m in found if m.slogan_id is not None})
    return frozenset(slogan_id for slogan_id, count in items.items() if count >= min_items)


DATES_NUMBERS = REPO_ROOT / "data" / "annotated" / "dates_numbers" / "dates_numbers.jsonl"
_CALENDAR_GRAINS = frozenset({"day", "month", "quarter", "year", "range"})
# ANNOTATION.md accepts these markers inside or outside a span, so both sides drop them.
_DATE_MARKERS = re.compile(r"^(?:截至|截止|北京时间)+")
_APPROX_MARKERS = re.compile(
    r"^(?:大约|将近|接近|超过|不到|不足|至少|约|近|超|逾)|(?:以上|以下|左右|上下)$"
)


def _date_key(text: str) -> str:
    return _DATE_MARKERS.sub("", text)


def _number_key(kind: str, text: str) -> tuple[str, str]:
    return kind, _APPROX_MARKERS.sub("", text)


@dataclass(frozen=True, slots=True)
class ValueScore:
    """Matched mentions (by surface) and how many of them carry the annotated value."""

    mentions: Score
    values_right: int

    @property
    def value_accuracy(self) -> float:
        matched = self.mentions.true_positives
        return self.values_right / matched if matched else 1.0

    def __add__(self, other: ValueScore) -> ValueScore:
        return ValueScore(self.mentions + other.mentions, self.values_right + other.values_right)

    def __str__(self) -> str:
        return (
            f"{self.mentions}; values right {self.value_accuracy:.3f} "
            f"({self.values_right} of {self.mentions.true_positives})"
        )


def _value_score(predicted: list[tuple], expected: list[tuple]) -> ValueScore:
    """(key, value) pairs: mentions match by key; a matched pair is right when values agree."""
    mentions = match([p[0] for p in predicted], [e[0] for e in expected])
    return ValueScore(mentions, match(predicted, expected).true_positives)


def score_dates(found: Iterable[DateMention], gold: list[dict]) -> ValueScore:
    """Calendar dates of one document by surface text, then (date_start, date_end).

    Annotated durations, frequencies and vague references are not scored, and a found row with
    their text is dropped; an annotated relative span marked `optional` (近三年 may be a
    duration) counts only when a calendar row with its text was found."""
    unscored = {_date_key(d["text"]) for d in gold if d["grain"] not in _CALENDAR_GRAINS}
    predicted = [
        (_date_key(d.text), (str(d.date_start), str(d.date_end)))
        for d in found
        if d.grain in _CALENDAR_GRAINS and _date_key(d.text) not in unscored
    ]
    found_keys = Counter(key for key, _ in predicted)
    expected = [
        (_date_key(d["text"]), (d["date_start"], d["date_end"]))
        for d in gold
        if d["grain"] in _CALENDAR_GRAINS
        and (not d.get("optional") or found_keys[_date_key(d["text"])])
    ]
    return _value_score(predicted, expected)


def score_numbers(found: Iterable[NumberMention], gold: list[dict]) -> ValueScore:
    """Numbers of one document by (kind, surface text), then by value (to 4 decimals)."""
    predicted = [(_number_key(n.kind, n.text), round(n.value, 4)) for n in found]
    expected = [(_number_key(n["kind"], n["text"]), round(n["value"], 4)) for n in gold]
    return _value_score(predicted, expected)


def evaluate_dates_numbers(
    annotations: Path = DATES_NUMBERS, model: Path | None = None, *, split: str | None = "dev"
) -> dict[str, ValueScore]:
    """Dates and numbers over whole annotated articles (of `split`), with the pipeline at
    `model` (else `flows.model_path`'s), matched per document as CONTRACT.md judges them."""
    from flows.nlp.model import annotate_documents, load_pipeline

    keys = ("id", "text", "dates", "numbers", *(() if split is None else ("split",)))
    items = read_annotations(annotations, keys)
    items = [item for item in items if split is None or item["split"] == split]
    found = annotate_documents(load_pipeline(model), [_annotated_document(i) for i in items])
    totals = {"dates": ValueScore(Score(0, 0, 0), 0), "numbers": ValueScore(Score(0, 0, 0), 0)}
    for item, result in zip(items, found, strict=True):
        totals["dates"] += score_dates(result.dates, item["dates"])
        totals["numbers"] += score_numbers(result.numbers, item["numbers"])
    return totals
