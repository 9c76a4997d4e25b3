"""The shipped pipeline's slogan lexicon is the curated one (models/slogans/lexicon.jsonl)."""

from __future__ import annotations

from flows import CHECKOUT_MODEL as MODEL_DIR
from flows.nlp.slogans import COMPONENT, DEFAULT_LEXICON, LEXICON_FILE, SloganLexicon


def test_the_pipeline_carries_the_curated_lexicon() -> None:
    shipped = SloganLexicon.load(MODEL_DIR / COMPONENT / LEXICON_FILE)
    assert shipped.entries, "the pipeline has no slogan lexicon"
    assert shipped == SloganLexicon.load(DEFAULT_LEXICON), (
        "models/slogans/lexicon.jsonl changed: save it into the pipeline "
        "(flows.nlp.slogans.add_to_pipeline, then nlp.to_disk)"
    )
