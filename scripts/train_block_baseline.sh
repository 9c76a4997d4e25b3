#!/usr/bin/env bash
# The baseline that CONTRACT.md judges model changes against: zh_news 0.7.0's recipe (models/README.md,
# "How it is built") retrained on the block split's train part, so that no MSRA dev block line or
# news dev item reaches the segmenter, vectors, pretraining or NER weights.
#
# Resumable: a finished step leaves training/block-baseline/<step>.done and is skipped when the
# script runs again (an interrupted segmenter step starts over: pkuseg's --resume adds iterations);
# an interrupted NER run continues from its last checkpoint.
# By default a single seed (0.6.0's recipe, about 0.5 F below 0.7.0's seven-seed average in
# session 8), one core, about 2 hours; SEEDS="1 2 3 4 5 6" adds 0.7.0's seeded runs and their
# average. Run in the background:
#   nohup bash scripts/train_block_baseline.sh > logs/block-baseline.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# ZHNEWS overrides how the CLI is called (e.g. another checkout's interpreter with PYTHONPATH).
read -r -a zhnews <<< "${ZHNEWS:-bash scripts/env.sh zhnews}"
zhnews+=(train)
state=training/block-baseline
mkdir -p "$state" logs

step() {  # step NAME COMMAND...: run COMMAND unless NAME is done
    local name=$1
    shift
    if [[ -e $state/$name.done ]]; then
        echo "== $name: done before"
        return
    fi
    echo "== $name: $(date -u +%FT%TZ)"
    "$@"
    touch "$state/$name.done"
    echo "== $name: finished $(date -u +%FT%TZ)"
}

resume_if() {  # --resume when PATH (a saved model or checkpoint) exists
    [[ -e $1 ]] && echo --resume || true
}

seeded_run() {  # seeded_run SEED
    local out=training/ner-b$1
    if [[ ! -d $out/model-last ]]; then
        mkdir -p "$out" && cp -r training/zh_news-blocks-c "$out/model-last"
    fi
    step "ner-b$1" "${zhnews[@]}" ner --out-dir "$out" --pkuseg-model training/segmenter-blocks \
        --vectors training/vectors-blocks/pipeline --cluener-weight 0 --resume --max-steps 6000 \
        --seed "$1"
}
package() {  # package TRAINED OUT_DIR
    "${zhnews[@]}" package --trained "$1" --pkuseg-model training/segmenter-blocks \
        --split-segmenter training/segmenter-pd/model --out-dir "$2"
}

step segmenter-pd "${zhnews[@]}" segmenter --out-dir training/segmenter-pd --iterations 2
# Only the converted corpus (block split) is used: the entity-aware segmenter trains on its words.
step ner-corpus "${zhnews[@]}" ner --out-dir training/ner-blocks \
    --pkuseg-model training/segmenter-pd/model --vectors models/zh_news --max-steps 1
step segmenter-ea "${zhnews[@]}" segmenter --out-dir training/segmenter-ea-blocks --iterations 2 \
    --entity-aware training/ner-blocks/corpus/train.spacy
step prune "${zhnews[@]}" prune-segmenter --model training/segmenter-ea-blocks/model \
    --out-dir training/segmenter-blocks
touch training/segmenter-blocks/user_dict.txt
step vectors "${zhnews[@]}" vectors --out-dir training/vectors-blocks \
    --pkuseg-model training/segmenter-blocks
step pretrain "${zhnews[@]}" pretrain --out-dir training/pretrain-blocks \
    --pkuseg-model training/segmenter-blocks --vectors training/vectors-blocks/pipeline
step ner-c "${zhnews[@]}" ner --out-dir training/ner-c-blocks --pkuseg-model training/segmenter-blocks \
    --vectors training/vectors-blocks/pipeline --cluener-weight 0 \
    --init-tok2vec training/pretrain-blocks/model-last.bin --max-steps 12000 \
    $(resume_if training/ner-c-blocks/model-last)
step package-c package training/ner-c-blocks/model-best training/zh_news-blocks-c
# 0.6.0's step: 6,000 more steps from the packaged pipeline, through its tokenizer's vocabulary;
# 0.7.0's: the same with seeds 1-6 (SEEDS="1 2 3 4 5 6", about 13 min each on a free core),
# then the average of every seed's model-best.
seeded_run 0
step package-b0 package training/ner-b0/model-best training/zh_news-blocks
step evaluate "${zhnews[@]}" evaluate --model training/zh_news-blocks \
    --corpus training/ner-b0/corpus
read -r -a seeds <<< "${SEEDS:-}"
if (( ${#seeds[@]} )); then
    for seed in "${seeds[@]}"; do seeded_run "$seed"; done
    runs=(training/ner-b0/model-best)
    for seed in "${seeds[@]}"; do runs+=("training/ner-b$seed/model-best"); done
    name=avg$(( ${#seeds[@]} + 1 ))
    step "average-$name" "${zhnews[@]}" average "${runs[@]}" --out-dir "training/ner-$name/model-best"
    step "package-$name" package "training/ner-$name/model-best" "training/zh_news-blocks-$name"
    step "evaluate-$name" "${zhnews[@]}" evaluate --model "training/zh_news-blocks-$name" \
        --corpus training/ner-b0/corpus
fi
echo "== all done $(date -u +%FT%TZ)"
