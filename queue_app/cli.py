"""The ``queue-app`` command: catalog and hall checks, ticket and window operations."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from queue_app.defaults import RETRY_FOR_S

if TYPE_CHECKING:  # the command imports what a command uses when it runs: it starts fast
    from queue_app.api_models import EventOut, TicketOut, WindowStateOut
    from queue_app.client import HallClient
    from queue_app.domain.catalog import Catalog
    from queue_app.domain.hall import Hall
    from queue_app.domain.profiles import WindowProfile
    from queue_app.domain.ticket import Outcome
    from queue_app.store import Store

app = typer.Typer(
    help="政务服务大厅综合窗口排队叫号 · unified service-window queue manager",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="The matter catalog (事项目录).", no_args_is_help=True)
hall_app = typer.Typer(
    help="Hall layouts (windows/*.yaml) and the running hall's targets.", no_args_is_help=True
)
ticket_app = typer.Typer(help="Tickets: issue, show, list, cancel, re-queue.", no_args_is_help=True)


class _WindowGroup(TyperGroup):
    """``queue-app window N`` opens window N's clerk terminal; ``queue-app window call-next
    N`` and the other subcommands act once."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0].isdigit():
            args = ["terminal", *args]
        return super().parse_args(ctx, args)


window_app = typer.Typer(
    cls=_WindowGroup,
    help="A window's work: `window N` opens its clerk terminal; call-next, recall, start, "
    "finish ... act once.",
    no_args_is_help=True,
)
day_app = typer.Typer(help="The business day.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts: desk, clerk, manager, display.", no_args_is_help=True)
db_app = typer.Typer(
    help="The database's schema: its revision, and the upgrade to this release's.",
    no_args_is_help=True,
)
for sub, name in (
    (catalog_app, "catalog"),
    (hall_app, "hall"),
    (ticket_app, "ticket"),
    (window_app, "window"),
    (day_app, "day"),
    (staff_app, "staff"),
    (db_app, "db"),
):
    app.add_typer(sub, name=name)

out = Console()
err = Console(stderr=True)


@dataclass
class Settings:
    db: str | None = None
    hall: Path | None = None
    catalog: Path | None = None
    actor: str = "cli"
    as_json: bool = False
    server: str | None = None
    user: str | None = None
    retry_for: float = RETRY_FOR_S


settings = Settings()


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (default: $QUEUE_APP_DB or a SQLite file in your data directory)."
        ),
    ] = None,
    hall: Annotated[
        Path | None, typer.Option(help="Hall layout file (default: windows/default.yaml).")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalog file (default: matters_catalog.yaml).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who is acting, for the event log.")] = "cli",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    server: Annotated[
        str | None,
        typer.Option(
            help="Act on a running hall server (ticket, window and day commands), e.g. "
            "http://127.0.0.1:8600, instead of the database.",
            envvar="QUEUE_APP_SERVER",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            help="Staff account for --server (password: $QUEUE_APP_PASSWORD, else asked for).",
            envvar="QUEUE_APP_USER",
        ),
    ] = None,
    retry_for: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds to keep trying an unreachable --server (a restart takes seconds) "
            "before giving up.",
            envvar="QUEUE_APP_RETRY_FOR",
        ),
    ] = RETRY_FOR_S,
) -> None:
    settings.db, settings.hall, settings.catalog = db, hall, catalog
    settings.actor, settings.as_json = actor, as_json
    settings.server, settings.user, settings.retry_for = server, user, retry_for


def _fail(message: str, code: int) -> NoReturn:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Known failures become a clear message and an exit code, never a traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except Exception as exc:
        said = _explained(exc)
        if said is None:
            raise
        _fail(*said)


def _explained(exc: Exception) -> tuple[str, int] | None:
    """The message and exit code for a known failure, else None. A failure can come only
    from a module already imported: the others are not imported to ask."""
    from queue_app.domain.errors import Refused

    if "queue_app.loaders" in sys.modules:
        from queue_app.loaders import LoadError

        if isinstance(exc, LoadError):
            return f"error: cannot load file\n{exc}", 2
    if isinstance(exc, Refused):
        from queue_app.i18n import messages

        zh, en = messages(exc)
        return f"refused ({exc.code}): {zh}\n  {en}", 1
    if "queue_app.client" in sys.modules:
        from queue_app.client import ApiError

        if isinstance(exc, ApiError):
            if exc.code == "unreachable":
                return f"error: {exc.en} ({settings.server})", 1
            return f"refused ({exc.code}): {exc.zh}\n  {exc.en}", 1
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import SQLAlchemyError

        from queue_app.store import schema

        if isinstance(exc, schema.SchemaError):
            return f"error: {exc}", 1
        if isinstance(exc, SQLAlchemyError):
            first = str(exc).splitlines()[0]
            return f"error: database problem: {exc.__class__.__name__}: {first}", 1
    return None


def _catalog() -> Catalog:
    from queue_app.loaders import default_catalog_path, load_catalog

    return load_catalog(settings.catalog or default_catalog_path())


def _hall(catalog: Catalog) -> Hall:
    from queue_app.loaders import default_hall_path, load_hall_for

    return load_hall_for(settings.hall or default_hall_path(), catalog)


def _store(clock: Callable[[], float] = time.time) -> Store:
    """The hall's store. A new database is created at this release's schema; one at an
    older revision is refused (``queue-app db upgrade`` upgrades it)."""
    from queue_app.store import Store, default_database_url, make_engine, schema

    catalog = _catalog()
    hall = _hall(catalog)
    engine = make_engine(settings.db or default_database_url())
    try:
        schema.create_or_require_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, catalog, hall, clock=clock)


def _emit(data: Any, render: Callable[[], None]) -> None:
    if settings.as_json:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
    else:
        render()


# ----------------------------------------------------------------- catalog
@catalog_app.command("check")
def catalog_check(
    file: Annotated[Path | None, typer.Argument(help="Catalog file.")] = None,
) -> None:
    """Validate a catalog file; exit 2 with file, line and field on any problem."""
    from queue_app.loaders import default_catalog_path, load_catalog

    with _user_errors():
        path = file or settings.catalog or default_catalog_path()
        cat = load_catalog(path)
        s = cat.stats()
        out.print(
            f"ok: {path}: {s['matters']} matters, {s['departments']} departments, "
            f"{s['bundles']} bundles ({s['enterprise_bundles']} enterprise, "
            f"{s['person_bundles']} personal)"
        )


@catalog_app.command("stats")
def catalog_stats(
    file: Annotated[Path | None, typer.Argument(help="Catalog file.")] = None,
) -> None:
    """Numbers of matters, departments and bundles, by domain and kind."""
    from queue_app.loaders import default_catalog_path, load_catalog

    with _user_errors():
        cat = load_catalog(file or settings.catalog or default_catalog_path())
        s = cat.stats()
        by_domain = Counter(m.domain for m in cat.matters)

        def render() -> None:
            out.print(f"[bold]{cat.catalog.name}[/] ({cat.catalog.version})")
            out.print(f"matters: {s['matters']}")
            out.print(f"departments: {s['departments']}")
            out.print(
                f"bundles: {s['bundles']} (enterprise {s['enterprise_bundles']}, "
                f"personal {s['person_bundles']})"
            )
            out.print(
                f"即办件 {s['immediate']} · 承诺件 {s['promised']} · "
                f"undifferentiated {s['undifferentiated']} · with materials "
                f"{s['with_materials']}"
            )
            t = Table("domain 领域", "matters", title="by domain")
            for d in cat.domains:
                t.add_row(d, str(by_domain.get(d, 0)))
            out.print(t)

        _emit({**s, "by_domain": dict(by_domain)}, render)


@catalog_app.command("search")
def catalog_search(query: str, limit: Annotated[int, typer.Option(min=1, max=100)] = 10) -> None:
    """Find matters and bundles by name, code, keyword, department or pinyin."""
    from queue_app.search import CatalogSearch

    with _user_errors():
        cat = _catalog()
        hits = CatalogSearch(cat).search(query, limit)
        depts = {d.code: d.name for d in cat.departments}

        def render() -> None:
            if not hits:
                out.print(f"no match for {query!r}")
                return
            t = Table("", "code", "name 名称", "department", "kind", "score")
            for h in hits:
                if h.kind == "matter":
                    m = cat.matter(h.code)
                    kind = m.kind.value + (f" {m.promised_days}日" if m.promised_days else "")
                    t.add_row(
                        "事项", h.code, h.name, depts.get(m.department, ""), kind, f"{h.score:.0f}"
                    )
                else:
                    b = cat.bundle_by_code[h.code]
                    t.add_row(
                        "一件事", h.code, h.name, f"{len(b.matters)} matters", "", f"{h.score:.0f}"
                    )
            out.print(t)

        _emit([asdict(h) for h in hits], render)


# -------------------------------------------------------------------- hall
@hall_app.command("check")
def hall_check(file: Path) -> None:
    """Validate a hall layout against the catalog and show what its windows cover."""
    from queue_app.domain.hall import Coverage
    from queue_app.loaders import load_hall_for

    with _user_errors():
        cat = _catalog()
        hall = load_hall_for(file, cat)
        cov = Coverage(hall, cat)
        unserved = cov.unserved()
        kinds = Counter(w.kind.value for w in hall.windows)
        out.print(
            f"ok: {file}: {hall.hall.name}: {len(hall.windows)} windows ("
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            + ")"
        )
        out.print(
            "ticket classes: " + ", ".join(f"{c.prefix} {c.name}" for c in hall.ticket_classes)
        )
        out.print(
            f"matters this hall can accept: {len(cat.matters) - len(unserved)} of "
            f"{len(cat.matters)}"
        )
        if unserved:
            out.print(
                f"not accepted at any window ({len(unserved)}): "
                + "、".join(m.name for m in unserved[:10])
                + (" ..." if len(unserved) > 10 else "")
            )


@hall_app.command("targets")
def hall_targets(
    wait: Annotated[
        int | None, typer.Option(min=1, max=600, help="Minutes a ticket may wait.")
    ] = None,
    serve: Annotated[
        int | None, typer.Option(min=1, max=600, help="Minutes a ticket may be served.")
    ] = None,
    restore: Annotated[bool, typer.Option(help="Back to the layout file's targets.")] = False,
) -> None:
    """Show the running hall's wait and service targets, or change them."""
    from queue_app.domain.hall import Targets

    if restore and (wait is not None or serve is not None):
        _fail("error: --restore takes no --wait or --serve", 2)
    with _user_errors(), _client() as hall:
        if restore:
            t = hall.set_targets(None)
        elif wait is None and serve is None:
            t = hall.hall().targets
        else:
            now = hall.hall().targets
            t = hall.set_targets(
                Targets(
                    wait_minutes=wait if wait is not None else now.wait_minutes,
                    serve_minutes=serve if serve is not None else now.serve_minutes,
                )
            )
        _emit(
            t.model_dump(),
            lambda: out.print(f"等候目标 {t.wait_minutes} 分钟 · 办理目标 {t.serve_minutes} 分钟"),
        )


# ----------------------------------------------------------------- tickets
@contextmanager
def _client(window: int | None = None) -> Iterator[HallClient]:
    """A client of the hall's app run here on the database (default; acting as
    ``--actor``), or of the server of ``--server`` signed in as ``--user`` (at ``window``
    for window commands: a clerk may operate only its own window)."""
    from queue_app.client import ApiError, HallClient

    if settings.server is None:
        from queue_app.cli_hall import local_client

        store = _store()
        try:
            with local_client(store, settings.actor) as client:
                yield client
        finally:
            store.dispose()
        return
    if not settings.user:
        _fail("error: --server needs --user NAME (or $QUEUE_APP_USER)", 2)
    password = os.environ.get("QUEUE_APP_PASSWORD") or typer.prompt(
        f"{settings.user} 的密码 (password)", hide_input=True
    )
    with HallClient(settings.server, retry_for=settings.retry_for) as client:
        client.sign_in(settings.user, password, window)
        try:
            yield client
        finally:
            with suppress(ApiError):
                client.sign_out()


def _show_ticket(t: TicketOut) -> None:
    names = "、".join(
        i.name + (f"（{i.outcome_label}）" if i.outcome_label else "") for i in t.items
    )
    where = f" @ {t.window} 号窗口" if t.window else ""
    pri = f" [{t.priority_label}]" if t.priority_label else ""
    out.print(f"[bold]{t.number}[/] {t.status_label}{where}{pri}: ", end="")
    out.print(names, markup=False, highlight=False)


@ticket_app.command("issue")
def ticket_issue(
    matters: Annotated[
        list[str] | None, typer.Argument(help="Matter codes (or unique prefixes).")
    ] = None,
    bundle: Annotated[str | None, typer.Option(help="一件事 bundle code.")] = None,
    priority: Annotated[
        str | None,
        typer.Option(help="elderly 老年人 | disabled 残疾人 | pregnant 孕妇 | military 军人"),
    ] = None,
) -> None:
    """Issue a ticket for one or more matters, or a bundle."""
    from queue_app.domain.ticket import parse_priority

    with _user_errors(), _client() as hall:
        pri = parse_priority(priority) if priority else None
        issued = hall.issue(matters or [], bundle=bundle, priority=pri.value if pri else None)

        def render() -> None:
            _show_ticket(issued.ticket)
            wait = (
                f"{issued.estimated_wait_minutes:.0f} 分钟"
                if issued.estimated_wait_minutes is not None
                else "暂无开放窗口"
            )
            out.print(
                f"{issued.class_name} · 前面 {issued.ahead} 人 · 预计等候 {wait} · "
                f"可办理窗口 {', '.join(map(str, issued.windows))}"
            )

        _emit(issued.model_dump(mode="json"), render)


@ticket_app.command("show")
def ticket_show(number: str, day: Annotated[str | None, typer.Option()] = None) -> None:
    """One ticket and, for a manager (on the database: anyone), its history."""
    with _user_errors(), _client() as hall:
        t = hall.ticket(number, day)
        history = _history(hall, t)

        def render() -> None:
            _show_ticket(t)
            for e in history or []:
                out.print(f"  {e.kind:<12} window={e.window or '-'} by {e.actor}")

        _emit(
            {
                "ticket": t.model_dump(mode="json"),
                "events": [e.model_dump() for e in history] if history is not None else None,
            },
            render,
        )


def _history(hall: HallClient, t: TicketOut) -> list[EventOut] | None:
    """The ticket's history; None for an account that may not read it (it names staff)."""
    from queue_app.client import ApiError

    try:
        return hall.history(t.number, t.day)
    except ApiError as exc:
        if exc.code == "forbidden":
            return None
        raise


@ticket_app.command("list")
def ticket_list(
    window: Annotated[int | None, typer.Option(help="Only tickets this window may serve.")] = None,
    domain: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Waiting tickets in the order they will be called."""
    with _user_errors(), _client() as hall:
        tickets = hall.tickets(window=window, domain=domain)

        def render() -> None:
            for t in tickets:
                _show_ticket(t)
            out.print(f"{len(tickets)} waiting")

        _emit([t.model_dump(mode="json") for t in tickets], render)


def _ticket_op(op: Callable[[HallClient], TicketOut], window: int | None = None) -> None:
    with _user_errors(), _client(window) as hall:
        t = op(hall)
        _emit(t.model_dump(mode="json"), lambda: _show_ticket(t))


@ticket_app.command("cancel")
def ticket_cancel(number: str, reason: Annotated[str, typer.Option()] = "") -> None:
    """Cancel a waiting ticket."""
    _ticket_op(lambda h: h.cancel(number, reason))


@ticket_app.command("requeue")
def ticket_requeue(number: str) -> None:
    """Put a no-show latecomer back in line (at the end)."""
    _ticket_op(lambda h: h.requeue(number))


# ----------------------------------------------------------------- windows
@window_app.command("call-next")
def window_call_next(window: int) -> None:
    """Call the next ticket this window may serve (the system chooses)."""
    with _user_errors(), _client(window) as hall:
        t = hall.call_next(window)
        if t is None:
            _emit(
                None,
                lambda: out.print(
                    f"{window} 号窗口：没有可叫的号 (no ticket waiting that this window may serve)"
                ),
            )
            return
        _emit(
            t.model_dump(mode="json"),
            lambda: out.print(f"请 [bold]{t.number}[/] 号到 {window} 号窗口"),
        )


@window_app.command("recall")
def window_recall(window: int) -> None:
    """Call the current ticket again (at most the hall's recall limit)."""
    _ticket_op(lambda h: h.recall(window), window)


@window_app.command("start")
def window_start(window: int) -> None:
    """The citizen has arrived: start serving."""
    _ticket_op(lambda h: h.start(window), window)


def _parse_outcomes(given: list[str]) -> Outcome | dict[str, Outcome]:
    from queue_app.domain.refusals import BadOutcomeEntry
    from queue_app.domain.ticket import parse_outcome

    if len(given) == 1 and "=" not in given[0]:
        return parse_outcome(given[0])
    outcomes: dict[str, Outcome] = {}
    for entry in given:
        code, sep, value = entry.partition("=")
        if not sep:
            raise BadOutcomeEntry(entry=entry)
        outcomes[code] = parse_outcome(value)
    return outcomes


@window_app.command("finish")
def window_finish(
    window: int,
    outcome: Annotated[
        list[str],
        typer.Option(
            help="办结|受理|补正|不予受理 for every matter, or CODE=OUTCOME per matter (repeat)."
        ),
    ],
) -> None:
    """Finish the current ticket with one outcome per matter."""

    def finish(h: HallClient) -> TicketOut:
        from queue_app.domain.ticket import Outcome

        given = _parse_outcomes(outcome)
        if isinstance(given, Outcome):
            return h.finish(window, outcome=given.value)
        return h.finish(window, outcomes={code: o.value for code, o in given.items()})

    _ticket_op(finish, window)


@window_app.command("transfer")
def window_transfer(
    window: int,
    to_window: Annotated[int | None, typer.Option()] = None,
    to_domain: Annotated[str | None, typer.Option()] = None,
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Send the current ticket to another window or domain; it keeps its place in line."""
    _ticket_op(
        lambda h: h.transfer(window, to_window=to_window, to_domain=to_domain, reason=reason),
        window,
    )


@window_app.command("no-show")
def window_no_show(window: int) -> None:
    """The citizen did not come: mark the current ticket 过号."""
    _ticket_op(lambda h: h.no_show(window), window)


def _window_op(op: Callable[[HallClient], WindowStateOut], window: int) -> None:
    with _user_errors(), _client(window) as hall:
        w = op(hall)
        _emit(
            w.model_dump(mode="json"),
            lambda: out.print(
                f"{w.number} 号窗口: {w.status}" + (f" ({w.reason})" if w.reason else "")
            ),
        )


@window_app.command("open")
def window_open(window: int) -> None:
    """Open a window for business."""
    _window_op(lambda h: h.open_window(window), window)


@window_app.command("close")
def window_close(window: int) -> None:
    """Close a window (it must hold no ticket)."""
    _window_op(lambda h: h.close_window(window), window)


@window_app.command("pause")
def window_pause(window: int, reason: Annotated[str, typer.Option(help="休息, 会议 ...")]) -> None:
    """Pause a window, with a reason."""
    _window_op(lambda h: h.pause(window, reason), window)


@window_app.command("resume")
def window_resume(window: int) -> None:
    """Resume a paused window."""
    _window_op(lambda h: h.resume(window), window)


@window_app.command("serve")
def window_serve(
    window: int,
    like: Annotated[
        int | None, typer.Option(help="Serve what window N serves in the layout file.")
    ] = None,
    restore: Annotated[bool, typer.Option(help="Back to the layout file's own.")] = False,
) -> None:
    """Change what a window serves until the day closes: e.g. turn window 5 into an 企业开办
    window for the peak with --like 13, and back with --restore."""
    if (like is None) == (not restore):
        _fail("error: give exactly one of --like N or --restore", 2)
    with _user_errors(), _client(window) as hall:
        p = hall.set_profile(window, _profile_of(hall, like) if like is not None else None)
        _emit(
            p.model_dump(mode="json"),
            lambda: out.print(f"{window} 号窗口: {p.name} ({p.kind.value})"),
        )


def _profile_of(hall: HallClient, like: int) -> WindowProfile:
    """What window ``like`` serves in the layout file."""
    from queue_app.domain.refusals import NoSuchWindow

    for choice in hall.hall_profiles():
        if like in choice.windows:
            return choice.profile
    raise NoSuchWindow(number=like, field="like")


@window_app.command("list")
def window_list() -> None:
    """Every window with its state and current ticket."""
    with _user_errors(), _client() as hall:
        ws = hall.windows()

        def render() -> None:
            t = Table("no.", "name", "state", "ticket", "reason")
            for w in ws:
                t.add_row(
                    str(w.number), w.name, w.state, w.ticket.number if w.ticket else "", w.reason
                )
            out.print(t)

        _emit(
            [
                {
                    "number": w.number,
                    "name": w.name,
                    "kind": w.kind,
                    "state": w.state,
                    "ticket": w.ticket.number if w.ticket else None,
                    "reason": w.reason,
                }
                for w in ws
            ],
            render,
        )


# ---------------------------------------------------------------- the day
@day_app.command("close")
def day_close(
    day: Annotated[
        str | None, typer.Argument(help="A past business day (YYYY-MM-DD); default today.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Also expire tickets being served.")] = False,
) -> None:
    """Close a business day: open tickets expire, windows close (today's: all of them)."""
    if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        _fail(f"error: day {day!r}: expected a date as YYYY-MM-DD", 2)
    with _user_errors(), _client() as hall:
        result = hall.close_day(force, day).model_dump()
        _emit(result, lambda: out.print(f"day closed; {result['expired']} ticket(s) expired"))


@day_app.command("open-late")
def day_open_late(
    until: Annotated[str, typer.Argument(help="Local time today, HH:MM; 'off' for the hours.")],
) -> None:
    """Keep issuing tickets open after the hall's hours today (a manager's decision)."""
    at = None if until == "off" else _today_at(until)
    with _user_errors(), _client() as hall:
        result = hall.open_late(at).until
        _emit({"until": result}, lambda: out.print(f"issuing open until {until}"))


def _today_at(hhmm: str) -> float:
    """Today's instant of local time ``hhmm`` in the hall's zone."""
    from queue_app.domain import hours

    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", hhmm):
        _fail(f"error: until {hhmm!r}: expected a time as HH:MM, or off", 2)
    hall = _hall(_catalog())
    day = hours.business_day(hall, time.time())
    return hours.at(hall, day, hhmm)


@day_app.command("status")
def day_status() -> None:
    """Today's tickets by status."""
    from queue_app.domain.ticket import STATUS_LABELS

    with _user_errors(), _client() as hall:
        c = hall.stats()
        day, counts = c.day, c.counts
        shown = ", ".join(
            f"{STATUS_LABELS[s]} {n}"
            for s, n in ((k, counts.get(k.value, 0)) for k in STATUS_LABELS)
            if n
        )
        _emit(counts, lambda: out.print(f"{day}: {shown or '今日尚无取号 · no tickets yet today'}"))


# -------------------------------------------------------------------- staff
@staff_app.command("add")
def staff_add(
    username: str,
    role: Annotated[str, typer.Option(help="desk | clerk | manager | display")],
    name: Annotated[str, typer.Option(help="Full name (shown to managers only).")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Default: asked for, not echoed.", envvar="QUEUE_APP_STAFF_PASSWORD"),
    ] = None,
) -> None:
    """Add a staff account."""
    from queue_app.domain.refusals import BadRole
    from queue_app.store.staff import Role, add_staff

    with _user_errors():
        try:
            r = Role(role)
        except ValueError:
            raise BadRole(role=role) from None
        pw = (
            password
            if password is not None
            else typer.prompt("password", hide_input=True, confirmation_prompt=True)
        )
        info = add_staff(_store(), username, r, pw, name)
        _emit(
            {"username": info.username, "role": info.role.value},
            lambda: out.print(f"added {info.username} ({info.role.value})"),
        )


@staff_app.command("list")
def staff_list() -> None:
    """Every staff account."""
    from queue_app.store.staff import list_staff

    with _user_errors():
        accounts = list_staff(_store())

        def render() -> None:
            t = Table("username", "name", "role", "state")
            for a in accounts:
                t.add_row(
                    a.username, a.full_name, a.role.value, "disabled" if a.disabled else "active"
                )
            out.print(t)

        _emit(
            [
                {
                    "username": a.username,
                    "full_name": a.full_name,
                    "role": a.role.value,
                    "disabled": a.disabled,
                }
                for a in accounts
            ],
            render,
        )


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """Disable an account and end its sessions."""
    from queue_app.store.staff import disable_staff

    with _user_errors():
        disable_staff(_store(), username)
        _emit({"username": username, "disabled": True}, lambda: out.print(f"disabled {username}"))


DB = Annotated[
    str | None,
    typer.Option(
        help="Database URL (default: the global --db, $QUEUE_APP_DB or a SQLite file in your "
        "data directory)."
    ),
]


def _database(db: str | None) -> str:
    from queue_app.store import default_database_url

    return db or settings.db or default_database_url()


@db_app.command("upgrade")
def db_upgrade(db: DB = None) -> None:
    """Upgrade the database to this release's schema (an empty one is created)."""
    from queue_app.store import make_engine, schema

    url = _database(db)
    with _user_errors():
        engine = make_engine(url)
        try:
            before = schema.upgrade(engine)
        finally:
            engine.dispose()
        if before.at_head and not before.unstamped:
            said = f"at revision {before.head} already, nothing to do"
        elif before.revision is None:
            said = f"created at revision {before.head}"
        elif before.unstamped:
            said = (
                f"release 0.1.0's tables taken for revision {before.revision}, upgraded to "
                f"{before.head}"
            )
        else:
            said = f"upgraded from revision {before.revision} to {before.head}"
        _emit(
            {"database": _shown(url), "from": before.revision, "to": before.head},
            lambda: out.print(
                f"{_shown(url)}: {said}", markup=False, highlight=False, soft_wrap=True
            ),
        )


@db_app.command("current")
def db_current(db: DB = None) -> None:
    """The database's schema revision, and whether this release needs an upgrade."""
    from sqlalchemy.engine import make_url

    from queue_app.store import make_engine, schema

    url = _database(db)
    with _user_errors():
        file = make_url(url).database if make_url(url).get_backend_name() == "sqlite" else None
        if file and file != ":memory:" and not Path(file).expanduser().exists():
            _fail(f"error: no database file at {file}", 1)  # (not made by looking)
        engine = make_engine(url)
        try:
            now = schema.status(engine)
        finally:
            engine.dispose()
        if now.revision is None:
            said = f"no tables yet (`queue-app db upgrade` creates them at revision {now.head})"
        elif now.unstamped:
            said = (
                f"revision {now.revision}: release 0.1.0's tables, not yet stamped "
                "(`queue-app db upgrade` stamps them)"
            )
        elif now.at_head:
            said = f"revision {now.revision} (this release's)"
        elif not schema.known(now.revision):
            said = f"revision {now.revision}, unknown to this release (its newest is {now.head})"
        else:
            said = (
                f"revision {now.revision}, this release needs {now.head}: run "
                f"`queue-app db upgrade --db {_shown(url)}`"
            )
        _emit(
            {
                "database": _shown(url),
                "revision": now.revision,
                "head": now.head,
                "at_head": now.at_head and not now.unstamped,
            },
            lambda: out.print(
                f"{_shown(url)}: {said}", markup=False, highlight=False, soft_wrap=True
            ),
        )


@db_app.command("history")
def db_history() -> None:
    """The schema's revisions, newest first."""
    from queue_app.store import schema

    with _user_errors():
        revisions = schema.history()
        head = schema.head()

        def render() -> None:
            for r in revisions:
                mark = " (head)" if r.id == head else ""
                out.print(f"{r.id}{mark}  {r.title}", markup=False, highlight=False, soft_wrap=True)

        _emit([asdict(r) for r in revisions], render)


def _shown(url: str) -> str:
    """The URL with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("demo")
def demo(
    lang: Annotated[str, typer.Option(help="zh (default) or en.")] = "zh",
    plain: Annotated[
        bool, typer.Option(help="No terminal UI: simulate a morning and print its report.")
    ] = False,
    tickets: Annotated[int, typer.Option(min=1, max=2000, help="Tickets in the morning.")] = 220,
    seed: Annotated[int, typer.Option()] = 7,
    db: Annotated[
        str | None, typer.Option(help="--plain: database URL (default: a temporary SQLite file).")
    ] = None,
) -> None:
    """The embedded hall: a server on 127.0.0.1 over a new SQLite file with the default
    hall, demo staff and the morning so far, and a role picker for the terminals."""
    with _user_errors():
        _check_lang(lang)
        cat = _catalog()
        hall = _hall(cat)
        if plain:
            from queue_app.demo import run_demo

            run_demo(cat, hall, tickets=tickets, seed=seed, db=db, console=out)
            return
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            _fail(
                "error: the demo opens terminal screens and needs a terminal; "
                "`queue-app demo --plain` runs a morning without one",
                2,
            )
        from queue_app.demo_live import run

        run(cat, hall, lang=lang, tickets=tickets)


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        _fail(f"error: --lang: expected zh or en, got {lang!r}", 2)


def _terminal(
    role: str, window: int | None, lang: str, server: str | None, user: str | None
) -> None:
    """Open one terminal of the hall against its server (the command's ``--server``, else
    the global one or $QUEUE_APP_SERVER, else the local server)."""
    _check_lang(lang)
    url = server or settings.server or "http://127.0.0.1:8600"
    if window is not None:
        _check_window(url, window)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail(
            f"error: the {role} terminal draws a screen and needs a terminal (stdin and stdout "
            "are not one); run it in a terminal window, or use the one-shot commands",
            2,
        )
    from queue_app.client import AsyncHallClient
    from queue_app.tui.app import HallApp

    user = user or settings.user
    password = os.environ.get("QUEUE_APP_PASSWORD") if user else None
    HallApp(
        AsyncHallClient(url, retry_for=settings.retry_for),
        role,
        public_url=url,
        window=window,
        lang=lang,
        username=user,
        password=password,
    ).run()


def _check_window(url: str, window: int) -> None:
    """Say at once when the hall has no such window, before any sign-in (the display
    board, public, lists the windows); an unreachable server is the terminal's to show."""
    import httpx

    try:
        r = httpx.get(f"{url.rstrip('/')}/api/display", timeout=5)
        windows = r.json()["windows"] if r.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        windows = None
    if windows and window not in windows:
        shown = ", ".join(map(str, windows))
        _fail(f"error: 没有 {window} 号窗口 · window {window} does not exist (windows: {shown})", 2)


LANG = Annotated[str, typer.Option(help="zh (default) or en.")]
SERVER = Annotated[
    str | None,
    typer.Option(help="The hall server, e.g. http://HALL:8600 (as the global --server)."),
]
USER = Annotated[
    str | None,
    typer.Option(help="Account to sign in (password: $QUEUE_APP_PASSWORD, else the sign-in asks)."),
]


@app.command("desk")
def desk(lang: LANG = "zh", server: SERVER = None, user: USER = None) -> None:
    """The front desk (导办台) terminal: find matters, issue tickets."""
    _terminal("desk", None, lang, server, user)


@window_app.command("terminal", hidden=True)
def window_terminal(
    window: int, lang: LANG = "zh", server: SERVER = None, user: USER = None
) -> None:
    """A window clerk's terminal (``queue-app window N``)."""
    _terminal("clerk", window, lang, server, user)


@app.command("manager")
def manager(lang: LANG = "zh", server: SERVER = None, user: USER = None) -> None:
    """The hall manager's terminal: every window live, open, close, pause."""
    _terminal("manager", None, lang, server, user)


@app.command("display")
def display(lang: LANG = "zh", server: SERVER = None, user: USER = None) -> None:
    """The hall display: calls in large type, spoken through espeak-ng when installed."""
    _terminal("display", None, lang, server, user)


def _clock_from(start: str) -> Callable[[], float]:
    """A clock that reads ``start`` (an ISO 8601 instant with its UTC offset) now and runs
    on at real speed; a bad value is a message and exit 2."""
    try:
        at = dt.datetime.fromisoformat(start)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        err.print(
            "error: --clock-start: expected an instant with its UTC offset, e.g. "
            f"2026-12-01T10:30+08:00; got {start!r}",
            markup=False,
            highlight=False,
            soft_wrap=True,  # one line, however narrow the terminal
        )
        raise typer.Exit(2)
    offset = at.timestamp() - time.time()
    return lambda: time.time() + offset


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8600,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (default: $QUEUE_APP_DB or a SQLite file in your data directory)."
        ),
    ] = None,
    hall: Annotated[Path | None, typer.Option(help="Hall layout file.")] = None,
    catalog: Annotated[Path | None, typer.Option(help="Catalog file.")] = None,
    clock_start: Annotated[
        str | None,
        typer.Option(
            help="For rehearsal and benchmarks: the server's clock starts at this instant, "
            "e.g. 2026-12-01T10:30+08:00, and runs at real speed."
        ),
    ] = None,
) -> None:
    """Run the hall server (HTTP API; OpenAPI at /docs)."""
    clock = time.time if clock_start is None else _clock_from(clock_start)  # before the imports
    import uvicorn

    from queue_app.server import create_app

    settings.db = db or settings.db
    settings.hall = hall or settings.hall
    settings.catalog = catalog or settings.catalog
    with _user_errors():
        store = _store(clock)
        out.print(
            f"{store.hall.hall.name}: http://{host}:{port}/docs · database "
            f"{store.engine.url.render_as_string(hide_password=True)}"
        )
        if clock_start is not None:
            out.print(f"clock: started at {clock_start} · business day {store.today()}")
        try:
            # live-event streams never end by themselves: give them 2 s at shutdown
            uvicorn.run(
                create_app(store),
                host=host,
                port=port,
                log_level="warning",
                timeout_graceful_shutdown=2,
            )
        finally:
            store.dispose()


# ------------------------------------------------------- simulation (issue 5)
def _sim_inputs(
    hall: Path | None, demand: Path | None, seed: int, policy: str | None
) -> tuple[Any, ...]:
    """Catalog, hall, demand, demand model and policy for the simulation commands; bad
    input is a message and exit 2."""
    from queue_app.domain.dispatch import Policy
    from queue_app.loaders import (
        default_demand_path,
        default_hall_path,
        load_demand_for,
        load_hall_for,
    )
    from queue_app.sim import DemandModel, ScenarioError

    pol = None
    if policy is not None:
        try:
            pol = Policy(policy)
        except ValueError:
            _fail(
                f"error: --policy: expected one of {', '.join(p.value for p in Policy)}; "
                f"got {policy!r}",
                2,
            )
    cat = _catalog()
    h = load_hall_for(hall or settings.hall or default_hall_path(), cat)
    d = load_demand_for(demand or default_demand_path(), cat)
    try:
        model = DemandModel(d, cat, h, seed)
    except ScenarioError as exc:
        _fail(f"error: {demand or default_demand_path()}: {exc}", 2)
    return cat, h, d, model, pol


def _fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}f}"


def _wait_row(name: str, w: Any) -> list[str]:
    return [
        name,
        str(w.n),
        _fmt(w.mean),
        _fmt(w.p50),
        _fmt(w.p90),
        _fmt(w.p99),
        _fmt(w.max, 0),
        _fmt(100 * w.over_target, 1) + "%",
    ]


def _render_summary(s: Any) -> None:
    t = Table(
        "",
        "n",
        "mean 平均",
        "p50",
        "p90",
        "p99",
        "max",
        f">{s.target_minutes:g} min",
        title=f"{s.label}: wait 等候 (minutes)",
    )
    t.add_row(*_wait_row("all 全部", s.wait))
    for k, w in s.by_class.items():
        t.add_row(*_wait_row(f"class {k}", w))
    for k, w in s.by_domain.items():
        t.add_row(*_wait_row(k, w))
    out.print(t)
    u = Table("window 窗口", "utilisation 利用率", title="windows")
    for n, v in s.utilisation.items():
        u.add_row(str(n), f"{100 * v:.0f}%")
    out.print(u)
    out.print(
        f"citizens {s.citizens} · served {s.served} · no-show 过号 {s.no_show} · refused "
        f"{s.refused} · mean utilisation {100 * s.utilisation_mean:.0f}% · load balance "
        f"{_fmt(s.load_balance, 3)} · bundles 一件事 {s.bundles} "
        f"({_fmt(100 * s.bundles_one_visit, 0)}% in one visit) · called after close "
        f"{s.after_close} · overtime {_fmt(s.overtime_mean_min)} min/day"
    )
    if s.estimates:
        e = Table(
            "estimate 预计等候",
            "n",
            "MAE",
            "MAE/mean",
            "bias",
            "within 5 min",
            title="wait estimates vs actual, same tickets (mean actual "
            f"{_fmt(next(iter(s.estimates.values())).mean_actual)} min)",
        )
        for k, v in s.estimates.items():
            e.add_row(
                k,
                str(v.n),
                _fmt(v.mae, 2),
                _fmt(v.mae_ratio, 2),
                _fmt(v.bias, 2),
                f"{100 * v.within_5:.0f}%",
            )
        out.print(e)


def _render_side_by_side(sums: list[Any]) -> None:
    t = Table("", *[s.label for s in sums], title="same arrivals 相同来客, side by side")
    rows: list[tuple[str, Callable[[Any], str]]] = [
        ("mean wait 平均等候 (min)", lambda s: _fmt(s.wait.mean, 2)),
        ("p50", lambda s: _fmt(s.wait.p50)),
        ("p90", lambda s: _fmt(s.wait.p90)),
        ("p99", lambda s: _fmt(s.wait.p99)),
        ("max", lambda s: _fmt(s.wait.max, 0)),
        ("over target 超时", lambda s: f"{100 * s.wait.over_target:.1f}%"),
        ("windows 窗口", lambda s: str(len(s.utilisation))),
        ("utilisation 利用率", lambda s: f"{100 * s.utilisation_mean:.0f}%"),
        ("load balance 负载均衡", lambda s: _fmt(s.load_balance, 3)),
        ("bundles in one visit 一次办结", lambda s: f"{_fmt(100 * s.bundles_one_visit, 0)}%"),
        ("visits per citizen", lambda s: _fmt(s.visits_per_citizen, 2)),
        ("called after close", lambda s: str(s.after_close)),
        ("overtime min/day", lambda s: _fmt(s.overtime_mean_min)),
    ]
    for name, f in rows:
        t.add_row(name, *[f(s) for s in sums])
    out.print(t)


SIM_HALL = Annotated[Path | None, typer.Option(help="Hall layout (default: windows/default.yaml).")]
SIM_DEMAND = Annotated[
    Path | None, typer.Option(help="Demand profile (default: demand/default.yaml).")
]
SIM_POLICY = Annotated[
    str | None, typer.Option(help="oldest | own_domain | scarce (default: the hall's).")
]


@app.command("simulate")
def simulate_cmd(
    hall: SIM_HALL = None,
    demand: SIM_DEMAND = None,
    days: Annotated[int, typer.Option(min=1, max=100_000, help="Days to simulate.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same days.")] = 1,
    policy: SIM_POLICY = None,
    compare: Annotated[
        str | None,
        typer.Option(
            help="layouts (per-department / the hall / fully pooled) or policies, "
            "on the same arrivals."
        ),
    ] = None,
    estimate_days: Annotated[
        int, typer.Option(min=0, help="Days on which every ticket's wait estimate is measured.")
    ] = 2,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Processes to spread the days over.")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Simulate hall days through the production dispatch policy and ticket rules: waits per
    class and domain, utilisation, load balance, bundles, wait-estimate errors."""
    from queue_app.domain.dispatch import Policy
    from queue_app.sim import comparison_layouts, layout_for, simulate

    settings.as_json = settings.as_json or as_json
    with _user_errors():
        if compare not in (None, "layouts", "policies"):
            _fail(f"error: --compare: expected layouts or policies; got {compare!r}", 2)
        cat, h, d, model, pol = _sim_inputs(hall, demand, seed, policy)
        if compare == "layouts":
            layouts = comparison_layouts(h, cat, d, model, policy=pol)
        elif compare == "policies":
            layouts = [layout_for(h, cat, d, policy=p, label=p.value) for p in Policy]
        else:
            layouts = [layout_for(h, cat, d, policy=pol)]
        sums = simulate(model, layouts, days, workers=workers, estimate_days=estimate_days)
        head = {
            "hall": h.hall.code,
            "demand": d.demand.name,
            "days": days,
            "seed": seed,
            "policy": (pol or h.dispatch.policy).value,
            "expected_tickets_per_day": round(model.expected_arrivals(), 1),
        }

        # a demand is often named after its hall (区政务服务中心 · 周一): the hall once
        demand_name = d.demand.name.removeprefix(h.hall.name).lstrip(" ·") or d.demand.name

        def render() -> None:
            out.print(
                f"[bold]{h.hall.name}[/] · {demand_name} · {days} days · seed {seed} · "
                f"policy {head['policy']} · about {head['expected_tickets_per_day']:.0f} "
                "tickets/day"
            )
            if len(sums) > 1:
                _render_side_by_side(sums)
            else:
                _render_summary(sums[0])

        _emit({**head, "results": [s.to_dict() for s in sums]}, render)


@app.command("staffing")
def staffing_cmd(
    hall: SIM_HALL = None,
    demand: SIM_DEMAND = None,
    target_p90: Annotated[
        float, typer.Option(min=0.5, max=600, help="p90 wait to keep under (minutes).")
    ] = 15.0,
    days: Annotated[int, typer.Option(min=1, max=10_000, help="Simulated days to confirm.")] = 20,
    seed: Annotated[int, typer.Option()] = 1,
    policy: SIM_POLICY = None,
    extra: Annotated[int, typer.Option(min=0, max=50, help="What-if: windows added ...")] = 2,
    extra_from: Annotated[str, typer.Option(help="... from (HH:MM) ...")] = "09:00",
    extra_to: Annotated[str, typer.Option(help="... to (HH:MM).")] = "11:00",
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Windows needed per hour for a p90 wait under the target (Erlang C, confirmed by
    simulation), and what opening more windows in the morning peak would do."""
    import re

    from queue_app.sim import advise

    settings.as_json = settings.as_json or as_json
    for name, v in (("--extra-from", extra_from), ("--extra-to", extra_to)):
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            _fail(f'error: {name}: expected a time of day as "HH:MM"; got {v!r}', 2)
    with _user_errors():
        cat, h, d, _, pol = _sim_inputs(hall, demand, seed, policy)
        a = advise(
            h,
            cat,
            d,
            target_p90=target_p90,
            days=days,
            seed=seed,
            policy=pol,
            what_if=(extra, extra_from, extra_to) if extra else None,
            workers=workers,
        )

        def render() -> None:
            out.print(
                f"[bold]{a.hall}[/] · {a.demand} · target p90 {a.target_p90:g} min · "
                f"a ticket holds a window {a.mean_minutes:.1f} min on average"
            )
            t = Table(
                "hour 时段",
                "arrivals 来客",
                "load (erlangs)",
                "Erlang C",
                "advised 建议",
                "staffed now 现有",
                "p90 Erlang",
                "p90 staffed now",
                "p90 simulated",
                title="windows needed per hour 每小时所需窗口",
            )
            for x in a.hours:
                t.add_row(
                    x.start,
                    f"{x.arrivals:.0f}",
                    f"{x.offered_load:.1f}",
                    str(x.erlang_needed),
                    str(x.advised) + (" !" if x.short else ""),
                    str(x.staffed),
                    _fmt(x.p90_erlang),
                    _fmt(x.p90_staffed),
                    _fmt(x.sim_p90),
                )
            out.print(t)
            out.print(
                f"advised staffing, simulated over {a.days} days: mean wait {a.sim_mean:.1f} "
                f"min, p90 {a.sim_p90:.1f} min · window-hours: Erlang C "
                f"{a.window_hours_erlang}, advised {a.window_hours_advised}, staffed now "
                f"{a.window_hours_staffed}"
            )
            for n in a.notes:
                out.print(f"note: {n}", markup=False)
            if a.what_if:
                w = a.what_if
                out.print(
                    f"what if {w.label}: mean wait {w.base_mean:.1f} → {w.mean:.1f} min, p90 "
                    f"{w.base_p90:.1f} → {w.p90:.1f} min; arriving {w.start}-{w.end} (+1 h): "
                    f"mean {w.base_window_mean:.1f} → {w.window_mean:.1f}, p90 "
                    f"{w.base_window_p90:.1f} → {w.window_p90:.1f}"
                )

        _emit(a.to_dict(), render)


def _one_line_summaries(*apps: typer.Typer) -> None:
    """The command lists of ``--help`` show a command's first paragraph as written, line
    breaks and all (Typer's rich help keeps them there): give each its paragraph as one
    line, for the table to wrap at the terminal's width."""
    import inspect

    for typer_app in apps:
        for info in typer_app.registered_commands:
            doc = info.help or (info.callback.__doc__ if info.callback else None)
            if info.short_help is None and doc:
                info.short_help = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


_one_line_summaries(app, catalog_app, hall_app, ticket_app, window_app, day_app, staff_app, db_app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
