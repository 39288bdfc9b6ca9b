"""Catalog and hall files: the real ones load; broken copies fail with file, line, field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_app.domain.catalog import Audience, MatterKind
from queue_app.domain.hall import Coverage
from queue_app.loaders import LoadError, load_catalog, load_hall, load_hall_for
from queue_app.loaders.yaml_lines import parse_with_lines
from tests.conftest import FIXTURES, REPO

CATALOG = REPO / "matters_catalog.yaml"


def test_real_catalog_has_667_matters_27_departments_and_the_bundles(real_catalog) -> None:
    s = real_catalog.stats()
    assert s["matters"] == 667
    assert s["departments"] == 27
    assert s["enterprise_bundles"] >= 61
    names = {b.name for b in real_catalog.bundles}
    for national in (
        "企业信息变更",
        "开办餐饮店",
        "开办运输企业",
        "新生儿出生",
        "退休",
        "社会保障卡居民服务",
        "教育入学",
        "残疾人服务",
    ):
        assert any(national in n for n in names), national
    assert sum(1 for m in real_catalog.matters if m.materials) >= 150
    assert all(m.materials for m in real_catalog.matters if m.common)
    assert {m.department for m in real_catalog.matters} == set(real_catalog.department_by_code)
    kinds = {m.kind for m in real_catalog.matters}
    assert kinds == {MatterKind.IMMEDIATE, MatterKind.PROMISED}
    assert all(b.audience in (Audience.ENTERPRISE, Audience.PERSON) for b in real_catalog.bundles)


@pytest.mark.parametrize("name", ["default", "township", "township-east", "property-centre"])
def test_hall_layouts_load_against_the_real_catalog(real_catalog, name: str) -> None:
    hall = load_hall_for(REPO / "windows" / f"{name}.yaml", real_catalog)
    cov = Coverage(hall, real_catalog)
    assert all(cov.by_window[w.number] for w in hall.windows), "a window that serves nothing"
    if name == "default":
        kinds = {w.kind.value for w in hall.windows}
        assert kinds == {"undifferentiated", "domain", "specialised", "green"}
        # mostly undifferentiated: ten windows are nothing else, and every window accepts
        # any matter an undifferentiated window may (the others serve their domains besides)
        assert sum(w.kind.value == "undifferentiated" for w in hall.windows) >= 10
        assert all(w.serves.undifferentiated or w.serves.all for w in hall.windows)
        # the district hall accepts nearly every matter, and every bundle of matters it
        # handles at some window; it refers 住房公积金 and 车驾管 elsewhere
        assert len(cov.unserved()) <= 0.05 * len(real_catalog.matters)
        assert {m.domain for m in cov.unserved()} == {"住房公积金", "车驾管"}
        assert all(
            cov.windows_for(set(b.matters))
            for b in real_catalog.bundles
            if set(b.matters) <= cov.handled
        )
    elif name == "township":
        assert len(hall.windows) == 4
    assert hall.hall.address and hall.hall.phone  # for the desks that refer here


def _mutate(tmp_path: Path, source: Path, edit) -> tuple[Path, int]:
    """Copy ``source`` with one line changed by ``edit(lines, line_map, data)``; return the
    copy and the 1-based line the error should point at."""
    text = source.read_text(encoding="utf-8")
    data, line_map = parse_with_lines(text)
    lines = text.splitlines(keepends=True)
    where = edit(lines, line_map, data)
    out = tmp_path / source.name
    out.write_text("".join(lines), encoding="utf-8")
    return out, where


def _replace_value(lines: list[str], line_no: int, key: str, new: str) -> None:
    i = line_no - 1
    lines[i], n = re.subn(
        rf"({key}:\s*)(\"[^\"]*\"|'[^']*'|[^,}}\n]+)", rf"\g<1>{new}", lines[i], count=1
    )
    assert n == 1, lines[i]


def _dup_code(lines, m, data) -> int:
    line = m[("matters", 1, "code")]
    _replace_value(lines, line, "code", f'"{data["matters"][0]["code"]}"')
    return line


def _bundle_unknown(lines, m, data) -> int:
    line = m[("bundles", 0, "matters", 1)]
    old = data["bundles"][0]["matters"][1]
    lines[line - 1] = lines[line - 1].replace(old, "NO-SUCH-MATTER", 1)
    return line


def _missing_field(lines, m, data) -> int:
    line = m[("matters", 2, "kind")]
    lines[line - 1] = ""
    return m[("matters", 2)]


def _wrong_type(lines, m, data) -> int:
    line = m[("matters", 3, "promised_days")]
    _replace_value(lines, line, "promised_days", "five")
    return line


def _broken_yaml(lines, m, data) -> int:
    line = m[("matters", 4, "name")]
    lines[line - 1] = lines[line - 1].rstrip("\n") + " [unclosed\n"
    lines.insert(line, "   bad: : indent\n")
    return line


def _dup_key(lines, m, data) -> int:
    line = m[("matters", 5, "name")]
    indent = re.match(r"\s*(-\s*)?", lines[line - 1]).group(0).replace("-", " ")
    lines.insert(line, f"{indent}name: 又一个名字\n")
    return line + 1


def _bad_domain(lines, m, data) -> int:
    line = m[("matters", 1, "domain")]
    _replace_value(lines, line, "domain", "火星事务")
    return line


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (_dup_code, "matters[1]", "duplicate code"),
        (_bundle_unknown, "bundles[0]", "unknown matter 'NO-SUCH-MATTER'"),
        (_missing_field, "matters[2]", "kind: required field is missing"),
        (_wrong_type, "matters[3]", "promised_days: expected a whole number; got 'five'"),
        (_broken_yaml, "", "broken YAML"),
        (_dup_key, "matters[5]", "duplicate key 'name'"),
        (_bad_domain, "matters[1]", "unknown domain '火星事务'"),
    ],
)
@pytest.mark.parametrize("source", [CATALOG, FIXTURES / "mini_catalog.yaml"], ids=["real", "mini"])
def test_broken_catalog_copies_fail_with_file_line_and_field(
    tmp_path: Path, source: Path, edit, field: str, message: str
) -> None:
    broken, line = _mutate(tmp_path, source, edit)
    with pytest.raises(LoadError) as e:
        load_catalog(broken)
    text = str(e.value)
    first = text.splitlines()[0]
    if edit is _broken_yaml:
        assert first.startswith(f"{broken}:"), first
        assert int(first.split(":")[1]) in (line, line + 1), first
    else:
        assert first.startswith(f"{broken}:{line}: {field}"), first
    assert message in text


def test_empty_and_non_mapping_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(LoadError, match="empty"):
        load_catalog(empty)
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(LoadError, match="expected a mapping"):
        load_catalog(listy)
    with pytest.raises(LoadError, match="file not found"):
        load_catalog(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LoadError, match="UTF-8"):
        load_catalog(binary)


HALL_BREAKS = [
    ("number: 2,", "number: 1,", "windows[1]", "duplicate window number 1"),
    ("kind: domain", "kind: domian", "windows[2]", "kind: expected"),
    ('close: "17:30"', 'close: "25:99"', "hours.close", "expected"),
    (
        "{number: 2, name: 无差别综合窗口, kind:",
        "{number: 2, kind:",
        "windows[1] (2).name",
        "required field is missing",
    ),
    ("recall_limit: 5", "recall_limit: five", "recall_limit", "expected a whole number"),
    ("- {number: 4, name:", "- {number: 4 name:", "broken YAML", "expected ',' or '}'"),
    (
        'end: "13:30"}',
        'end: "13:30", on_duty: [1, 9]}',
        "hours.lunch.on_duty[1]",
        "this hall has no window 9",
    ),
    (
        "{prefix: A, name: 综合业务}",
        "{prefix: A, name: 综合业务, domains: [社保]}",
        "ticket_classes",
        "exactly one default class",
    ),
    (
        "{prefix: Y, name: 预约, appointment: true}",
        "{prefix: V, name: 预约, appointment: true}",
        "ticket_classes[1]",
        "duplicate prefix 'V'",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), HALL_BREAKS)
def test_broken_hall_files(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "hall.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = max(i for i, t in enumerate(broken.read_text().splitlines(), 1) if new in t)
    with pytest.raises(LoadError) as e:
        load_hall(broken)
    first = str(e.value).splitlines()[0]
    assert first.startswith(f"{broken}:"), first
    assert field in first and message in first
    if "default class" not in message:
        assert f":{line}:" in first


def test_hall_referencing_unknown_domain_is_rejected(tmp_path: Path, mini_catalog) -> None:
    text = (FIXTURES / "mini_hall.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "hall.yaml"
    broken.write_text(
        text.replace("domains: [出入境]", "domains: [出入境, 天文台]"), encoding="utf-8"
    )
    with pytest.raises(LoadError) as e:
        load_hall_for(broken, mini_catalog)
    assert "windows[3] (出入境窗口).serves.domains[1]: unknown domain '天文台'" in str(e.value)
