#!/usr/bin/env python3
"""Check matters_catalog.yaml against the catalog schema and the project's targets.

Usage:  python3 tools/catalog/check_counts.py [PATH]   (default: <repo>/matters_catalog.yaml)

Exits non-zero on the first failed assertion; prints counts otherwise.
Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT = ROOT / "matters_catalog.yaml"

TOP_KEYS = ["catalog", "domains", "departments", "matters", "bundles"]
CATALOG_KEYS = ["name", "region_code", "version", "source"]
MATTER_KEYS = [
    "code", "name", "department", "type", "domain", "kind", "promised_days", "legal_days",
    "minutes", "minutes_estimated", "undifferentiated", "main_item", "common", "keywords",
    "materials",
]
MATTER_REQUIRED = {
    "code", "name", "department", "type", "domain", "kind", "promised_days", "minutes",
    "minutes_estimated", "undifferentiated", "keywords", "materials",
}
MATERIAL_KEYS = ["name", "form", "copies", "required", "note"]
BUNDLE_KEYS = ["code", "name", "audience", "national", "description", "keywords", "matters"]
TYPES = {"行政许可", "行政给付", "行政确认", "行政奖励", "行政裁决", "其他行政权力", "公共服务"}
FORMS = {"原件", "复印件", "原件及复印件", "电子件"}
DOMAINS = [
    "企业开办", "企业经营许可", "工程建设", "社保", "医保", "户籍", "出入境", "交通运输", "车驾管",
    "不动产", "住房公积金", "税务", "民政", "教育", "卫生健康", "文化旅游", "农林水利", "自然资源", "生态环境", "司法公证",
    "残疾人", "退役军人", "应急消防", "其他",
]
NATIONAL_2024 = {
    "企业信息变更", "开办餐饮店", "开办运输企业", "水电气网联合报装", "信用修复", "企业破产信息核查",
    "企业上市合法合规信息核查", "新生儿出生", "教育入学", "残疾人服务", "退休", "社会保障卡居民服务",
    "二手房转移登记及水电气联动过户",
}


def ordered_subset(keys: list[str], allowed: list[str], where: str) -> None:
    unknown = [k for k in keys if k not in allowed]
    assert not unknown, f"{where}: unknown keys {unknown}"
    pos = [allowed.index(k) for k in keys]
    assert pos == sorted(pos), f"{where}: keys out of order {keys}"


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check(doc: dict) -> dict:
    assert isinstance(doc, dict), "top level is not a mapping"
    assert list(doc) == TOP_KEYS, f"top-level keys {list(doc)}"
    cat = doc["catalog"]
    assert list(cat) == CATALOG_KEYS, f"catalog keys {list(cat)}"
    assert all(isinstance(v, str) and v for v in cat.values()), "catalog values must be strings"
    assert cat["region_code"] == "511602"

    assert doc["domains"] == DOMAINS, "domains list differs from the schema"
    domains = set(DOMAINS)

    depts = doc["departments"]
    assert len(depts) == 27, f"{len(depts)} departments, want 27"
    for d in depts:
        assert list(d) == ["code", "name"], f"department keys {list(d)}"
        assert re.fullmatch(r"[A-Z]{2,6}", d["code"]), f"bad department code {d['code']!r}"
        assert isinstance(d["name"], str) and d["name"]
    dcodes = [d["code"] for d in depts]
    assert len(set(dcodes)) == len(dcodes), "duplicate department codes"
    assert len({d["name"] for d in depts}) == len(depts), "duplicate department names"

    matters = doc["matters"]
    assert len(matters) == 667, f"{len(matters)} matters, want 667"
    codes = [m["code"] for m in matters]
    assert len(set(codes)) == len(codes), "duplicate matter codes"
    for m in matters:
        w = f"matter {m.get('code')}"
        ordered_subset(list(m), MATTER_KEYS, w)
        missing = MATTER_REQUIRED - set(m)
        assert not missing, f"{w}: missing {sorted(missing)}"
        assert isinstance(m["code"], str) and m["code"], w
        assert isinstance(m["name"], str) and m["name"], w
        assert m["department"] in dcodes, f"{w}: unknown department {m['department']}"
        assert m["type"] in TYPES, f"{w}: bad type {m['type']}"
        assert m["domain"] in domains, f"{w}: bad domain {m['domain']}"
        assert m["kind"] in ("即办件", "承诺件"), f"{w}: bad kind"
        pd = m["promised_days"]
        assert is_int(pd), f"{w}: promised_days not int"
        if m["kind"] == "即办件":
            assert pd == 0, f"{w}: 即办件 with promised_days {pd}"
        else:
            assert pd >= 1, f"{w}: 承诺件 with promised_days {pd}"
        if "legal_days" in m:
            assert is_int(m["legal_days"]) and m["legal_days"] >= max(pd, 1), f"{w}: legal_days"
        mins = m["minutes"]
        assert isinstance(mins, (int, float)) and not isinstance(mins, bool), f"{w}: minutes"
        assert 2 <= mins <= 90, f"{w}: minutes {mins}"
        assert m["minutes_estimated"] is True, f"{w}: minutes_estimated"
        assert isinstance(m["undifferentiated"], bool), f"{w}: undifferentiated"
        if "main_item" in m:
            assert isinstance(m["main_item"], str) and m["main_item"] and m["main_item"] != "未分类"
        if "common" in m:
            assert m["common"] is True, f"{w}: common must be true when present"
        kws = m["keywords"]
        assert isinstance(kws, list) and all(isinstance(k, str) and k for k in kws), f"{w}: keywords"
        assert len(set(kws)) == len(kws), f"{w}: duplicate keywords"
        mats = m["materials"]
        assert isinstance(mats, list), f"{w}: materials"
        if m.get("common"):
            assert mats, f"{w}: common matter without materials"
        for x in mats:
            ordered_subset(list(x), MATERIAL_KEYS, f"{w} material")
            assert isinstance(x.get("name"), str) and x["name"], f"{w}: material name"
            assert x.get("form") in FORMS, f"{w}: material form {x.get('form')}"
            assert is_int(x.get("copies")) and x["copies"] >= 1, f"{w}: material copies"
            if "required" in x:
                assert isinstance(x["required"], bool), f"{w}: material required"
            if "note" in x:
                assert isinstance(x["note"], str) and x["note"], f"{w}: material note"
    present = {m["department"] for m in matters}
    assert present == set(dcodes), f"departments without matters: {set(dcodes) - present}"

    bundles = doc["bundles"]
    bcodes = [b["code"] for b in bundles]
    assert len(set(bcodes)) == len(bcodes), "duplicate bundle codes"
    code_set = set(codes)
    for b in bundles:
        w = f"bundle {b.get('code')}"
        assert list(b) == BUNDLE_KEYS, f"{w}: keys {list(b)}"
        assert re.fullmatch(r"[A-Z0-9-]+", b["code"]), f"{w}: bad code"
        assert b["audience"] in ("enterprise", "person"), f"{w}: audience"
        prefix = "QY-" if b["audience"] == "enterprise" else "GR-"
        assert b["code"].startswith(prefix), f"{w}: prefix does not match audience"
        assert isinstance(b["national"], bool), f"{w}: national"
        if b["national"]:
            assert b["name"] in NATIONAL_2024, f"{w}: national but not one of the 13"
        assert isinstance(b["description"], str) and b["description"] and "\n" not in b["description"]
        assert isinstance(b["keywords"], list), f"{w}: keywords"
        ms = b["matters"]
        assert len(ms) >= 2 and len(set(ms)) == len(ms), f"{w}: needs >= 2 distinct matters"
        missing = [c for c in ms if c not in code_set]
        assert not missing, f"{w}: unknown matter codes {missing}"
    enterprise = [b for b in bundles if b["audience"] == "enterprise"]
    person = [b for b in bundles if b["audience"] == "person"]
    assert len(enterprise) >= 61, f"only {len(enterprise)} enterprise bundles"
    national = {b["name"] for b in bundles if b["national"]}
    assert national == NATIONAL_2024, f"national bundles missing: {NATIONAL_2024 - national}"
    return {"enterprise": enterprise, "person": person}


def report(doc: dict, parts: dict) -> None:
    ms = doc["matters"]
    names = {d["code"]: d["name"] for d in doc["departments"]}
    print(f"matters {len(ms)}, departments {len(doc['departments'])}, bundles {len(doc['bundles'])}"
          f" (enterprise {len(parts['enterprise'])}, person {len(parts['person'])},"
          f" national {sum(b['national'] for b in doc['bundles'])})")
    print("\nper department:")
    for code, n in Counter(m["department"] for m in ms).most_common():
        print(f"  {code:5} {names[code]:12} {n}")
    print("\nper domain:")
    for dom, n in Counter(m["domain"] for m in ms).most_common():
        print(f"  {dom:8} {n}")
    print("\nper kind:", dict(Counter(m["kind"] for m in ms)))
    print("per type:", dict(Counter(m["type"] for m in ms)))
    und = sum(m["undifferentiated"] for m in ms)
    print(f"undifferentiated: {und} ({100 * und / len(ms):.1f}%)")
    print(f"common: {sum(bool(m.get('common')) for m in ms)}"
          f"; with materials: {sum(bool(m['materials']) for m in ms)}"
          f"; with keywords: {sum(bool(m['keywords']) for m in ms)}"
          f"; with legal_days: {sum('legal_days' in m for m in ms)}")
    in_bundles = {c for b in doc["bundles"] for c in b["matters"]}
    print(f"distinct matters used by bundles: {len(in_bundles)}")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        parts = check(doc)
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    report(doc, parts)
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
