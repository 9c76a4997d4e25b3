"""The train articles of ner_news_articles.jsonl as NER training data: gold where ANNOTATION.md
and MSRA agree, missing annotation where they differ, held-out items never in train."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from typer.testing import CliRunner

from flows.ops.cli import app
from flows.train.corpora import DEFAULT_CORPORA, bio_sentences
from flows.train.ner import convert_corpora, labelled_doc
from flows.train.news_articles import article_examples, disputed_ranges
from flows.train.segmenter import USER_DICT
from flows.train.splits import NEWS_ARTICLES, DevSplit, held_out_texts, news_article_splits

needs_msra = pytest.mark.skipif(
    not (DEFAULT_CORPORA / "msra_ner" / "train.bio").exists(),
    reason="../shared/corpora not present",
)

Span = tuple[int, int, str]


def _spans(text: str, *surfaces: tuple[str, str]) -> list[Span]:
    """(surface, label) pairs found in text order, as annotators' offsets are."""
    spans, cursor = [], 0
    for surface, label in surfaces:
        start = text.index(surface, cursor)
        spans.append((start, start + len(surface), label))
        cursor = start + len(surface)
    return spans


def _missing(text: str, spans: list[Span], places: frozenset[str] = frozenset()) -> list:
    return [(text[s:e], why) for s, e, why in disputed_ranges(text, spans, places)]


# Where the two conventions differ: (text, ANNOTATION.md's spans, what is missing annotation).
DIFFERENCES = [
    ("市委、市政府召开会议", [], [("市委", "bare-body")]),
    ("县委书记张三说", [("张三", "PERSON")], [("县委", "bare-body")]),
    ("广大政协委员", [], [("政协", "bare-body")]),
    ("美国政府宣布", [("美国政府", "ORG")], [("美国政府", "place-and-generic-body")]),
    ("伊朗军方表示", [("伊朗军方", "ORG")], [("伊朗军方", "place-and-generic-body")]),
    ("美军撤离", [("美军", "ORG")], [("美军", "place-and-generic-body")]),
    (
        "湖北孝感市中心医院",
        [("湖北", "LOC"), ("孝感市中心医院", "ORG")],
        [("湖北孝感市中心医院", "place-before-body")],
    ),
    (
        "瑞士洛桑国际奥委会",
        [("瑞士", "LOC"), ("洛桑", "LOC"), ("国际奥委会", "ORG")],
        [("瑞士洛桑国际奥委会", "place-before-body")],
    ),
    ("广西代表团审议", [("广西", "LOC")], [("广西代表团", "delegation")]),
    ("中方愿同德方合作", [], [("中", "side"), ("德", "side")]),
    ("东京奥运会如期举行", [("东京", "LOC")], [("奥", "games")]),
    ("北京冬奥会", [("北京", "LOC")], [("奥", "games")]),
    ("京津冀协同发展", [("京津冀", "LOC")], [("京津冀", "abbreviated-region")]),
]

# Where they agree: nothing is missing annotation.
AGREEMENTS = [
    ("河北沧州", [("河北", "LOC"), ("沧州", "LOC")]),  # a chain is one LOC per place in both
    ("辽宁沈阳", [("辽宁", "LOC"), ("沈阳", "LOC")]),
    ("吉林省长春市", [("吉林省", "LOC"), ("长春市", "LOC")]),
    ("严禁离盘", [("盘", "LOC")]),  # so is a one-character place in a verb compound
    ("中法关系", [("中", "LOC"), ("法", "LOC")]),
    ("在京中共中央政治局委员", [("京", "LOC"), ("中共中央政治局", "ORG")]),
    ("临沂市委部署", [("临沂市委", "ORG")]),  # a body named with its place
    ("国务院联防联控机制发布会", [("国务院联防联控机制", "ORG")]),
    ("武汉市金银潭医院", [("武汉市金银潭医院", "ORG")]),
    ("俄罗斯外交部表示", [("俄罗斯外交部", "ORG")]),
    ("解放军支援", [("解放军", "ORG")]),
    ("市政府召开会议", []),  # bare 政府 is O in both
    ("在书法方面", []),
    ("其中方舱医院3家，以方便群众", []),
    ("九届全国人大代表李四", [("九届全国人大", "ORG"), ("李四", "PERSON")]),
]


@pytest.mark.parametrize(("text", "surfaces", "missing"), DIFFERENCES)
def test_where_the_conventions_differ_the_characters_are_missing(
    text: str, surfaces: list[tuple[str, str]], missing: list[tuple[str, str]]
) -> None:
    assert _missing(text, _spans(text, *surfaces)) == missing


@pytest.mark.parametrize(("text", "surfaces"), AGREEMENTS)
def test_where_they_agree_the_annotation_is_gold(
    text: str, surfaces: list[tuple[str, str]]
) -> None:
    assert _missing(text, _spans(text, *surfaces)) == []


def test_a_place_annotated_elsewhere_but_left_out_here_is_missing() -> None:
    places = frozenset({"中国", "北京", "美国"})
    assert _missing("坚持中国特色社会主义", [], places) == [("中国", "unannotated-place")]
    assert _missing("新中国史", [], places) == [("中国", "unannotated-place")]
    assert _missing("美国人", [], places) == [("美国", "unannotated-place")]
    # Terms MSRA leaves unlabelled too, and places inside an annotated span.
    assert _missing("发展中国家", [], places) == []
    assert _missing("截至北京时间16时", [], places) == []
    assert _missing("中国政府", [(0, 4, "ORG")], places) == [("中国政府", "place-and-generic-body")]


# The MSRA labelling behind each entry of the lists above (models/README.md gives the counts):
# a pattern, the part of each match looked at, and MSRA's majority labelling of that part.
MSRA_CONVENTIONS = [
    (r"(?<=[，、。])市委(?!书记)", (0, 2), "ORG"),  # bare 市委
    (r"(?<![\u4e00-\u9fff])[市县区]委副?书记", (0, 2), "ORG"),
    (r"(?<=[，、。])市政府", (0, 3), "O"),
    (r"(美国|日本|韩国|中国)政府", (-2, None), "O"),  # place + 政府: LOC + O
    (r"(美国|英国|日本)政府", (0, 2), "LOC"),
    (r"[美日]军", (0, 1), "LOC"),
    (r"(美国|英国)[\u4e00-\u9fff]{2,5}大学", (0, None), "ORG"),  # country inside the ORG
    (r"中国代表团", (0, 5), "ORG"),
    (r"中方", (0, 1), "LOC"),
    (r"中国特色", (0, 2), "LOC"),
    (r"新中国", (1, 3), "LOC"),
    (r"(中国|日本|美国)人(?![民大员才士类物])", (0, 2), "LOC"),
    (r"奥运会", (0, 1), "LOC"),
    (r"发展中国家", (2, 4), "O"),
    (r"(河北|湖北|山东|广东|江苏|四川)(?!省)[\u4e00-\u9fff]{2}(?=[，、。的])", (0, 2), "LOC"),
    (r"(来|访)华", (1, 2), "LOC"),
    (r"京津|川渝|冀鲁豫", (0, None), "part"),  # one LOC per character
]


@pytest.fixture(scope="module")
def msra() -> list[tuple[str, list[Span]]]:
    return list(bio_sentences(DEFAULT_CORPORA / "msra_ner" / "train.bio"))


def _labelling(text: str, spans: list[Span], start: int, end: int) -> str:
    covering = [label for s, e, label in spans if s <= start and e >= end]
    if covering:
        return covering[0] if len(covering) == 1 else "?"
    return "O" if all(e <= start or s >= end for s, e, _ in spans) else "part"


@needs_msra
@pytest.mark.parametrize(("pattern", "part", "label"), MSRA_CONVENTIONS)
def test_msra_labels_each_case_as_the_list_says(
    msra: list[tuple[str, list[Span]]], pattern: str, part: tuple[int, int | None], label: str
) -> None:
    seen: Counter[str] = Counter()
    for text, spans in msra:
        for match in re.finditer(pattern, text):
            start, end = match.span()
            cut = range(start, end)[slice(*part)]
            exact = [s for s in spans if (s[0], s[1]) == (cut.start, cut.stop)]
            seen[exact[0][2] if exact else _labelling(text, spans, cut.start, cut.stop)] += 1
    assert sum(seen.values()) >= 5, seen
    assert seen.most_common(1)[0][0] == label, seen
    assert seen[label] >= 0.75 * sum(seen.values()), seen


@needs_msra
def test_msra_writes_a_place_chain_as_one_loc_per_place(
    msra: list[tuple[str, list[Span]]],
) -> None:
    adjacent = sum(
        a[2] == b[2] == "LOC" and a[1] == b[0]
        for _, spans in msra
        for a, b in itertools.pairwise(spans)
    )
    chained = re.compile(
        r"^(河北|湖北|山东|广东|江苏|四川|浙江|河南)省?[\u4e00-\u9fff]{2,4}[市县]$"
    )
    whole = sum(
        label == "LOC" and bool(chained.match(text[s:e]))
        for text, spans in msra
        for s, e, label in spans
    )
    assert adjacent > 3_000 and whole == 0


def test_missing_tokens_cost_nothing_in_the_ner_loss() -> None:
    """spaCy's NER oracle gives every action zero cost on a token of missing annotation (BILUO
    `-`), where a gold O or a gold LOC makes the other choice cost."""
    nlp = spacy.blank("zh")
    ner = nlp.add_pipe("ner")
    ner.add_label("LOC")
    text, words = "在中国工作", ["在", "中国", "工作"]

    def costs(spans: list[Span], missing: list[Span]) -> dict[str, float]:
        reference = labelled_doc(nlp.vocab, text, spans, words, missing)
        example = Example(Doc(nlp.vocab, words=words), reference)
        nlp.initialize(lambda: [example])
        states, golds, _ = ner.moves.init_gold_batch([example])
        ner.moves.apply_transition(states[0], "O")  # to the token 中国
        moves = ner.moves
        names = {moves.get_class_name(i): i for i in range(moves.n_moves)}
        return {name: moves.get_cost(states[0], golds[0], names[name]) for name in ("O", "U-LOC")}

    assert costs([], [(1, 3, "unannotated-place")]) == {"O": 0, "U-LOC": 0}
    assert costs([], [])["U-LOC"] > 0
    assert costs([(1, 3, "LOC")], [])["O"] > 0


def _articles_file(tmp_path: Path) -> Path:
    """Three items: one train, one dev and one of a split named later (dev4)."""
    rows = [
        ("train", "A:0", "美国政府今天宣布新措施。", [[0, 4, "ORG"]]),
        ("train", "A:1", "武汉市金银潭医院收治病人。", [[0, 8, "ORG"]]),
        ("train", "A:2", "会议还研究了其他事项。", []),
        ("dev", "B:0", "国务院联防联控机制今天举行发布会。", [[0, 9, "ORG"]]),
        ("dev4", "C:0", "湖北省武汉市开展核酸检测。", [[0, 3, "LOC"], [3, 6, "LOC"]]),
    ]
    path = tmp_path / "ner_news_articles.jsonl"
    lines = [
        json.dumps({"id": i, "text": t, "entities": e, "split": s}, ensure_ascii=False)
        for s, i, t, e in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_only_train_items_are_read_whatever_the_other_splits_are_named(tmp_path: Path) -> None:
    examples = list(article_examples(_articles_file(tmp_path)))
    assert [example.id for example in examples] == ["A:0", "A:1", "A:2"]
    # The sentence with no entity stays, as a negative.
    assert examples[2].spans == [] and examples[2].missing == []
    assert examples[0].spans == [] and examples[0].missing == [(0, 4, "place-and-generic-body")]
    assert examples[1].spans == [(0, 8, "ORG")]


def test_every_example_of_the_real_file_comes_from_a_train_item() -> None:
    splits = news_article_splits()
    examples = list(article_examples())
    assert examples and all(splits[e.id.rpartition(":")[0]] == "train" for e in examples)
    with NEWS_ARTICLES.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    assert len(examples) == sum(record["split"] == "train" for record in records)


def test_held_out_articles_stay_out_of_raw_text_without_the_sentence_file(
    tmp_path: Path,
) -> None:
    held_out = {item for item, part in news_article_splits().items() if part != "train"}
    assert held_out
    assert held_out <= held_out_texts(DevSplit.BLOCKS, annotated=tmp_path / "absent.jsonl")


@needs_msra
def test_held_out_articles_never_reach_train_spacy(tmp_path: Path) -> None:
    segmenter = tmp_path / "pkuseg_model"
    shutil.copytree(Path("models/zh_news/tokenizer/pkuseg_model"), segmenter)
    (segmenter / USER_DICT).write_text("", encoding="utf-8")
    articles = _articles_file(tmp_path)
    vocab = spacy.blank("zh").vocab

    def train_docs(weight: int) -> list[Doc]:
        out = tmp_path / f"corpus-{weight}"
        convert_corpora(
            segmenter, out, limit=3, news_articles=articles, news_articles_weight=weight
        )
        return list(DocBin().from_disk(out / "train.spacy").get_docs(vocab))

    texts = [doc.text for doc in train_docs(0)]
    assert not {"美国政府今天宣布新措施。", "会议还研究了其他事项。"} & set(texts)
    docs = train_docs(2)
    texts = [doc.text for doc in docs]
    assert texts.count("美国政府今天宣布新措施。") == 2
    assert texts.count("会议还研究了其他事项。") == 2
    assert "国务院联防联控机制今天举行发布会。" not in texts
    assert "湖北省武汉市开展核酸检测。" not in texts
    # The missing annotation survives the DocBin: 美国政府 is neither an entity nor outside.
    government = next(doc for doc in docs if doc.text.startswith("美国政府"))
    assert "".join(t.text for t in government if t.ent_iob_ == "") == "美国政府"
    assert not government.ents
    hospital = next(doc for doc in docs if doc.text.startswith("武汉市金银潭医院"))
    assert [(e.text, e.label_) for e in hospital.ents] == [("武汉市金银潭医院", "ORG")]


@pytest.mark.parametrize("command", ["ner", "distill"])
def test_the_train_commands_pass_the_weight_on_and_default_to_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    import flows.train.distill
    import flows.train.ner

    calls: list[int] = []
    record = lambda *args, **kwargs: calls.append(kwargs.get("news_articles_weight", 0))  # noqa: E731
    monkeypatch.setattr(flows.train.ner, "convert_corpora", record)
    monkeypatch.setattr(flows.train.ner, "run_training", lambda *args, **kwargs: None)
    monkeypatch.setattr(flows.train.distill, "distill", record)
    pipeline = tmp_path / "pipeline"
    pipeline.mkdir()
    (pipeline / "config.cfg").touch()
    common = [
        "--corpora",
        str(tmp_path),
        "--pkuseg-model",
        "models/zh_news/tokenizer/pkuseg_model",
    ]
    if command == "ner":
        extra = ["--vectors", str(pipeline)]
    else:
        extra = ["--teacher", str(pipeline), "--depth", "2"]  # a student must be smaller
    args = ["train", command, *common, *extra]
    for weight in ([], ["--news-articles-weight", "3"]):
        result = CliRunner().invoke(app, [*args, *weight])
        assert result.exit_code == 0, result.output
    assert calls == [0, 3]
