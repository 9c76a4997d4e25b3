"""Build ../linking.jsonl from hand annotations in ann_*.txt (DSL) and the source texts."""
import json, re, sys, glob
from adm import lookup, DIV
CORPUS = '/work/shared/corpora/covid_news/xwlb_covid_2020_2021.jsonl'
DATELINE = '央视网消息（新闻联播）：'

def covid_text(d):
    body = d['text'].replace(DATELINE, '', 1)
    paras = [re.sub(r'[ \t\u3000]+', ' ', p).strip() for p in body.split('\n')]
    paras = [p for p in paras if p]
    return d['title'].strip() + '\n\n' + '\n'.join(paras)

def load_corpus():
    out = {}
    for l in open(CORPUS, encoding='utf-8'):
        d = json.loads(l); out[d['id']] = d
    return out

def code_of(field, surface):
    if field is None or field == '':
        c = lookup(surface)
        if len(c) != 1:
            raise ValueError(f'need explicit code for {surface}: {c}')
        return c[0]
    if field == '-':
        return None
    if field.startswith('@'):
        c = lookup(field[1:])
        if len(c) != 1:
            raise ValueError(f'ambiguous @{field}: {c}')
        return c[0]
    assert re.fullmatch(r'\d{6}', field) and field in DIV, field
    return field

def parse(path):
    blocks = []
    cur = None
    for ln, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#!'):
            continue
        if line.startswith('## '):
            cur = {'id': line[3:].strip(), 'lines': []}; blocks.append(cur); continue
        cur['lines'].append((ln, line))
    return blocks

def annotate(text, lines, path):
    mentions, officials = [], []
    cur = 0
    seen = set()
    for ln, line in lines:
        try:
            kind, rest = line.split(None, 1) if ' ' in line.strip() else (line.strip(), '')
            if kind == 'SEEK':  # move cursor to just after an anchor
                i = text.index(rest, cur); cur = i + len(rest); continue
            if kind == 'RESET':
                cur = 0; continue
            if kind in ('L', 'G'):
                parts = rest.split()
                surf = parts[0]; field = parts[1] if len(parts) > 1 else None
                if kind == 'G' and field is None:
                    raise ValueError('ORG needs code field')
                i = text.find(surf, cur)
                if i < 0:
                    raise ValueError(f'not found after {cur}: {surf}')
                mentions.append({'start': i, 'end': i + len(surf), 'text': surf,
                                 'label': 'LOC' if kind == 'L' else 'ORG',
                                 'adcode': code_of(field, surf)})
                cur = i + len(surf)
            elif kind == 'P':
                person, title, org, code = [x.strip() for x in rest.split('|')]
                i = text.find(person, cur)
                if i < 0:
                    raise ValueError(f'person not found after {cur}: {person}')
                key = (person, title, None if org == '-' else org)
                if key in seen:
                    raise ValueError(f'duplicate official {key}')
                seen.add(key)
                officials.append({'person': person, 'start': i, 'end': i + len(person), 'title': title,
                                  'organisation': None if org == '-' else org,
                                  'adcode': code_of(code, None) if code != '-' else None})
                # cursor not moved past the name: several posts may share it
                cur = max(cur, i)
            else:
                raise ValueError('bad kind ' + kind)
        except Exception as e:
            sys.exit(f'{path}:{ln}: {e}  [{line}]')
    return mentions, officials
