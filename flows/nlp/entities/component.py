"""The `zhnews_entity_rules` component: its steps, in order, and its saved data."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from flows.nlp.entities.abbreviations import abbreviation_places, split_abbreviations
from flows.nlp.entities.divisions import (
    division_places,
    gazetteer_places,
    places_below,
    repair_divisions,
)
from flows.nlp.entities.filters import (
    is_excluded,
    is_function_words,
    is_generic_company,
    is_lone_character_body,
    is_stray_character,
)
from flows.nlp.entities.gazetteer import Gazetteer, PlaceMention
from flows.nlp.entities.lexicon import WordClass, WordLexicon
from flows.nlp.entities.media import join_channels, split_titled_media, titled_media
from flows.nlp.entities.merge import (
    join_bare_facilities,
    join_company_places,
    join_hyphenated_names,
    merge_spans,
    split_foreign_chains,
    split_place_chain,
    split_site_places,
)
from flows.nlp.entities.metonyms import is_index_name, seat_place
from flows.nlp.entities.names import complete_person_names
from flows.nlp.entities.organisations import (
    country_places,
    delegation_place,
    join_industry_names,
    join_legal_forms,
    join_national_agencies,
    join_session_numbers,
    listed_companies,
    national_bodies,
    places_of_a_kind,
    quoted_bodies,
    split_country_prefix,
    team_owner,
)
from flows.nlp.entities.relabel import fix_model_entity
from flows.nlp.entities.suffixes import suffix_names, venue_nicknames
from flows.nlp.entities.tables import Rules, RuleTables
from flows.nlp.entities.tokens import rejoin_unknown_words, token_texts

NAME = "zhnews_entity_rules"
LEXICON_FILE = "lexicon.jsonl"
PLACES_FILE = "places.jsonl"


class Step(StrEnum):
    """The component's steps, in the order they run (`disabled` leaves some out)."""

    REJOIN_UNKNOWN_WORDS = "rejoin_unknown_words"
    REPAIR_DIVISIONS = "repair_divisions"
    FIND_GAZETTEER_PLACES = "find_gazetteer_places"
    SPLIT_ABBREVIATIONS = "split_abbreviations"
    DROP_FUNCTION_WORDS = "drop_function_words"
    FIX_MODEL_ENTITIES = "fix_model_entities"
    ADD_SUFFIX_NAMES = "add_suffix_names"
    ADD_DIVISIONS = "add_divisions"
    ADD_GAZETTEER_PLACES = "add_gazetteer_places"
    ADD_COUNTRIES = "add_countries"
    ADD_NATIONAL_BODIES = "add_national_bodies"
    ADD_LISTED_COMPANIES = "add_listed_companies"
    ADD_QUOTED_BODIES = "add_quoted_bodies"
    ADD_TITLED_MEDIA = "add_titled_media"
    MERGE = "merge"
    JOIN_INDUSTRY_NAMES = "join_industry_names"
    JOIN_LEGAL_FORMS = "join_legal_forms"
    JOIN_COMPANY_PLACES = "join_company_places"
    JOIN_NATIONAL_AGENCIES = "join_national_agencies"
    JOIN_SESSION_NUMBERS = "join_session_numbers"
    JOIN_CHANNELS = "join_channels"
    JOIN_HYPHENATED_NAMES = "join_hyphenated_names"
    SPLIT_FOREIGN_CHAINS = "split_foreign_chains"
    SPLIT_PLACE_CHAINS = "split_place_chains"
    JOIN_BARE_FACILITIES = "join_bare_facilities"
    SPLIT_SITE_PLACES = "split_site_places"
    SPLIT_COUNTRY_PREFIXES = "split_country_prefixes"
    PLACE_METONYMS = "place_metonyms"
    SPLIT_TITLED_MEDIA = "split_titled_media"
    CUT_DELEGATIONS = "cut_delegations"
    CUT_TEAMS = "cut_teams"
    CUT_KINDS_AFTER_PLACES = "cut_kinds_after_places"
    ADD_PLACES_BELOW = "add_places_below"
    ADD_VENUE_NICKNAMES = "add_venue_nicknames"
    ADD_ABBREVIATION_PLACES = "add_abbreviation_places"
    DROP_STRAY_CHARACTERS = "drop_stray_characters"
    COMPLETE_PERSON_NAMES = "complete_person_names"
    DROP_EXCLUDED = "drop_excluded"


@dataclass
class Draft:
    """One document's entities while the steps work on them."""

    doc: Doc
    mentions: list[PlaceMention] = field(default_factory=list)
    abbreviations: set[str] = field(default_factory=set)
    found: list[Span] = field(default_factory=list)
    _spans: list[Span] | None = None

    @property
    def spans(self) -> list[Span]:
        """The entities so far: the model's, until a step has replaced them."""
        return list(self.doc.ents) if self._spans is None else self._spans

    @spans.setter
    def spans(self, spans: list[Span]) -> None:
        self._spans = spans

    @functools.cached_property
    def text(self) -> str:
        """The document's text, read once: spaCy joins every token's text anew on each read of
        `Doc.text`, and no step changes the text (token merges and splits keep it)."""
        return self.doc.text

    @functools.cached_property
    def words(self) -> list[str]:
        """Each token's text, read once the token steps are done."""
        return token_texts(self.doc)


@dataclass
class EntityRules:
    """ANNOTATION.md's entity conventions on top of the MSRA-style `ner`.

    `lexicon` (People's Daily 1998 word classes), `gazetteer` (China's divisions) and
    `tables` (the rules' word lists and patterns) are saved with the pipeline.
    """

    lexicon: WordLexicon = field(default_factory=WordLexicon)
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    tables: RuleTables = field(default_factory=RuleTables.from_disk)
    max_name_tokens: int = 14
    expressway_window: int = 40
    min_place_verbs: int = 2
    disabled: frozenset[Step] = frozenset()

    @functools.cached_property
    def rules(self) -> Rules:
        return self.tables.compile()

    def __call__(self, doc: Doc) -> Doc:
        draft = Draft(doc)
        for step, run in STEPS:
            if step not in self.disabled:
                run(self, draft)
        doc.ents = sorted(draft.spans, key=lambda span: span.start)
        return doc

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.lexicon.to_disk(path / LEXICON_FILE)
        self.gazetteer.to_disk(path / PLACES_FILE)
        self.tables.to_disk(path)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> EntityRules:
        lexicon, places = path / LEXICON_FILE, path / PLACES_FILE
        if not lexicon.exists() and (path / "words.json").exists():
            self._read_json_data(path)
        else:
            self.lexicon = WordLexicon.from_disk(lexicon) if lexicon.exists() else WordLexicon()
            self.gazetteer = Gazetteer.from_disk(places) if places.exists() else Gazetteer()
            self.tables = RuleTables.from_disk(path)
        self.__dict__.pop("rules", None)
        return self

    def _read_json_data(self, path: Path) -> None:
        """A lexicon and gazetteer saved as JSON (`words.json`: {class: [words]}, `places.json`:
        {name: parent}) load with the default tables, so `add_to_pipeline` can save them as
        JSONL."""
        grouped = json.loads((path / "words.json").read_text(encoding="utf-8"))
        self.lexicon = WordLexicon({w: WordClass(c) for c, words in grouped.items() for w in words})
        self.gazetteer = Gazetteer(json.loads((path / "places.json").read_text(encoding="utf-8")))
        self.tables = RuleTables.from_disk()


def _rejoin_unknown_words(component: EntityRules, draft: Draft) -> None:
    rejoin_unknown_words(draft.doc)


def _repair_divisions(component: EntityRules, draft: Draft) -> None:
    repair_divisions(draft.doc, component.lexicon, component.rules)


def _find_gazetteer_places(component: EntityRules, draft: Draft) -> None:
    draft.mentions = component.gazetteer.find(draft.text)


def _split_abbreviations(component: EntityRules, draft: Draft) -> None:
    local = component.gazetteer.initials(draft.mentions)
    draft.abbreviations = split_abbreviations(
        draft.doc,
        component.lexicon,
        local,
        component.rules,
        min_place_verbs=component.min_place_verbs,
    )


def _drop_function_words(component: EntityRules, draft: Draft) -> None:
    draft.spans = [
        s
        for s in draft.spans
        if not is_function_words(s, component.lexicon)
        and not is_generic_company(s, component.lexicon, component.rules)
    ]


def _fix_model_entities(component: EntityRules, draft: Draft) -> None:
    draft.spans = [fix_model_entity(s, component.lexicon, component.rules) for s in draft.spans]


def _add_suffix_names(component: EntityRules, draft: Draft) -> None:
    draft.found += suffix_names(
        draft.doc,
        draft.words,
        component.lexicon,
        draft.spans,
        component.rules,
        max_name_tokens=component.max_name_tokens,
        expressway_window=component.expressway_window,
    )


def _add_divisions(component: EntityRules, draft: Draft) -> None:
    draft.found += division_places(draft.doc, draft.words, component.lexicon, component.rules)


def _add_gazetteer_places(component: EntityRules, draft: Draft) -> None:
    draft.found += gazetteer_places(draft.doc, draft.text, draft.mentions)


def _add_countries(component: EntityRules, draft: Draft) -> None:
    draft.found += country_places(draft.doc, draft.words, component.rules)


def _add_national_bodies(component: EntityRules, draft: Draft) -> None:
    draft.found += national_bodies(draft.doc, draft.words, component.rules)


def _add_listed_companies(component: EntityRules, draft: Draft) -> None:
    draft.found += listed_companies(draft.doc, draft.words, component.rules)


def _add_quoted_bodies(component: EntityRules, draft: Draft) -> None:
    draft.found += quoted_bodies(draft.doc, draft.words, draft.spans, component.rules)


def _add_titled_media(component: EntityRules, draft: Draft) -> None:
    draft.found += titled_media(draft.doc, draft.words, component.lexicon, component.rules)


def _merge(component: EntityRules, draft: Draft) -> None:
    draft.spans = merge_spans(draft.spans, draft.found)


def _join_industry_names(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_industry_names(draft.spans, component.rules)


def _join_legal_forms(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_legal_forms(draft.spans, component.rules)


def _join_company_places(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_company_places(draft.spans, component.gazetteer, component.rules)


def _join_national_agencies(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_national_agencies(draft.spans, component.rules)


def _join_session_numbers(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_session_numbers(draft.spans, component.rules)


def _join_channels(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_channels(draft.spans, component.lexicon, component.rules)


def _join_hyphenated_names(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_hyphenated_names(draft.spans)


def _split_foreign_chains(component: EntityRules, draft: Draft) -> None:
    draft.spans = split_foreign_chains(draft.doc, draft.spans, component.lexicon, component.rules)
    draft.__dict__.pop("words", None)  # the tokens may have been cut


def _join_bare_facilities(component: EntityRules, draft: Draft) -> None:
    draft.spans = join_bare_facilities(draft.spans, component.gazetteer, component.rules)


def _span_by_span(
    parts: Callable[..., Iterable[Span]], *data: str
) -> Callable[[EntityRules, Draft], None]:
    """A step that puts in each span's place what `parts(span, component.<data>..., rules)`
    gives, the component's `data` attributes in the order named."""

    def step(component: EntityRules, draft: Draft) -> None:
        resources = [getattr(component, name) for name in data]
        rules = component.rules
        draft.spans = [part for span in draft.spans for part in parts(span, *resources, rules)]

    return step


def _add_places_below(component: EntityRules, draft: Draft) -> None:
    spans = draft.spans
    draft.spans = spans + places_below(spans, component.gazetteer)


def _add_venue_nicknames(component: EntityRules, draft: Draft) -> None:
    spans = draft.spans
    draft.spans = spans + venue_nicknames(draft.doc, spans, component.rules)


def _add_abbreviation_places(component: EntityRules, draft: Draft) -> None:
    spans = draft.spans
    draft.spans = spans + abbreviation_places(
        draft.doc, draft.words, spans, draft.abbreviations, component.rules
    )


def _drop_stray_characters(component: EntityRules, draft: Draft) -> None:
    spans = draft.spans
    draft.spans = [
        s
        for s in spans
        if not is_stray_character(s, spans, component.rules)
        and not is_lone_character_body(s, spans)
    ]


def _complete_person_names(component: EntityRules, draft: Draft) -> None:
    draft.spans = complete_person_names(draft.spans, draft.text)


def _drop_excluded(component: EntityRules, draft: Draft) -> None:
    lexicon, rules = component.lexicon, component.rules
    draft.spans = [
        s for s in draft.spans if not is_excluded(s, rules) and not is_index_name(s, lexicon, rules)
    ]


# The order of the entity rules: tokens first (put back, mended, split), then the model's
# entities filtered and fixed, the rules' names added and merged in, then final clean-ups.
STEPS: tuple[tuple[Step, Callable[[EntityRules, Draft], None]], ...] = (
    (Step.REJOIN_UNKNOWN_WORDS, _rejoin_unknown_words),
    (Step.REPAIR_DIVISIONS, _repair_divisions),
    (Step.FIND_GAZETTEER_PLACES, _find_gazetteer_places),
    (Step.SPLIT_ABBREVIATIONS, _split_abbreviations),
    (Step.DROP_FUNCTION_WORDS, _drop_function_words),
    (Step.FIX_MODEL_ENTITIES, _fix_model_entities),
    (Step.ADD_SUFFIX_NAMES, _add_suffix_names),
    (Step.ADD_DIVISIONS, _add_divisions),
    (Step.ADD_GAZETTEER_PLACES, _add_gazetteer_places),
    (Step.ADD_COUNTRIES, _add_countries),
    (Step.ADD_NATIONAL_BODIES, _add_national_bodies),
    (Step.ADD_LISTED_COMPANIES, _add_listed_companies),
    (Step.ADD_QUOTED_BODIES, _add_quoted_bodies),
    (Step.ADD_TITLED_MEDIA, _add_titled_media),
    (Step.MERGE, _merge),
    (Step.JOIN_INDUSTRY_NAMES, _join_industry_names),
    (Step.JOIN_LEGAL_FORMS, _join_legal_forms),
    (Step.JOIN_COMPANY_PLACES, _join_company_places),
    (Step.JOIN_NATIONAL_AGENCIES, _join_national_agencies),
    (Step.JOIN_SESSION_NUMBERS, _join_session_numbers),
    (Step.JOIN_CHANNELS, _join_channels),
    (Step.JOIN_HYPHENATED_NAMES, _join_hyphenated_names),
    (Step.SPLIT_FOREIGN_CHAINS, _split_foreign_chains),
    (Step.SPLIT_PLACE_CHAINS, _span_by_span(split_place_chain, "gazetteer")),
    (Step.JOIN_BARE_FACILITIES, _join_bare_facilities),
    (Step.SPLIT_SITE_PLACES, _span_by_span(split_site_places, "gazetteer", "lexicon")),
    (Step.SPLIT_COUNTRY_PREFIXES, _span_by_span(split_country_prefix, "lexicon")),
    (Step.PLACE_METONYMS, _span_by_span(seat_place, "lexicon")),
    (Step.SPLIT_TITLED_MEDIA, _span_by_span(split_titled_media, "gazetteer")),
    (Step.CUT_DELEGATIONS, _span_by_span(delegation_place, "gazetteer")),
    (Step.CUT_TEAMS, _span_by_span(team_owner, "gazetteer")),
    (Step.CUT_KINDS_AFTER_PLACES, _span_by_span(places_of_a_kind, "gazetteer")),
    (Step.ADD_PLACES_BELOW, _add_places_below),
    (Step.ADD_VENUE_NICKNAMES, _add_venue_nicknames),
    (Step.ADD_ABBREVIATION_PLACES, _add_abbreviation_places),
    (Step.DROP_STRAY_CHARACTERS, _drop_stray_characters),
    (Step.COMPLETE_PERSON_NAMES, _complete_person_names),
    (Step.DROP_EXCLUDED, _drop_excluded),
)
assert [step for step, _ in STEPS] == list(Step)


@Language.factory(
    NAME,
    default_config={
        "max_name_tokens": 14,
        "expressway_window": 40,
        "min_place_verbs": 2,
        "disabled": [],
    },
)
def make_entity_rules(
    nlp: Language,
    name: str,
    *,
    max_name_tokens: int,
    expressway_window: int,
    min_place_verbs: int,
    disabled: list[str],
) -> EntityRules:
    """The entity rules, with their data loaded by `from_disk` (or the defaults in `tables/`).

    max_name_tokens: how many tokens a name found by its suffix may reach back.
    expressway_window: how many tokens on either side of a word ending in 口 are searched for
        an expressway word (高速, 下道) that makes it an exit.
    min_place_verbs: after how many different place verbs (返盘 … 来盘) a character is taken
        for a place's one-character name.
    disabled: steps (`Step` values) to leave out, for ablations.
    """
    return EntityRules(
        max_name_tokens=max_name_tokens,
        expressway_window=expressway_window,
        min_place_verbs=min_place_verbs,
        disabled=frozenset(Step(step) for step in disabled),
    )


def add_to_pipeline(nlp: Language) -> None:
    """Replace the pipeline's entity rules by a new one with the default settings and the rule
    tables of `tables/`, keeping its lexicon and gazetteer (built by packaging); after `ner`."""
    lexicon, gazetteer = WordLexicon(), Gazetteer()
    if NAME in nlp.pipe_names:
        old = nlp.get_pipe(NAME)
        assert isinstance(old, EntityRules)
        lexicon, gazetteer = old.lexicon, old.gazetteer
        nlp.replace_pipe(NAME, NAME)
    else:
        nlp.add_pipe(NAME, after="ner")
    rules = nlp.get_pipe(NAME)
    assert isinstance(rules, EntityRules)
    rules.lexicon, rules.gazetteer = lexicon, gazetteer
