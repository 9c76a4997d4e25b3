"""A low-rank student of a trained pipeline: its `tok2vec` Maxout weights truncated by SVD.

Each Maxout weight W (thinc's shape (nO, nP, nI)), read as the matrix M = W.reshape(nO * nP, nI),
is replaced by the best rank-r approximation of M (Eckart-Young), U_r S_r V_r^T, split between
the two layers of `flows.nlp.low_rank.low_rank_maxout`: the Linear (nI -> r) gets
sqrt(S_r) V_r^T, the Maxout (r -> nO, nP) gets U_r sqrt(S_r). The singular values are shared
evenly so that neither factor starts much larger than the other (Adam then moves both alike).
Every other weight (hash tables, static-vector projection, Maxout biases, LayerNorms, `ner`) is
copied unchanged, so at full rank the student predicts what the teacher does.
"""

from __future__ import annotations

import numpy
import spacy
from spacy.language import Language
from thinc.api import Model

from flows.nlp.low_rank import LOW_RANK_EMBED, LOW_RANK_ENCODER, is_low_rank_maxout
from flows.nlp.model import NER_COMPONENTS


def low_rank_config(config: dict, *, rank: int, embed_rank: int | None = None) -> dict:
    """`config` (a pipeline's, with spaCy's MultiHashEmbed.v2 and MaxoutWindowEncoder.v2) with
    the low-rank architectures in their place: `rank` for the encoder layers, `embed_rank`
    (default `rank`) for the embedding's mixing layer."""
    model = config["components"]["tok2vec"]["model"]
    model["embed"] = {
        **model["embed"],
        "@architectures": LOW_RANK_EMBED,
        "rank": rank if embed_rank is None else embed_rank,
    }
    model["encode"] = {**model["encode"], "@architectures": LOW_RANK_ENCODER, "rank": rank}
    return config


def low_rank_student(teacher: Language, *, rank: int, embed_rank: int | None = None) -> Language:
    """A copy of the teacher's tokenizer, `tok2vec` and `ner` with a low-rank `tok2vec`
    initialised by truncated SVD (module docstring); `ner` is the teacher's."""
    config = teacher.config.copy()
    config["nlp"]["pipeline"] = list(NER_COMPONENTS)
    config["components"] = {name: config["components"][name] for name in NER_COMPONENTS}
    low_rank_config(config, rank=rank, embed_rank=embed_rank)
    student = spacy.util.load_model_from_config(config, vocab=teacher.vocab, auto_fill=False)
    student.tokenizer = teacher.tokenizer
    copy_factorised(teacher.get_pipe("tok2vec").model, student.get_pipe("tok2vec").model)
    student.get_pipe("ner").from_bytes(teacher.get_pipe("ner").to_bytes())
    student.meta.update(
        {key: teacher.meta[key] for key in ("name", "version") if key in teacher.meta}
    )
    return student


def copy_factorised(source: Model, target: Model) -> None:
    """Copy dims and params along two trees of the same shape, except that where `target` holds
    a low-rank block in place of `source`'s Maxout chain, the block gets the truncated SVD of
    the Maxout weight (and the Maxout's bias and LayerNorm as they are)."""
    if is_low_rank_maxout(target) and not is_low_rank_maxout(source):
        linear, rest = target.layers
        maxout = _maxout(rest)
        first, second = truncated_factors(_maxout(source).get_param("W"), linear.get_dim("nO"))
        linear.set_param("W", first)
        linear.set_param("b", numpy.zeros(linear.get_dim("nO"), dtype=first.dtype))
        for source_node, target_node in zip(source.walk(), rest.walk(), strict=True):
            _copy_node(source_node, target_node)
        maxout.set_param("W", second)
        return
    _copy_node(source, target)
    for source_layer, target_layer in zip(source.layers, target.layers, strict=True):
        copy_factorised(source_layer, target_layer)


def _copy_node(source: Model, target: Model) -> None:
    """The dims `target` leaves unset, and every param (a low-rank block overwrites its own)."""
    for name in source.dim_names:
        if source.has_dim(name) and target.has_dim(name) is None:
            target.set_dim(name, source.get_dim(name))
    for name in source.param_names:
        if source.has_param(name):
            target.set_param(name, source.get_param(name).copy())


def _maxout(model: Model) -> Model:
    return next(node for node in model.walk() if node.name == "maxout")


def truncated_factors(weight: numpy.ndarray, rank: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The Linear weight (rank, nI) and the Maxout weight (nO, nP, rank) whose product is the
    best rank-`rank` approximation of the Maxout weight `weight` (nO, nP, nI)."""
    n_out, n_pieces, n_in = weight.shape
    matrix = numpy.asarray(weight, dtype=numpy.float64).reshape(n_out * n_pieces, n_in)
    u, s, vt = numpy.linalg.svd(matrix, full_matrices=False)
    root = numpy.sqrt(s[:rank])
    first = (root[:, None] * vt[:rank]).astype(weight.dtype)
    second = (u[:, :rank] * root[None, :]).reshape(n_out, n_pieces, rank).astype(weight.dtype)
    return first, second
