import json,sys
sys.path.insert(0,'.')
from build import parse, annotate, load_corpus, covid_text
C=load_corpus()
for f in sys.argv[1:]:
    for b in parse(f):
        t=covid_text(C[b['id']])
        m,o=annotate(t,b['lines'],f)
        print('=====',b['id'],len(m),len(o))
        for x in m:
            print('  %s %-8s %s  …%s【%s】%s…'%(x['label'][0],x['adcode'],x['text'],t[max(0,x['start']-5):x['start']].replace('\n','|'),x['text'],t[x['end']:x['end']+5].replace('\n','|')))
        for x in o:
            print('  P',x['person'],x['title'],x['organisation'],x['adcode'])
