"""Assemble ../linking.jsonl from seed_texts.json, the corpus and the hand annotations ann_*.txt."""
import json, glob, sys
sys.path.insert(0, '.')
from build import parse, annotate, load_corpus, covid_text
SEED_META = {  # published date (None: year not known) and outlet, read from each seed's header
    '000_09d1d3fb153f71d8.txt': ('2022-03-28', '大众网', 'dev'),
    '001_04da01ab895996bb.txt': ('2020-02-27', '潍坊日报', 'test'),
    '002_9f8363960fe15744.txt': (None, '济宁新闻网', 'dev'),
    '003_c392b13e244e9231.txt': (None, None, 'test'),
    '004_159c955386c68518.txt': (None, None, 'dev'),
}
C = load_corpus()
seed_texts = json.load(open('seed_texts.json', encoding='utf-8'))
records = []
for f in sorted(glob.glob('ann_*.txt')):
    for b in parse(f):
        i = b['id']
        if i in SEED_META:
            text = seed_texts[i]; pub, outlet, split = SEED_META[i]
        else:
            d = C[i]; text = covid_text(d); pub = d['pub_date'][:10]; outlet = '央视网'; split = None
        m, o = annotate(text, b['lines'], f)
        records.append({'id': i, 'split': split, 'published': pub, 'outlet': outlet,
                        'text': text, 'mentions': m, 'officials': o})
seeds = sorted([r for r in records if r['id'] in SEED_META], key=lambda r: r['id'])
news = sorted([r for r in records if r['id'] not in SEED_META], key=lambda r: (r['published'], r['id']))
for k, r in enumerate(news):
    r['split'] = 'test' if k % 2 == 0 else 'dev'
ids = [r['id'] for r in records]
assert len(ids) == len(set(ids)), 'duplicate ids'
with open('../linking.jsonl', 'w', encoding='utf-8') as out:
    for r in seeds + news:
        out.write(json.dumps(r, ensure_ascii=False) + '\n')
print(len(seeds), len(news), sum(len(r['mentions']) for r in records),
      sum(1 for r in records for m in r['mentions'] if m['adcode']), sum(len(r['officials']) for r in records))
