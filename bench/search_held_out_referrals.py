"""The desk's search at the township hall, on phrasings for the matters it refers
elsewhere (issue 14, items 4 and 6): 不动产登记, 住房公积金, 车驾管, 出入境. Written blind,
before reading the catalog's keywords or the names of those matters, by the author of the
referrals (not of the keywords); run once and not tuned on: a change to the search, the
keywords or the city file is judged by it, never fitted to it.

A phrase is found when one of its first three hits is a matter of the domain asked for
whose name holds one of the words given (any, where none is given), and the township hall
either handles that matter or knows where it is handled (a hall of the city, or one of the
city file's referrals). Prints each phrase's top three and the share found.

    python3 bench/search_held_out_referrals.py

Its one run (2026-12-02, with the city file's arrival): 24 of 28. Missed: 查一下我名下有几套房
and 继承父母的房子 (no hit: every term must match), 驾照扣满12分 (the 换证 and 审验 matters
first) and 车辆年检 (no hit).
"""

from __future__ import annotations

# (phrase, domain of the matter asked for, any one of these words in its name; empty: any)
PHRASES = [
    ("买了新房怎么办房本", "不动产", ["登记"]),
    ("房本丢了", "不动产", ["补", "遗失"]),
    ("查一下我名下有几套房", "不动产", ["查询"]),
    ("继承父母的房子", "不动产", ["转移", "继承"]),
    ("房贷还清了解押", "不动产", ["抵押"]),
    ("房产证上加名字", "不动产", ["变更", "转移"]),
    ("开无房证明", "不动产", ["查询", "证明"]),
    ("商品房预告登记", "不动产", ["预告"]),
    ("取公积金", "住房公积金", ["提取"]),
    ("退休了取公积金", "住房公积金", ["提取"]),
    ("用公积金还房贷", "住房公积金", ["提取", "贷款"]),
    ("公积金余额查询", "住房公积金", ["查询", "账户", "缴存"]),
    ("换工作了公积金怎么转", "住房公积金", ["转移"]),
    ("公积金贷款买房", "住房公积金", ["贷款"]),
    ("补缴公积金", "住房公积金", ["缴"]),
    ("驾照换本", "车驾管", ["换"]),
    ("驾驶证过期了", "车驾管", ["换", "恢复"]),
    ("驾照扣满12分", "车驾管", ["满分", "学习", "考试"]),
    ("新车上牌", "车驾管", ["注册", "号牌"]),
    ("车辆年检", "车驾管", ["检验", "年检"]),
    ("行驶证丢了", "车驾管", ["行驶证"]),
    ("补办驾照", "车驾管", ["补"]),
    ("去香港要办什么证", "出入境", ["港澳"]),
    ("办护照", "出入境", ["护照"]),
    ("港澳通行证再签注", "出入境", ["签注"]),
    ("去澳门旅游签注", "出入境", ["港澳"]),
    ("往来台湾通行证", "出入境", ["台湾"]),
    ("护照过期换发", "出入境", ["护照"]),
]


def main() -> None:
    from queue_app.domain.city import referrals_of
    from queue_app.loaders import (
        default_catalog_path,
        default_city_path,
        load_catalog,
        load_city_halls,
        load_elsewhere,
    )
    from queue_app.search import CatalogSearch

    catalog = load_catalog(default_catalog_path())
    _, halls = load_city_halls(default_city_path(), catalog)
    township = next(h for h in halls if h.hall.code == "township-centre")
    referrals = referrals_of(township, load_elsewhere(default_city_path(), catalog))
    search = CatalogSearch(catalog)
    found = 0
    for phrase, domain, words in PHRASES:
        top = [h for h in search.search(phrase, limit=3) if h.kind == "matter"]
        good = []
        for h in top:
            m = catalog.matter(h.code)
            if m.domain == domain and (not words or any(w in m.name for w in words)):
                if referrals.handled(h.code):
                    good.append(f"{m.name} (here)")
                elif where := referrals.where(h.code):
                    good.append(f"{m.name} → {where[0].name}")
        found += bool(good)
        shown = " | ".join(h.name for h in top) or "(no hit)"
        print(f"{'ok  ' if good else 'MISS'} {phrase} → {good[0] if good else shown}")
    print(f"{found} of {len(PHRASES)} find their matter or its referral in the top three")


if __name__ == "__main__":
    main()
