"""The 好差评 sheet: the hall's ratings per level against the period before, those set
aside on appeal, 差评率 and 满意率, and each month's ranking of windows and clerks by
满意率."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from queue_app.domain.errors import N_
from queue_app.domain.rating import RATING_WORDS
from queue_app.report_models import RankedOut, ReportOut
from queue_app.report_workbook import sheet
from queue_app.report_workbook.overview import heading
from queue_app.report_workbook.sheet import Col, Say, Series, Styles, Value

CLERKS_AT = 6  # the clerks' ranking beside the windows'
LEVEL_ROWS = (4, 8)  # the five levels' rows, for the chart


def _ranked(who: str) -> list[Col]:
    return [
        Col(N_("rank"), "rank", 6.0),
        Col(who, "text", None),
        Col(N_("ratings")),
        Col(N_("satisfaction rate"), "share"),
        Col(N_("poor-rating rate"), "share"),
    ]


def _ranking(ranked: list[RankedOut]) -> list[list[Value]]:
    return [[r.rank, r.label, r.rated, r.satisfied_rate, r.bad_rate] for r in ranked]


def write(wb: Workbook, st: Styles, say: Say, report: ReportOut, title: str) -> None:
    """The 好差评 sheet of ``report`` (any breakdown: the hall's and the rankings)."""
    name = say(N_("Citizen ratings"))
    ws = wb.add_worksheet(name)
    heading(ws, st, say, report, say(N_("{title} · {what}")).format(title=title, what=name))
    now, before = report.total.now, report.total.before
    rows: list[tuple[str, str, list[Value]]] = [
        (
            RATING_WORDS[lv],
            "int",
            [now.ratings.get(lv, 0), before.ratings.get(lv, 0), now.excluded_ratings.get(lv, 0)],
        )
        for lv in range(5, 0, -1)
    ]
    excluded = sum(now.excluded_ratings.values())
    rows.append((N_("ratings"), "int", [now.rated, before.rated, excluded]))
    rows.append((N_("poor-rating rate"), "share", [now.bad_rate, before.bad_rate, None]))
    rows.append(
        (N_("satisfaction rate"), "share", [now.satisfied_rate, before.satisfied_rate, None])
    )
    # 代评: entered by staff for citizens at windows without a 评价器, not in the rates
    rows.append((N_("entered by staff"), "int", [now.proxy_rated, before.proxy_rated, None]))
    headers = [N_("level"), N_("this period"), N_("the period before"), N_("set aside on appeal")]
    end = sheet.key_table(ws, st, say, (3, 0), headers, rows)
    levels = sheet.chart(
        wb,
        name,
        say(N_("ratings per level")),
        LEVEL_ROWS,
        0,
        [Series(1, say(N_("this period"))), Series(2, say(N_("the period before")))],
        axes=(say(N_("ratings")), None),
        size=(520, 260),
    )
    ws.insert_chart(3, CLERKS_AT, levels, {"x_offset": 10})
    row = max(end, 17) + 1  # below the chart
    for month in sorted(set(report.window_ranking) | set(report.clerk_ranking)):
        ends = []
        for col, ranking, heading_msgid, who in (
            (0, report.window_ranking, N_("{month}: windows by satisfaction rate"), N_("window")),
            (
                CLERKS_AT,
                report.clerk_ranking,
                N_("{month}: clerks by satisfaction rate"),
                N_("clerk"),
            ),
        ):
            ws.write_string(row, col, say(heading_msgid).format(month=month), st.section)
            rows_of = _ranking(ranking.get(month, []))
            ends.append(sheet.table(ws, st, say, (row + 1, col), _ranked(who), rows_of))
        row = max(ends) + 1
    sheet.page(ws, (3, 3))
