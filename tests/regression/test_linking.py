"""The shipped pipeline against issue 20's bars and the seeds' officials (loads models/zh_news)."""

from __future__ import annotations

import pytest

from flows.inputs import ingest
from flows.inputs.clean import clean_document
from flows.nlp.model import annotate_documents, load_pipeline
from flows.ops.evaluate import evaluate_linking
from flows.store.records import CleanDocument
from tests.conftest import REPO_ROOT, SEEDS

pytestmark = pytest.mark.slow
LINKING_DEV = REPO_ROOT / "data" / "annotated" / "linking" / "linking.jsonl"


def _seed(prefix: str) -> CleanDocument:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    [raw] = ingest.iter_inputs([path], ingest.InputOptions(max_chars=1_000_000))
    document = clean_document(raw)
    assert isinstance(document, CleanDocument)
    return document


@pytest.mark.skipif(not LINKING_DEV.exists(), reason="the hand-annotated linking set is not here")
def test_the_hand_annotated_set_clears_the_bars() -> None:
    scores = evaluate_linking(LINKING_DEV)
    assert scores.mentions.f1 >= 0.90
    assert scores.officials.f1 >= 0.80
    assert scores.adcode_accuracy >= 0.85


def test_seed_officials_and_codes() -> None:
    linyi, xinglongtai = annotate_documents(load_pipeline(), [_seed("000"), _seed("003")])
    officials = {(o.person, o.title, o.organisation, o.adcode) for o in linyi.officials}
    assert {
        ("隽新阳", "市委常委", None, "371300"),
        ("隽新阳", "副市长", None, "371300"),
        ("赵明", "局长", "临沂市住房和城乡建设局", "371300"),
        ("周俊献", "党组书记", "临沂市行政审批服务局", "371300"),
    } <= officials
    assert ("市行政审批服务局", "371300") in {(e.text, e.adcode) for e in linyi.entities}
    assert ("王春", "区政协主席", None, "211103") in {
        (o.person, o.title, o.organisation, o.adcode) for o in xinglongtai.officials
    }
    assert {(e.text, e.adcode) for e in xinglongtai.entities} >= {
        ("兴隆台区", "211103"),
        ("区执法局", "211103"),
        ("盘", "211100"),
    }
