"""``queue-app report``: a period's figures as a table, CSV, JSON and a workbook from a
real SQLite file, the same figures the store reports; bad options refused with one line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl

from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall
from queue_app.domain.report import Period
from queue_app.domain.rollup import By
from tests.cli.test_cli import run
from tests.cli.test_report_workbook import rows_under
from tests.conftest import FIXTURES, hall_file
from tests.store.test_reports import play_days

DAYS = [dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)]


def test_a_report_in_each_format_gives_the_stores_figures(
    tmp_path: Path, mini_catalog: Catalog, mini_hall: Hall
) -> None:
    url = hall_file(tmp_path / "hall.db")
    store = play_days(url, mini_catalog, mini_hall, DAYS, seed=7, steps=60)
    expected = store.report(By.WINDOW, Period.of("2026-11-17", "2026-11-18"))
    store.dispose()
    env = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(FIXTURES / "mini_hall.yaml"),
        "QUEUE_APP_DB": url,
    }
    period = ["--from", "2026-11-17", "--to", "2026-11-18", "--by", "window"]

    r = run("report", *period, "--format", "csv", env=env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["key"] for x in rows] == [line.key for line in expected.lines] + [""]
    for row, line in zip(rows, expected.lines, strict=False):
        assert int(row["served"]) == line.now.served
        assert int(row["issued"]) == line.now.issued
        assert int(row["rating_1"]) == line.now.ratings[1]
    assert int(rows[-1]["served"]) == expected.total.now.served > 0

    r = run("report", *period, "--format", "json", env=env)
    got = json.loads(r.stdout)
    assert got["previous_first"] == "2026-11-15" and got["previous_last"] == "2026-11-16"
    assert got["total"]["before"]["served"] == expected.total.before.served > 0
    assert [d["day"] for d in got["trend"]] == ["2026-11-17", "2026-11-18"]
    cases = got["cases"]  # every poor rating of the period opened a 好差评 case
    assert cases["opened"] == sum(
        x["now"]["ratings"][k] for x in [got["total"]] for k in ("1", "2")
    )
    assert cases["opened"] > 0 and cases["visit_rate"] == 0.0 and cases["overdue"] > 0

    r = run("report", *period, env=env)  # the table, in Chinese
    assert r.returncode == 0 and "测试大厅 · 2026-11-17 至 2026-11-18 · 按窗口" in r.stdout
    assert "差评率" in r.stdout and "合计" in r.stdout and "忙闲均衡度" in r.stdout
    assert "好差评工单：新增" in r.stdout and "回访率 0.0%" in r.stdout
    # the raw rows purged (the command's clock is today's: those days are long past), the
    # figures are the same, read from the days' rollups
    r = run("--lang", "en", "db", "purge", "--keep-days", "1", env=env)
    assert r.returncode == 0 and "kept the last 1 days; deleted" in r.stdout, r.stderr
    assert "deleted 0 tickets" not in r.stdout
    again = run("report", *period, "--format", "json", env=env)
    assert json.loads(again.stdout) == got
    r = run("--lang", "en", "db", "purge", env={**env, "QUEUE_APP_KEEP_DAYS": "0"})
    assert r.returncode == 2 and "a whole number of days from 1 to 36500" in r.stderr

    out = tmp_path / "month.txt"
    r = run("--lang", "en", "report", *period, "--out", str(out), env=env)
    assert r.returncode == 0 and f"wrote {out}" in r.stdout
    assert "poor-rating rate" in out.read_text(encoding="utf-8")

    book = tmp_path / "month.xlsx"  # the workbook: every breakdown fetched, as numbers
    r = run("report", *period, "--format", "xlsx", "--out", str(book), env=env)
    assert r.returncode == 0 and f"已写入 {book}" in r.stdout, r.stderr
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames[:3] == ["概览", "窗口", "人员"] and len(sheets.sheetnames) == 9
    assert sheets["概览"]["A1"].value == "测试大厅报表"  # two days: neither a week nor a month
    windows = rows_under(sheets["窗口"], 5)
    assert [w["办结"].value for w in windows] == [
        *(line.now.served for line in expected.lines),
        expected.total.now.served,
    ]


def test_bad_options_are_refused_with_one_line(tmp_path: Path) -> None:
    env = {
        "QUEUE_APP_CATALOG": str(FIXTURES / "mini_catalog.yaml"),
        "QUEUE_APP_HALL": str(FIXTURES / "mini_hall.yaml"),
        "QUEUE_APP_DB": hall_file(tmp_path / "hall.db"),
    }
    r = run("--lang", "en", "report", "--by", "floor", env=env)
    assert r.returncode == 2 and "--by: expected one of hall, window" in r.stderr
    r = run("--lang", "en", "report", "--format", "pdf", env=env)
    assert r.returncode == 2 and "--format: expected one of table, csv, json" in r.stderr
    r = run("--lang", "en", "report", "--format", "xlsx", env=env)  # a workbook needs a file
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--format xlsx writes a workbook: name its file with --out" in r.stderr
    r = run("--lang", "en", "report", "--from", "2026-11-30", "--to", "2026-11-01", env=env)
    assert r.returncode == 1
    assert "The period ends (2026-11-01) before it begins (2026-11-30)" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("--lang", "en", "report", "--from", "2026-02-30", "--to", "2026-03-01", env=env)
    assert r.returncode == 1 and "2026-02-30 is not a date" in r.stderr
