"""A low-rank student of a trained pipeline: its `tok2vec` Maxout weights truncated by SVD.

Each Maxout weight W (thinc's shape (nO, nP, nI)), read as the matrix M = W.reshape(nO * nP, nI),
is replaced by the best rank-r approximation of M (Eckart-Young), U_r S_r V_r^T, split between
the two layers of `flows.nlp.low_rank.low_rank_maxout`: the Linear (nI -> r) gets
sqrt(S_r) V_r^T, the Maxout (r -> nO, nP) gets U_r sqrt(S_r). The singular values are shared
evenly, so that neither factor starts much larger than the other.
Every other weight (hash tables, static-vector projection, Maxout biases, LayerNorms, `ner`) is
copied unchanged (`flows.train.distill.student_from_teacher`), so at full rank the student
predicts what the teacher does.
"""

from __future__ import annotations

import numpy
from thinc.api import Model

from flows.nlp.low_rank import LOW_RANK_EMBED, LOW_RANK_ENCODER, first_maxout


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


def factorise_maxout(source: Model, block: Model) -> None:
    """Give the low-rank `block` (Linear, then Maxout) the truncated SVD of the weight of
    `source`'s Maxout: the Linear's weight and zero bias, the Maxout's weight (the rest of the
    block, its bias and LayerNorm, is copied by the caller)."""
    linear, rest = block.layers
    first, second = truncated_factors(first_maxout(source).get_param("W"), linear.get_dim("nO"))
    linear.set_param("W", first)
    linear.set_param("b", numpy.zeros(linear.get_dim("nO"), dtype=first.dtype))
    first_maxout(rest).set_param("W", second)


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
