"""A cheaper `tok2vec`: each Maxout layer's weight matrix as the product of two thinner ones.

spaCy's `tok2vec` (MultiHashEmbed.v2 + MaxoutWindowEncoder.v2) spends its time in the matrix
products of its Maxout layers: the embedding's mixing layer (5 x 128 inputs -> 128 outputs x 3
pieces) and one per encoder layer (3 x 128 -> 128 x 3). Here each of them is a `Linear` layer
(nI -> rank) followed by a Maxout (rank -> nO, nP), so a token costs rank * (nI + nO * nP)
multiply-adds instead of nI * nO * nP. Everything else (hash embeddings, static vectors,
LayerNorm, residual connections, window) is spaCy's own, so a low-rank `tok2vec` is
initialised from a trained one by a truncated SVD of each Maxout weight
(`flows.train.low_rank`) and, at full rank, computes the same function.

The architectures are registered when this module is imported (flows.nlp.model does) and
through the `spacy_architectures` entry points in pyproject.toml, so `spacy.load` finds them.
"""

from __future__ import annotations

from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    Linear,
    Maxout,
    Model,
    chain,
    clone,
    expand_window,
    residual,
    with_array,
)
from thinc.types import Floats2d

LOW_RANK_EMBED = "zhnews.LowRankMultiHashEmbed.v1"
LOW_RANK_ENCODER = "zhnews.LowRankMaxoutWindowEncoder.v1"


def low_rank_maxout(nO: int, nI: int, nP: int, rank: int) -> Model[Floats2d, Floats2d]:
    """`Linear(nI -> rank)` then spaCy's normalised `Maxout(rank -> nO, nP)`; the Linear's bias
    starts at zero (a truncated SVD has none), the Maxout keeps its own bias."""
    if not 1 <= rank <= min(nI, nO * nP):
        limit = min(nI, nO * nP)
        raise ValueError(f"rank {rank} outside 1..{limit} for a {nI} -> {nO}x{nP} Maxout")
    return chain(
        Linear(nO=rank, nI=nI),
        Maxout(nO=nO, nI=rank, nP=nP, dropout=0.0, normalize=True),
    )


def first_maxout(model: Model) -> Model:
    """The first Maxout layer in `model`'s tree (a bare Maxout, or one chained with LayerNorm)."""
    return next(node for node in model.walk() if node.name == "maxout")


def is_low_rank_maxout(model: Model) -> bool:
    """Whether `model` is a `low_rank_maxout` block (a Linear first, then a Maxout chain)."""
    return (
        len(model.layers) == 2
        and model.layers[0].name == "linear"
        and any(node.name == "maxout" for node in model.layers[1].walk())
    )


@registry.architectures(LOW_RANK_EMBED)
def low_rank_multi_hash_embed(
    width: int,
    attrs: list[str | int],
    rows: list[int],
    include_static_vectors: bool,
    rank: int,
) -> Model[list[Doc], list[Floats2d]]:
    """spacy.MultiHashEmbed.v2 (the same hash tables and seeds, the same static vectors) whose
    mixing Maxout goes through `rank` dimensions."""
    embed = MultiHashEmbed(width, attrs, rows, include_static_vectors)
    # MultiHashEmbed.v2 is chain([concatenate(features, vectors) or features], with_array(Maxout),
    # ragged2list()): the mixing layer is the second-to-last.
    *features, mixing, to_list = embed.layers
    maxout = first_maxout(mixing)
    concat_size = maxout.get_dim("nI")
    return chain(
        *features,
        with_array(low_rank_maxout(width, concat_size, maxout.get_dim("nP"), rank)),
        to_list,
    )


@registry.architectures(LOW_RANK_ENCODER)
def low_rank_maxout_window_encoder(
    width: int, window_size: int, maxout_pieces: int, depth: int, rank: int
) -> Model[list[Floats2d], list[Floats2d]]:
    """spacy.MaxoutWindowEncoder.v2 whose Maxout layers each go through `rank` dimensions."""
    block = chain(
        expand_window(window_size=window_size),
        low_rank_maxout(width, width * (window_size * 2 + 1), maxout_pieces, rank),
    )
    model = clone(residual(block), depth)
    model.set_dim("nO", width)
    return with_array(model, pad=window_size * depth)


def multiply_adds_per_token(model: Model) -> int:
    """Multiply-adds of the matrix products of `model` for one token (Linear, Maxout and the
    static vectors' projection; the hash look-ups, LayerNorm and the max are left out, they are
    linear in the width)."""
    total = 0
    for node in model.walk():
        if node.name == "static_vectors" and node.has_dim("nM"):
            total += node.get_dim("nO") * node.get_dim("nM")
        elif node.name == "linear":
            total += node.get_dim("nO") * node.get_dim("nI")
        elif node.name == "maxout":
            total += node.get_dim("nO") * node.get_dim("nP") * node.get_dim("nI")
    return total
