"""The ``queue-app`` command: catalog and hall checks, ticket and window operations."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from queue_app.cli_words import (
    EVENTS,
    MATTER_KINDS,
    OUTCOMES,
    PRIORITIES,
    ROLES,
    STAFF_STATES,
    WINDOW_KINDS,
    WINDOW_STATES,
)
from queue_app.defaults import DEFAULT_PORT, RETRY_FOR_S

if TYPE_CHECKING:  # the command imports what a command uses when it runs: it starts fast
    from queue_app.api_models import EventOut, TicketOut, WindowStateOut
    from queue_app.cli_settings import Settings
    from queue_app.client import AsyncHallClient, HallClient
    from queue_app.domain.catalog import Catalog
    from queue_app.domain.city import Elsewhere
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
staff_app = typer.Typer(
    help="Staff accounts: desk, clerk, manager, display, rater (a window's 评价器).",
    no_args_is_help=True,
)
db_app = typer.Typer(
    help="The database: its schema's revision and upgrade, backups and their restore.",
    no_args_is_help=True,
)
history_app = typer.Typer(
    help="Past days of the hall, played by the simulator through the store.", no_args_is_help=True
)
bookings_app = typer.Typer(
    help="Bookings (预约): a day's bookings, and closing slots or days to new ones.",
    no_args_is_help=True,
)
notices_app = typer.Typer(
    help="Notices to citizens (SMS, WeChat): a webhook receiver to try them with.",
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
    (history_app, "history"),
    (bookings_app, "bookings"),
    (notices_app, "notices"),
):
    app.add_typer(sub, name=name)

out = Console()
err = Console(stderr=True)


@dataclass
class _Invocation:
    """This run of the command: the global flags given (None: not given), and the settings
    once a command has loaded them (``_settings``), flags over ``QUEUE_APP_*`` variables."""

    flags: dict[str, Any] = field(default_factory=dict)
    as_json: bool = False
    loaded: Settings | None = None


_run = _Invocation()


def _settings(**command_flags: Any) -> Settings:
    """The settings of this run, loaded on first use; a command with flags of its own
    (``serve --port``) passes them first. A bad value is a message and exit 2."""
    if _run.loaded is None or command_flags:
        from queue_app.cli_settings import BadSettings, load

        try:
            given = {k: v for k, v in command_flags.items() if v is not None}
            _run.loaded = load({**_run.flags, **given})
        except BadSettings as exc:
            _fail(
                "\n".join(
                    _("error: {source}: expected {expected}; got {value}").format(
                        source=source, expected=_(expected), value=repr(value)
                    )
                    for source, expected, value in exc.problems
                ),
                2,
            )
        from queue_app.loaders import parse_cache

        parse_cache.use_dir(_run.loaded.cache_dir)
    return _run.loaded


def _lang() -> str:
    """The language to speak in: the settings', or before they load (or when the language
    given is not one), the flag's or the variable's, else Chinese."""
    if _run.loaded is not None:
        return _run.loaded.lang
    lang = _run.flags.get("lang") or os.environ.get("QUEUE_APP_LANG") or "zh"
    return lang if lang in ("zh", "en") else "zh"


def _(msgid: str) -> str:
    """``msgid`` (English, marked for the catalogs) in the run's language."""
    from queue_app.i18n import translations

    return translations(_lang()).gettext(msgid) if msgid else msgid  # "": the header


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (default: $QUEUE_APP_DB or a SQLite file in your data directory)."
        ),
    ] = None,
    hall: Annotated[
        str | None,
        typer.Option(help="Hall layout file (default: $QUEUE_APP_HALL or windows/default.yaml)."),
    ] = None,
    catalog: Annotated[
        str | None,
        typer.Option(help="Catalog file (default: $QUEUE_APP_CATALOG or matters_catalog.yaml)."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="Who is acting, for the event log (default: $QUEUE_APP_ACTOR or cli)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(help="Language of the output: zh or en (default: $QUEUE_APP_LANG or zh)."),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(
            help="Act on a running hall server (ticket, window and day commands), e.g. "
            "http://127.0.0.1:8600, instead of the database (default: $QUEUE_APP_SERVER).",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            help="Staff account for --server (default: $QUEUE_APP_USER; password: "
            "$QUEUE_APP_PASSWORD, else asked for).",
        ),
    ] = None,
    retry_for: Annotated[
        str | None,
        typer.Option(
            metavar="SECONDS",
            help="Seconds to keep trying an unreachable --server (a restart takes seconds) "
            f"before giving up (default: $QUEUE_APP_RETRY_FOR or {RETRY_FOR_S:g}).",
        ),
    ] = None,
) -> None:
    global _run
    _run = _Invocation(
        flags={
            "db": db,
            "hall": hall,
            "catalog": catalog,
            "actor": actor,
            "lang": lang,
            "server": server,
            "user": user,
            "retry_for": retry_for,
        },
        as_json=as_json,
    )


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
            return _("error: cannot load file") + f"\n{exc}", 2
    if isinstance(exc, Refused):
        from queue_app.i18n import message

        return _refused(exc.code, message(exc, _lang())), 1
    if "queue_app.client" in sys.modules:
        from queue_app.client import ApiError

        if isinstance(exc, ApiError):
            said = exc.zh if _lang() == "zh" else exc.en
            if exc.code == "unreachable":
                return _error(f"{said} ({_settings().server})"), 1
            return _refused(exc.code, said), 1
    if "queue_app.store.integrity" in sys.modules:
        from queue_app.store.integrity import Unusable

        if isinstance(exc, Unusable):
            return _error(_unusable(exc)), 1
    if "queue_app.store.backup" in sys.modules:
        from queue_app.store.backup import BackupError

        if isinstance(exc, BackupError):
            return _error(_not_copied(exc)), 1
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import SQLAlchemyError

        from queue_app.store import schema

        if isinstance(exc, schema.SchemaError):
            return _error(str(exc)), 1
        if isinstance(exc, SQLAlchemyError):
            first = str(exc).splitlines()[0]
            return _("error: database problem: {problem}").format(
                problem=f"{exc.__class__.__name__}: {first}"
            ), 1
    return None


def _unusable(exc: Exception) -> str:
    """Why the hall's database cannot be opened, and what to do (``integrity.Unusable``)."""
    from queue_app.store import integrity

    assert isinstance(exc, integrity.Unusable)
    said = {
        integrity.NoTables: _(
            "{where} has no tables of queue_app: `queue-app db upgrade --db {url}` makes a "
            "new hall in it"
        ),
        integrity.Missing: _(
            "no database file at {file}: `queue-app db upgrade --db {url}` makes a new hall "
            "there, `queue-app db restore BACKUP --db {url}` restores a backup"
        ),
        integrity.Empty: _(
            "{file} is empty (0 bytes), not a hall's database: restore a backup with "
            "`queue-app db restore BACKUP --db {url}` (or remove the file and make a new hall "
            "with `queue-app db upgrade --db {url}`)"
        ),
        integrity.Damaged: _(
            "{file} is damaged ({problem}): restore a backup with "
            "`queue-app db restore BACKUP --db {url}`"
        ),
        integrity.Unreadable: _("cannot read {file}: {problem}"),
    }[type(exc)]
    return said.format(where=exc.file or exc.url, file=exc.file, url=exc.url, problem=exc.problem)


def _not_copied(exc: Exception) -> str:
    """Why a backup or a restore was not made (``backup.BackupError``)."""
    from queue_app.store import backup, schema

    assert isinstance(exc, backup.BackupError)
    said = {
        backup.NotSQLite: _(
            "{file} is not a SQLite file: PostgreSQL is backed up with pg_dump and restored "
            'with pg_restore (README, "Backups and integrity")'
        ),
        backup.Exists: _("{file} exists already: name another file, or give --force"),
        backup.SameFile: _("{file} is the database itself: name another file"),
        backup.NoBackup: _("no backup file at {file}; nothing was changed"),
        backup.BadBackup: _("the backup {file} is unusable ({problem}); nothing was changed"),
        backup.NotAHall: _("{file} is not a queue_app database ({problem}); nothing was changed"),
        backup.TooNew: _(
            "the backup {file} is at revision {problem}, unknown to this release (its newest "
            "is {head}): restore it with a newer release; nothing was changed"
        ),
        backup.CopyFailed: _("the copy to {file} failed ({problem}); the database is as it was"),
    }[type(exc)]
    problem = exc.problem or _("none of its tables")
    return said.format(file=exc.file, problem=problem, head=schema.head())


def _word(words: dict[str, str], value: str) -> str:
    """``value`` (an enumeration's) as the command says it: translated, if it is a word."""
    return _(words[value]) if value in words else value


def _list(items: Iterable[str]) -> str:
    """``items`` joined as a list is in the run's language (、 in Chinese)."""
    from queue_app.domain.errors import LIST_SEPARATOR

    return _(LIST_SEPARATOR).join(items)


def _error(said: str) -> str:
    return _("error: {said}").format(said=said)


def _refused(code: str, said: str) -> str:
    return _("refused ({code}): {said}").format(code=code, said=said)


def _catalog() -> Catalog:
    from queue_app.loaders import default_catalog_path, load_catalog

    return load_catalog(_settings().catalog or default_catalog_path())


def _hall(catalog: Catalog) -> Hall:
    from queue_app.loaders import default_hall_path, load_hall_for

    return load_hall_for(_settings().hall or default_hall_path(), catalog)


@dataclass(frozen=True)
class _CityPlan:
    """The halls of a city file, and where each matter none of them handles goes."""

    names: tuple[str, str]  # the city's code and name
    halls: list[Hall]
    elsewhere: Elsewhere


def _city_plan(file: Path) -> _CityPlan:
    from queue_app.domain.city import Elsewhere
    from queue_app.loaders.files import load_city_halls

    catalog = _catalog()
    city, halls = load_city_halls(file, catalog)
    return _CityPlan(
        (city.city.code, city.city.name), halls, Elsewhere.of_city(city, halls, catalog)
    )


def _hall_file(layout: Path, catalog: Catalog) -> Hall:
    from queue_app.loaders import load_hall_for

    return load_hall_for(layout, catalog)


def _store_beside(first: Store, hall: Hall) -> Store:
    """The store of another hall on ``first``'s database (its engine, its catalog)."""
    from queue_app.store import Store

    return Store(first.engine, first.catalog, hall, clock=first.clock, keep_days=first.keep_days)


def _store(clock: Callable[[], float] = time.time, hall: Hall | None = None) -> Store:
    """The hall's store on its database as it is: a missing, empty or damaged SQLite file,
    a database without queue_app's tables or at an older revision is refused with one line
    saying what to do (only ``queue-app db upgrade`` and the demo make a new one)."""
    from queue_app.store import Store, default_database_url
    from queue_app.store.integrity import open_hall

    catalog = _catalog()
    hall = hall or _hall(catalog)
    settings = _settings()
    url = open_hall(settings.db or default_database_url())
    return Store(url, catalog, hall, clock=clock, keep_days=settings.keep_days)


def _emit(data: Any, render: Callable[[], None]) -> None:
    if _run.as_json:
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
        path = file or _settings().catalog or default_catalog_path()
        cat = load_catalog(path)
        s = cat.stats()
        said = _(
            "{matters} matters, {departments} departments, {bundles} bundles "
            "({enterprise_bundles} enterprise, {person_bundles} personal)"
        ).format(**s)
        out.print(f"ok: {path}: {said}")


@catalog_app.command("stats")
def catalog_stats(
    file: Annotated[Path | None, typer.Argument(help="Catalog file.")] = None,
) -> None:
    """Numbers of matters, departments and bundles, by domain and kind."""
    from queue_app.loaders import default_catalog_path, load_catalog

    with _user_errors():
        cat = load_catalog(file or _settings().catalog or default_catalog_path())
        s = cat.stats()
        by_domain = Counter(m.domain for m in cat.matters)

        def render() -> None:
            out.print(f"[bold]{cat.catalog.name}[/] ({cat.catalog.version})")
            out.print(_("matters: {matters}").format(**s))
            out.print(_("departments: {departments}").format(**s))
            out.print(
                _(
                    "bundles: {bundles} (enterprise {enterprise_bundles}, "
                    "personal {person_bundles})"
                ).format(**s)
            )
            out.print(
                _(
                    "immediate {immediate} · promised {promised} · undifferentiated "
                    "{undifferentiated} · with materials {with_materials}"
                ).format(**s)
            )
            t = Table(_("domain"), _("matters"), title=_("by domain"))
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
                out.print(_("no match for {query}").format(query=repr(query)))
                return
            t = Table("", _("code"), _("name"), _("department"), _("kind"), _("score"))
            for h in hits:
                if h.kind == "matter":
                    m = cat.matter(h.code)
                    kind = _word(MATTER_KINDS, m.kind.value)
                    if m.promised_days:
                        kind += " " + _("{days} days").format(days=m.promised_days)
                    t.add_row(
                        _("matter"),
                        h.code,
                        h.name,
                        depts.get(m.department, ""),
                        kind,
                        f"{h.score:.0f}",
                    )
                else:
                    b = cat.bundle_by_code[h.code]
                    many = _("{n} matters").format(n=len(b.matters))
                    t.add_row(_("bundle"), h.code, h.name, many, "", f"{h.score:.0f}")
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
        said = _("{n} windows ({kinds})").format(
            n=len(hall.windows),
            kinds=_list(f"{_word(WINDOW_KINDS, k)} {n}" for k, n in sorted(kinds.items())),
        )
        out.print(f"ok: {file}: {hall.hall.name}: {said}")
        out.print(
            _("ticket classes: {classes}").format(
                classes=_list(f"{c.prefix} {c.name}" for c in hall.ticket_classes)
            )
        )
        out.print(
            _("matters this hall can accept: {n} of {total}").format(
                n=len(cat.matters) - len(unserved), total=len(cat.matters)
            )
        )
        if unserved:
            out.print(
                _("not accepted at any window ({n}): {names}").format(
                    n=len(unserved), names=_list(m.name for m in unserved[:10])
                )
                + (" ..." if len(unserved) > 10 else "")
            )


@hall_app.command("city")
def hall_city(file: Path) -> None:
    """Validate a city file (its halls' layouts, its referrals) and show where each hall
    is served and what no place of the city handles."""
    from queue_app.domain.city import Elsewhere, referrals_of
    from queue_app.loaders.files import load_city_halls

    with _user_errors():
        cat = _catalog()
        city, halls = load_city_halls(file, cat)
        elsewhere = Elsewhere.of_city(city, halls, cat)
        out.print(f"ok: {file}: {city.city.name}", markup=False, highlight=False)
        nowhere: set[str] = set.intersection(
            *(
                {
                    code
                    for code, places in referrals_of(h, elsewhere).not_handled.items()
                    if not places
                }
                for h in halls
            )
        )
        for h in halls:
            out.print(
                f"  /halls/{h.hall.code}: {h.hall.name} · "
                + _("{n} windows").format(n=len(h.windows)),
                markup=False,
                highlight=False,
            )
        out.print(
            _("referrals: {names}").format(names=_list(r.name for r in city.referrals) or "-"),
            markup=False,
            highlight=False,
        )
        names = {m.code: m.name for m in cat.matters}
        out.print(
            _("matters no place of the city handles ({n}): {names}").format(
                n=len(nowhere), names=_list(names[c] for c in sorted(nowhere)[:10]) or "-"
            )
            + (" ..." if len(nowhere) > 10 else ""),
            markup=False,
            highlight=False,
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
        _fail(_error(_("--restore takes no --wait or --serve")), 2)
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
            lambda: out.print(
                _("wait target {wait} min · service target {serve} min").format(
                    wait=t.wait_minutes, serve=t.serve_minutes
                )
            ),
        )


# ----------------------------------------------------------------- tickets
@contextmanager
def _client(window: int | None = None) -> Iterator[HallClient]:
    """A client of the hall's app run here on the database (default; acting as
    ``--actor``), or of the server of ``--server`` signed in as ``--user`` (at ``window``
    for window commands: a clerk may operate only its own window)."""
    from queue_app.client import ApiError, HallClient

    settings = _settings()
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
        _fail(_error(_("--server needs --user NAME (or $QUEUE_APP_USER)")), 2)
    password = (
        settings.password.get_secret_value()
        if settings.password
        else typer.prompt(_("password of {user}").format(user=settings.user), hide_input=True)
    )
    with HallClient(settings.server, retry_for=settings.retry_for) as client:
        client.sign_in(settings.user, password, window, settings.station if not window else None)
        try:
            yield client
        finally:
            with suppress(ApiError):
                client.sign_out()


def _status(status: str) -> str:
    """A ticket's status as the command says it."""
    from queue_app.domain.ticket import STATUS_WORDS, Status
    from queue_app.i18n import render

    return render(STATUS_WORDS[Status(status)], _lang())


def _show_ticket(t: TicketOut) -> None:
    names = _list(
        i.name + (f" ({_word(OUTCOMES, i.outcome)})" if i.outcome else "") for i in t.items
    )
    where = " " + _("at window {window}").format(window=t.window) if t.window else ""
    pri = f" [{_word(PRIORITIES, t.priority)}]" if t.priority else ""
    out.print(f"[bold]{t.number}[/] {_status(t.status)}{where}{pri}: ", end="")
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
                _("{minutes} minutes").format(minutes=f"{issued.estimated_wait_minutes:.0f}")
                if issued.estimated_wait_minutes is not None
                else _("no window open yet")
            )
            said = _(
                "{ahead} ahead · estimated wait {wait} · windows that may serve it: {windows}"
            ).format(ahead=issued.ahead, wait=wait, windows=", ".join(map(str, issued.windows)))
            out.print(f"{issued.class_name} · {said}")

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
                said = _("window {window}, by {actor}").format(
                    window=e.window or "-", actor=e.actor
                )
                kind = _word(EVENTS, e.kind)
                out.print(f"  {kind}{' ' * (12 - cell_len(kind))} {said}")

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
            out.print(_("{n} waiting").format(n=len(tickets)))

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
                    _("window {window}: no ticket waiting that this window may serve").format(
                        window=window
                    )
                ),
            )
            return
        _emit(
            t.model_dump(mode="json"),
            lambda: out.print(
                _("{number}, please go to window {window}").format(
                    number=f"[bold]{t.number}[/]", window=window
                )
            ),
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
            help="completed 办结 | accepted 受理 | correction 补正 | rejected 不予受理, for "
            "every matter, or CODE=OUTCOME per matter (repeat)."
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
                _("window {window}: {state}").format(
                    window=w.number, state=_word(WINDOW_STATES, w.status)
                )
                + (f" ({w.reason})" if w.reason else "")
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
        _fail(_error(_("give exactly one of --like N or --restore")), 2)
    with _user_errors(), _client(window) as hall:
        p = hall.set_profile(window, _profile_of(hall, like) if like is not None else None)
        _emit(
            p.model_dump(mode="json"),
            lambda: out.print(
                _("window {window}: {state}").format(
                    window=window, state=f"{p.name} ({_word(WINDOW_KINDS, p.kind.value)})"
                )
            ),
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
            t = Table(_("no."), _("name"), _("state"), _("ticket"), _("reason"))
            for w in ws:
                t.add_row(
                    str(w.number),
                    w.name,
                    _word(WINDOW_STATES, w.state),
                    w.ticket.number if w.ticket else "",
                    w.reason,
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
        _fail(_error(_("day {day}: expected a date as YYYY-MM-DD").format(day=repr(day))), 2)
    with _user_errors(), _client() as hall:
        result = hall.close_day(force, day).model_dump()
        said = _("day closed; {n} ticket(s) expired").format(n=result["expired"])
        if result["parked"]:  # 补材料: their citizens never came back; not served
            said += " " + _("({n} of them parked for materials)").format(n=result["parked"])
        _emit(result, lambda: out.print(said))


@day_app.command("open-late")
def day_open_late(
    until: Annotated[str, typer.Argument(help="Local time today, HH:MM; 'off' for the hours.")],
) -> None:
    """Keep issuing tickets open after the hall's hours today (a manager's decision)."""
    at = None if until == "off" else _today_at(until)
    with _user_errors(), _client() as hall:
        result = hall.open_late(at).until
        _emit(
            {"until": result},
            lambda: out.print(_("issuing open until {until}").format(until=until)),
        )


def _today_at(hhmm: str) -> float:
    """Today's instant of local time ``hhmm`` in the hall's zone."""
    from queue_app.domain import hours

    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", hhmm):
        said = _("until {hhmm}: expected a time as HH:MM, or off").format(hhmm=repr(hhmm))
        _fail(_error(said), 2)
    hall = _hall(_catalog())
    day = hours.business_day(hall, time.time())
    return hours.at(hall, day, hhmm)


@day_app.command("status")
def day_status() -> None:
    """Today's tickets by status."""
    from queue_app.domain.ticket import Status

    with _user_errors(), _client() as hall:
        c = hall.stats()
        day, counts = c.day, c.counts
        shown = _list(
            f"{_status(s)} {n}" for s, n in ((k, counts.get(k.value, 0)) for k in Status) if n
        )
        shown = shown or _("no tickets yet today")
        _emit(counts, lambda: out.print(f"{day}: {shown}"))


# -------------------------------------------------------------------- bookings
Day = Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")]


def _day_or_today(day: str | None) -> str:
    if day is None:
        from queue_app.domain import hours

        return hours.business_day(_hall(_catalog()), time.time())
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        _fail(_error(_("day {day}: expected a date as YYYY-MM-DD").format(day=repr(day))), 2)
    return day


@bookings_app.command("list")
def bookings_list(day: Day = None) -> None:
    """A day's bookings by slot: code, status, masked number, matters, ticket."""
    on = _day_or_today(day)
    with _user_errors(), _client() as hall:
        found = hall.bookings(on)

        def render() -> None:
            for b in found:
                names = _list(m.name for m in b.matters)
                line = f"{b.start}-{b.end}  {b.code}  {b.status}  {b.mobile}  {names}"
                out.print(f"{line}  {b.ticket or ''}", markup=False, highlight=False)
            if not found:
                out.print(_("no bookings on {day}").format(day=on))

        _emit([b.model_dump() for b in found], render)


@bookings_app.command("close")
def bookings_close(
    day: Day = None,
    start: Annotated[
        str | None, typer.Option(help="A slot's start, HH:MM; default all day.")
    ] = None,
    scope: Annotated[str | None, typer.Option(help="A scope of bookings:; default all.")] = None,
    reason: Annotated[str, typer.Option(help="Why (kept with the closure).")] = "",
) -> None:
    """Close a slot or a whole day to new bookings (a manager's; bookings made stay)."""
    on = _day_or_today(day)
    with _user_errors(), _client() as hall:
        c = hall.close_slots(on, start, scope, reason)
        said = _("closed {day} {start} to bookings: closure {id}").format(
            day=c.day, start=c.start or _("all day"), id=c.id
        )
        _emit(c.model_dump(), lambda: out.print(said, markup=False, highlight=False))


@bookings_app.command("reopen")
def bookings_reopen(closure: Annotated[str, typer.Argument(help="The closure's id.")]) -> None:
    """Reopen what a closure closed."""
    with _user_errors(), _client() as hall:
        c = hall.reopen_slots(closure)
        said = _("reopened {day} {start} to bookings").format(
            day=c.day, start=c.start or _("all day")
        )
        _emit(c.model_dump(), lambda: out.print(said, markup=False, highlight=False))


@bookings_app.command("closures")
def bookings_closures(
    day: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today and later.")] = None,
) -> None:
    """The closures of a day, or of today and later days."""
    if day is not None:
        day = _day_or_today(day)
    with _user_errors(), _client() as hall:
        found = hall.closures(day)

        def render() -> None:
            all_day, everything = _("all day"), _("all")
            for c in found:
                when = f"{c.day} {c.start or all_day}"
                line = f"{c.id}  {when}  {c.scope or everything}  {c.reason}  {c.closed_by}"
                out.print(line, markup=False, highlight=False)
            if not found:
                out.print(_("no closures"))

        _emit([c.model_dump() for c in found], render)


# -------------------------------------------------------------------- staff
@staff_app.command("add")
def staff_add(
    username: str,
    role: Annotated[str, typer.Option(help="desk | clerk | manager | display | city | kiosk")],
    name: Annotated[str, typer.Option(help="Full name (shown to managers only).")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Default: $QUEUE_APP_STAFF_PASSWORD, else asked for, not echoed."),
    ] = None,
    windows: Annotated[
        str | None,
        typer.Option(help="The windows the account may sit at, e.g. 1-5,8 (default: any)."),
    ] = None,
    staff_number: Annotated[
        str | None,
        typer.Option(help="Staff number (工号), shown on the window screen: letters, digits, -."),
    ] = None,
    display_name: Annotated[
        str | None,
        typer.Option(
            help="The name the window screen shows (e.g. 张女士); default: the full name, "
            "masked unless the hall file says display.staff_names: full."
        ),
    ] = None,
) -> None:
    """Add a staff account."""
    from queue_app.domain.public_text import clean_staff_number
    from queue_app.domain.refusals import BadRole
    from queue_app.domain.window_sets import parse_windows
    from queue_app.store.staff import Role, add_staff

    with _user_errors():
        try:
            r = Role(role)
        except ValueError:
            raise BadRole(role=role) from None
        allowed = parse_windows(windows) if windows is not None else None
        clean_staff_number(staff_number)  # refused before a password is asked for
        info = add_staff(
            _store(),
            username,
            r,
            _new_password(password),
            name,
            allowed,
            staff_number=staff_number,
            display_name=display_name,
        )
        _emit(
            {
                "username": info.username,
                "role": info.role.value,
                "staff_number": info.staff_number,
                "display_name": info.display_name,
            },
            lambda: out.print(
                _("added {username} ({role})").format(
                    username=info.username, role=_word(ROLES, info.role.value)
                )
            ),
        )


def _new_password(flag: str | None) -> str:
    """The new password: the flag, else $QUEUE_APP_STAFF_PASSWORD, else asked twice."""
    given = _settings(staff_password=flag).staff_password
    if given is not None:
        return given.get_secret_value()
    return str(
        typer.prompt(
            _("password"), hide_input=True, confirmation_prompt=_("Repeat for confirmation")
        )
    )


@staff_app.command("passwd")
def staff_passwd(
    username: str,
    password: Annotated[
        str | None,
        typer.Option(help="Default: $QUEUE_APP_STAFF_PASSWORD, else asked for, not echoed."),
    ] = None,
) -> None:
    """Set a new password for an account (a reset): its sessions end, and a sign-in lock
    on its name is lifted."""
    from queue_app.store.staff import set_password

    with _user_errors():
        set_password(_store(), username, _new_password(password), _settings().actor)
        _emit(
            {"username": username, "password_set": True},
            lambda: out.print(_("new password set for {username}").format(username=username)),
        )


def _windows_said(windows: Iterable[int] | None) -> str:
    from queue_app.domain.window_sets import windows_text

    return _("any") if windows is None else windows_text(set(windows))


@staff_app.command("list")
def staff_list() -> None:
    """Every staff account."""
    from queue_app.store.staff import list_staff

    with _user_errors():
        accounts = list_staff(_store())

        def render() -> None:
            t = Table(
                _("username"),
                _("name"),
                _("staff no."),
                _("display name"),
                _("role"),
                _("windows"),
                _("state"),
            )
            for a in accounts:
                t.add_row(
                    a.username,
                    a.full_name,
                    a.staff_number or "",
                    a.display_name or "",
                    _word(ROLES, a.role.value),
                    _windows_said(a.windows),
                    _(STAFF_STATES[a.disabled]),
                )
            out.print(t)

        _emit(
            [
                {
                    "username": a.username,
                    "full_name": a.full_name,
                    "staff_number": a.staff_number,
                    "display_name": a.display_name,
                    "role": a.role.value,
                    "windows": sorted(a.windows) if a.windows is not None else None,
                    "disabled": a.disabled,
                }
                for a in accounts
            ],
            render,
        )


@staff_app.command("edit")
def staff_edit(
    username: str,
    full_name: Annotated[
        str | None, typer.Option("--full-name", help="The full name (shown to managers).")
    ] = None,
    staff_number: Annotated[
        str | None,
        typer.Option(help='Staff number (工号): letters, digits, -; "" takes it off.'),
    ] = None,
    display_name: Annotated[
        str | None,
        typer.Option(
            help='The name the window screen shows (e.g. 张女士); "" takes it off, so the '
            "screen shows the full name, masked unless the hall shows full names."
        ),
    ] = None,
) -> None:
    """Change an account's full name, staff number or display name (what is not given
    stays as it is); the window it sits at shows the change at once."""
    from queue_app.domain.public_text import clean_staff_number

    changes: dict[str, str | None] = {}
    if full_name is not None:
        changes["full_name"] = full_name
    if staff_number is not None:
        changes["staff_number"] = staff_number
    if display_name is not None:
        changes["display_name"] = display_name
    if not changes:
        _fail(_error(_("give --full-name, --staff-number or --display-name")), 2)
    with _user_errors():
        clean_staff_number(staff_number)  # refused here, before anything is sent
        with _client() as hall:
            done = hall.edit_staff(username, changes)
        _emit(
            done.model_dump(),
            lambda: out.print(
                _("{username}: {name} · staff no. {number} · window screens show {shown}").format(
                    username=done.username,
                    name=done.full_name or "-",
                    number=done.staff_number or "-",
                    shown=done.display_name or _("the full name as the hall shows names"),
                )
            ),
        )


@staff_app.command("windows")
def staff_windows(
    username: str,
    windows: Annotated[str, typer.Argument(help="e.g. 1-5,8; or any")],
) -> None:
    """Set the windows an account may sit at (sign in at)."""
    from queue_app.domain.window_sets import parse_windows

    with _user_errors():
        allowed = None if windows.strip().lower() == "any" else sorted(parse_windows(windows))
        with _client() as hall:
            done = hall.set_staff_windows(username, allowed)
        _emit(
            done.model_dump(),
            lambda: out.print(
                _("{username} may sit at windows: {windows}").format(
                    username=done.username, windows=_windows_said(done.windows)
                )
            ),
        )


@staff_app.command("seats")
def staff_seats() -> None:
    """Who sits at which window now (signed in there)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    with _user_errors(), _client() as hall:
        seated = hall.seats()
        zone = ZoneInfo(hall.hall().hall.timezone)

        def render() -> None:
            if not seated:
                out.print(_("no one is signed in at a window"))
                return
            t = Table(_("window"), _("username"), _("name"), _("since"))
            for s in seated:
                since = dt.datetime.fromtimestamp(s.since, zone).strftime("%H:%M")
                t.add_row(str(s.window), s.username, s.full_name, since)
            out.print(t)

        _emit([s.model_dump() for s in seated], render)


@staff_app.command("release")
def staff_release(window: int) -> None:
    """Free a window's seat: the session signed in there ends, so another may sit there."""
    with _user_errors(), _client() as hall:
        done = hall.release_seat(window)
        _emit(
            done.model_dump(),
            lambda: out.print(
                _("window {window} released: {username} signed out").format(
                    window=done.window, username=done.username
                )
            ),
        )


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """Disable an account and end its sessions."""
    from queue_app.store.staff import disable_staff

    with _user_errors():
        disable_staff(_store(), username, _settings().actor)
        _emit(
            {"username": username, "disabled": True},
            lambda: out.print(_("disabled {username}").format(username=username)),
        )


DB = Annotated[
    str | None,
    typer.Option(
        help="Database URL (default: the global --db, $QUEUE_APP_DB or a SQLite file in your "
        "data directory)."
    ),
]


def _database(db: str | None) -> str:
    from queue_app.store import default_database_url

    return _settings(db=db).db or default_database_url()


@db_app.command("upgrade")
def db_upgrade(db: DB = None) -> None:
    """Upgrade the database to this release's schema (a new one is created; an empty or
    damaged SQLite file is refused)."""
    from queue_app.store import make_engine, schema

    url = _database(db)
    with _user_errors():
        _check_existing_file(url)
        engine = make_engine(url)
        try:  # rows from before hall keys become the hall's named by --hall
            before = schema.upgrade(engine, hall=_hall(_catalog()).hall.code)
        finally:
            engine.dispose()
        if before.at_head and not before.unstamped:
            said = _("at revision {head} already, nothing to do")
        elif before.revision is None:
            said = _("created at revision {head}")
        elif before.unstamped:
            said = _("release 0.1.0's tables taken for revision {revision}, upgraded to {head}")
        else:
            said = _("upgraded from revision {revision} to {head}")
        said = said.format(revision=before.revision, head=before.head)
        _emit(
            {"database": _shown(url), "from": before.revision, "to": before.head},
            lambda: out.print(
                f"{_shown(url)}: {said}", markup=False, highlight=False, soft_wrap=True
            ),
        )


@db_app.command("current")
def db_current(db: DB = None) -> None:
    """The database's schema revision, and whether this release needs an upgrade."""
    from queue_app.store import make_engine, schema
    from queue_app.store.integrity import check_file, sqlite_file

    url = _database(db)
    with _user_errors():
        file = sqlite_file(url)
        if file is not None:  # a missing file is said, not made
            check_file(file, _shown(url))
        engine = make_engine(url)
        try:
            now = schema.status(engine)
        finally:
            engine.dispose()
        if now.revision is None:
            said = _("no tables yet (`queue-app db upgrade` creates them at revision {head})")
        elif now.unstamped:
            said = _(
                "revision {revision}: release 0.1.0's tables, not yet stamped "
                "(`queue-app db upgrade` stamps them)"
            )
        elif now.at_head:
            said = _("revision {revision} (this release's)")
        elif not schema.known(now.revision):
            said = _("revision {revision}, unknown to this release (its newest is {head})")
        else:
            said = _(
                "revision {revision}, this release needs {head}: run "
                "`queue-app db upgrade --db {url}`"
            )
        said = said.format(revision=now.revision, head=now.head, url=_shown(url))
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


def _check_existing_file(url: str) -> None:
    """Refuse an existing SQLite file that is empty or damaged (a missing one is made)."""
    from queue_app.store.integrity import check_file, sqlite_file

    file = sqlite_file(url)
    if file is not None and file.exists():
        check_file(file, _shown(url))


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="The backup's file (a SQLite database).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    db: DB = None,
) -> None:
    """Copy the hall's SQLite database to FILE, checked, while the server runs (SQLite's
    online backup). PostgreSQL: pg_dump."""
    from queue_app.store.backup import backup

    url = _database(db)
    with _user_errors():
        made = backup(url, file, force=force)
        said = _("{file}: backup of {url}: revision {revision}, {tickets} tickets, checked")
        said = said.format(
            file=made.file, url=_shown(url), revision=made.revision, tickets=made.tickets
        )
        _emit(
            {
                "backup": str(made.file),
                "database": _shown(url),
                "revision": made.revision,
                "tickets": made.tickets,
                "bytes": made.size,
            },
            lambda: out.print(said, markup=False, highlight=False, soft_wrap=True),
        )


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `queue-app db backup`.")],
    db: DB = None,
) -> None:
    """Put the backup FILE in the place of the hall's SQLite database: FILE is checked
    first, the database it replaces is kept as NAME.before-restore-TIME, and the restored
    one is upgraded to this release's schema if older. Stop the server first."""
    from queue_app.store.backup import restore

    url = _database(db)
    with _user_errors():
        done = restore(url, file, _hall(_catalog()).hall.code)
        b, before = done.backup, done.before
        lines = [
            _("{url}: restored from {file}: revision {revision}, {tickets} tickets").format(
                url=_shown(url), file=b.file, revision=b.revision, tickets=b.tickets
            )
        ]
        if not before.at_head or before.unstamped:
            lines.append(_("upgraded to revision {head}").format(head=before.head))
        if done.aside is not None:
            lines.append(_("the database it replaced is kept at {file}").format(file=done.aside))
        _emit(
            {
                "database": _shown(url),
                "backup": str(b.file),
                "revision": b.revision,
                "tickets": b.tickets,
                "upgraded_to": None if before.at_head and not before.unstamped else before.head,
                "kept_aside": None if done.aside is None else str(done.aside),
            },
            lambda: out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True),
        )


@db_app.command("purge")
def db_purge(
    keep_days: Annotated[
        int | None,
        typer.Option(
            min=1, max=36500, help="Days to keep (default: $QUEUE_APP_KEEP_DAYS, else 400)."
        ),
    ] = None,
) -> None:
    """Delete the raw tickets and events of days older than the days kept; their figures
    stay as the days' rollups, so every report gives the same figures."""
    with _user_errors():
        store = _store()
        try:
            days = keep_days or _settings().keep_days
            gone = store.purge_history(days)
        finally:
            store.dispose()
        said = _("kept the last {days} days; deleted {tickets} tickets and {events} events")
        shown = said.format(days=days, tickets=gone.get("tickets", 0), events=gone.get("events", 0))
        _emit({"keep_days": days, **gone}, lambda: out.print(shown))


@db_app.command("history")
def db_history() -> None:
    """The schema's revisions, newest first."""
    from queue_app.store import schema

    with _user_errors():
        revisions = schema.history()
        head = schema.head()

        def render() -> None:
            for r in revisions:
                mark = " " + _("(head)") if r.id == head else ""
                out.print(f"{r.id}{mark}  {r.title}", markup=False, highlight=False, soft_wrap=True)

        _emit([asdict(r) for r in revisions], render)


def _shown(url: str) -> str:
    """The URL with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@notices_app.command("receive")
def notices_receive(
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8090,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    secret_env: Annotated[
        str, typer.Option(help="The environment variable holding the webhook's secret.")
    ] = "QUEUE_APP_NOTICE_SECRET",
) -> None:
    """Receive the hall's notices as its SMS gateway would: check each signature, take each
    delivery id once, print the message (point a sender of the hall file's ``notices:`` at
    http://HOST:PORT/notices). Ctrl-C ends it."""
    import os
    import threading

    from queue_app.notice_receiver import Receiver

    secret = os.environ.get(secret_env, "")
    if not secret:
        _fail(
            _error(_("the environment variable {name} holds no secret").format(name=secret_env)), 2
        )

    def show(body: dict[str, Any]) -> None:
        out.print(
            "  ".join(str(body.get(k)) for k in ("delivery_id", "kind", "masked", "text")),
            markup=False,
            highlight=False,
        )

    with _user_errors():
        _check_port_free(host, port)
        receiver = Receiver(secret, port, host, show=show).start()
        out.print(
            _("receiving notices at {url} (Ctrl-C ends)").format(url=receiver.url),
            markup=False,
            highlight=False,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()


@app.command("demo")
def demo(
    lang: Annotated[
        str | None, typer.Option(help="zh or en (default: the global --lang, $QUEUE_APP_LANG).")
    ] = None,
    port: Annotated[
        str | None,
        typer.Option(
            metavar="PORT",
            help="The embedded server's port on 127.0.0.1, to open its pages in a browser "
            "(default: $QUEUE_APP_PORT, else a free one).",
        ),
    ] = None,
    plain: Annotated[
        bool, typer.Option(help="No terminal UI: simulate a morning and print its report.")
    ] = False,
    tickets: Annotated[int, typer.Option(min=1, max=2000, help="Tickets in the morning.")] = 220,
    days: Annotated[
        int, typer.Option(min=0, max=400, help="Past business days each hall starts with.")
    ] = 60,
    seed: Annotated[int, typer.Option()] = 7,
    db: Annotated[
        str | None, typer.Option(help="--plain: database URL (default: a temporary SQLite file).")
    ] = None,
) -> None:
    """The embedded city: a server on 127.0.0.1 over a new SQLite file with the halls of
    windows/city.yaml (or the one hall --hall names), demo staff and the morning so far,
    and a role picker for the terminals and the city's view."""
    settings = _settings(lang=lang, port=port)
    with _user_errors():
        if not plain and settings.port is not None:
            _check_port_free("127.0.0.1", settings.port)
        cat = _catalog()
        if plain:
            from queue_app.demo import run_demo

            hall = _hall(cat)
            run_demo(cat, hall, tickets=tickets, seed=seed, db=db, console=out, lang=_lang())
            return
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            _fail(
                _error(
                    _(
                        "the demo opens terminal screens and needs a terminal; "
                        "`queue-app demo --plain` runs a morning without one"
                    )
                ),
                2,
            )
        from queue_app.demo_live import run

        if _settings().hall is not None:  # one hall named: that hall alone
            one = [_hall(cat)]
            run(cat, one, lang=settings.lang, tickets=tickets, days=days, port=settings.port)
            return
        from queue_app.loaders.files import default_city_path

        plan = _city_plan(_settings().city or default_city_path())
        run(
            cat,
            plan.halls,
            lang=settings.lang,
            tickets=tickets,
            days=days,
            port=settings.port,
            elsewhere=plan.elsewhere,
            city_name=plan.names,
        )


def _check_port_free(host: str, port: int) -> None:
    """Say at once when another process listens on ``port``, before anything starts."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind((host, port))
        except OSError as exc:
            _fail(
                _error(
                    _("cannot listen on {host}:{port}: {reason}").format(
                        host=host, port=port, reason=exc.strerror or exc
                    )
                ),
                2,
            )


def _terminal(
    role: str,
    window: int | None,
    lang: str | None,
    server: str | None,
    user: str | None,
    station: str | None = None,
) -> None:
    """Open one terminal of the hall against its server (the command's ``--server``, else
    the global one or $QUEUE_APP_SERVER, else the local server). A slip's QR code points
    at the server's public URL (``serve --public-url``), else at ``--server``'s. A desk
    signs in at its ``--station`` ($QUEUE_APP_STATION): its slips print there."""
    settings = _settings(lang=lang, server=server, user=user, station=station)
    url = settings.server or f"http://127.0.0.1:{DEFAULT_PORT}"
    if window is not None:
        _check_window(url, window)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        roles = {
            "desk": _("the front desk terminal"),
            "clerk": _("the window terminal"),
            "manager": _("the manager's terminal"),
            "display": _("the hall display"),
            "city": _("the city view"),
        }
        _fail(
            _error(
                _(
                    "{terminal} draws a screen and needs a terminal (stdin and stdout are not "
                    "one); run it in a terminal window, or use the one-shot commands"
                ).format(terminal=roles[role])
            ),
            2,
        )
    import asyncio

    from queue_app.client import AsyncHallClient
    from queue_app.tui.app import HallApp

    password = settings.password.get_secret_value() if settings.password else None
    HallApp(
        AsyncHallClient(url, retry_for=settings.retry_for),
        role,
        public_url=asyncio.run(public_url_of(AsyncHallClient(url, retry_for=0), url)),
        window=window,
        lang=settings.lang,
        username=settings.user,
        password=password if settings.user else None,
        station=settings.station if role == "desk" else None,
    ).run()


async def public_url_of(client: AsyncHallClient, fallback: str) -> str:
    """The base URL the hall server gives for the pages a citizen's phone opens (its
    ``--public-url``), else ``fallback``; ``client`` is closed."""
    from queue_app.client import ApiError

    async with client:
        try:
            said = (await client.health()).get("public_url")
        except ApiError:
            said = None
    return said or fallback


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
        _fail(
            _error(
                _("window {window} does not exist (windows: {windows})").format(
                    window=window, windows=shown
                )
            ),
            2,
        )


LANG = Annotated[
    str | None, typer.Option(help="zh or en (default: the global --lang, $QUEUE_APP_LANG or zh).")
]
SERVER = Annotated[
    str | None,
    typer.Option(help="The hall server, e.g. http://HALL:8600 (as the global --server)."),
]
USER = Annotated[
    str | None,
    typer.Option(help="Account to sign in (password: $QUEUE_APP_PASSWORD, else the sign-in asks)."),
]


STATION = Annotated[
    str | None,
    typer.Option(
        help="The desk's station in the hall file (its slip printer); $QUEUE_APP_STATION."
    ),
]


@app.command("desk")
def desk(
    lang: LANG = None, server: SERVER = None, user: USER = None, station: STATION = None
) -> None:
    """The front desk (导办台) terminal: find matters, issue tickets (their slips print at
    the station's printer, whose state it shows; F3 prints the last slip again)."""
    _terminal("desk", None, lang, server, user, station)


@window_app.command("terminal", hidden=True)
def window_terminal(
    window: int, lang: LANG = None, server: SERVER = None, user: USER = None
) -> None:
    """A window clerk's terminal (``queue-app window N``)."""
    _terminal("clerk", window, lang, server, user)


@app.command("manager")
def manager(lang: LANG = None, server: SERVER = None, user: USER = None) -> None:
    """The hall manager's terminal: every window live, open, close, pause."""
    _terminal("manager", None, lang, server, user)


@app.command("city")
def city_view(lang: LANG = None, server: SERVER = None, user: USER = None) -> None:
    """The city's view: every hall of the server side by side (a city account)."""
    _terminal("city", None, lang, server, user)


@app.command("display")
def display(lang: LANG = None, server: SERVER = None, user: USER = None) -> None:
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
        _fail(  # one line, however narrow the terminal
            _error(
                _(
                    "--clock-start: expected an instant with its UTC offset, e.g. "
                    "2026-12-01T10:30+08:00; got {value}"
                ).format(value=repr(start))
            ),
            2,
        )
    offset = at.timestamp() - time.time()
    return lambda: time.time() + offset


@app.command("serve")
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on: 0.0.0.0 for every network of this machine (default: "
            "$QUEUE_APP_HOST or 127.0.0.1, this machine only)."
        ),
    ] = None,
    port: Annotated[
        str | None,
        typer.Option(metavar="PORT", help=f"Port (default: $QUEUE_APP_PORT or {DEFAULT_PORT})."),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="The server's address as citizens' phones reach it, e.g. "
            "http://192.168.1.10:8600: the base of the slip's QR code and status link "
            "(default: $QUEUE_APP_PUBLIC_URL, else the address each desk connects to).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (default: $QUEUE_APP_DB or a SQLite file in your data directory)."
        ),
    ] = None,
    hall: Annotated[
        list[str] | None,
        typer.Option(
            help="Hall layout file (default: $QUEUE_APP_HALL); repeat it to serve several "
            "halls on one database, each at /halls/<code>, the first also at /."
        ),
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(
            help="City file (windows/city.yaml): serve every hall it lists on one database, "
            "each at /halls/<code>, the first also at / (default: $QUEUE_APP_CITY)."
        ),
    ] = None,
    catalog: Annotated[
        str | None, typer.Option(help="Catalog file (default: $QUEUE_APP_CATALOG).")
    ] = None,
    clock_start: Annotated[
        str | None,
        typer.Option(
            help="For rehearsal and benchmarks: the server's clock starts at this instant, "
            "e.g. 2026-12-01T10:30+08:00, and runs at real speed."
        ),
    ] = None,
    docs: Annotated[
        bool,
        typer.Option(
            "--docs",
            help="Serve the API reference at /docs and /redoc (their pages load scripts "
            "from a CDN; the schema is always at /openapi.json).",
        ),
    ] = False,
) -> None:
    """Run the hall server (HTTP API; its schema at /openapi.json)."""
    clock = time.time if clock_start is None else _clock_from(clock_start)  # before the imports
    first, *more = hall or [None]  # type: ignore[list-item]
    settings = _settings(
        host=host, port=port, public_url=public_url, db=db, hall=first, catalog=catalog, city=city
    )
    port_n = settings.port or DEFAULT_PORT
    import uvicorn

    from queue_app.server import create_app
    from queue_app.server.city import CityServer, hall_path
    from queue_app.server.stream_slots import StreamCaps

    caps = StreamCaps(
        settings.event_streams_per_address, settings.event_streams, settings.staff_event_streams
    )
    with _user_errors():
        plan = _city_plan(settings.city) if settings.city else None
        store = _store(clock, plan.halls[0] if plan else None)  # an old database said first
        stores = [store]
        try:
            halls = plan.halls[1:] if plan else [_hall_file(Path(f), store.catalog) for f in more]
            stores += [_store_beside(store, h) for h in halls]
            codes = [s.code for s in stores]
            if len(set(codes)) != len(codes):
                twice = sorted({c for c in codes if codes.count(c) > 1})
                _fail(
                    _("two hall files give one hall code: {codes}").format(codes=", ".join(twice)),
                    2,
                )
            _check_port_free(settings.host, port_n)
        except BaseException:
            store.dispose()
            raise
        base = f"http://{settings.host}:{port_n}"
        several = len(stores) > 1
        for s in stores:
            where = base + (hall_path(s.code) if several else "")
            out.print(
                f"{s.hall.hall.name}: {where}{'/docs' if docs and s is store else ''} · "
                + _("database {url}").format(url=s.engine.url.render_as_string(hide_password=True)),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            out.print(
                "  "
                + _("call board {board} · big screen {dashboard}").format(
                    board=f"{where}/display", dashboard=f"{where}/dashboard"
                ),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if settings.public_url:
            out.print(
                _("slips link to {url}").format(url=settings.public_url),
                markup=False,
                highlight=False,
            )
        if clock_start is not None:
            out.print(
                _("clock: started at {start} · business day {day}").format(
                    start=clock_start, day=store.today()
                )
            )
        try:  # SIGTERM: requests drain, then the app disposes of the store (a checkpoint)
            # live-event streams never end by themselves: give them 2 s at shutdown
            servers = [
                create_app(
                    s,
                    public_url=settings.public_url
                    and settings.public_url + (hall_path(s.code) if several else ""),
                    elsewhere=plan.elsewhere if plan else None,
                    docs=docs,
                    streams=caps,
                    owns_store=True,
                )
                for s in stores
            ]
            uvicorn.run(
                CityServer(servers, *plan.names if plan else ("", "")) if several else servers[0],
                host=settings.host,
                port=port_n,
                log_level="warning",
                timeout_graceful_shutdown=2,
            )
        finally:
            for s in stores:
                s.dispose()  # again (harmless) when the app did: uvicorn may fail before


# --------------------------------------------------------------- history (issue 15)
@history_app.command("seed")
def history_seed(
    days: Annotated[str, typer.Option(metavar="N", help="Business days to play.")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same days.")] = 1,
    until: Annotated[
        str | None,
        typer.Option(metavar="DAY", help="Play the days before DAY (YYYY-MM-DD; default today)."),
    ] = None,
    demand: Annotated[
        Path | None,
        typer.Option(
            help="Demand profile (default: demand/default.yaml for a hall of 20 windows or "
            "more, else demand/township.yaml)."
        ),
    ] = None,
) -> None:
    """Fill the hall's database with N past business days played by the simulator through
    the store (issue, call, serve, 好差评, breaks), each day closed so its figures are kept."""
    from queue_app.history import MAX_DAYS, SetClock, past_days, seed_history
    from queue_app.history.seed import demand_path

    n = int(days) if days.strip().isdigit() else 0
    if not 1 <= n <= MAX_DAYS:
        said = _("--days: expected a whole number from 1 to {most}; got {value}")
        _fail(_error(said.format(most=MAX_DAYS, value=repr(days))), 2)
    with _user_errors():
        from queue_app.domain import hours
        from queue_app.loaders import load_demand_for

        hall = _hall(_catalog())
        clock = SetClock()
        today = hours.business_day(hall, clock.now)
        last = until or today
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", last) or last > today:
            said = _("--until {day}: expected a date as YYYY-MM-DD, no later than today")
            _fail(_error(said.format(day=repr(last))), 2)
        wanted = past_days(hall, n, dt.date.fromisoformat(last))
        store = _store(clock, hall)
        from queue_app.sim import ScenarioError

        file = demand or demand_path(store.hall)
        told = _("{day}: {tickets} tickets")
        try:
            done = seed_history(
                store,
                load_demand_for(file, store.catalog),
                wanted,
                seed=seed,
                on_day=lambda d, k: err.print(told.format(day=d, tickets=k), highlight=False),
            )
        except ScenarioError as exc:
            _fail(_error(f"{file}: {exc}"), 2)
        store.dispose()
        said = _(
            "{hall}: {days} days played ({first} to {last}), {tickets} tickets in {seconds} s "
            "({rate} tickets/s)"
        )
        _emit(
            {
                "hall": store.hall.hall.code,
                "days": len(done.days),
                "first": done.days[0],
                "last": done.days[-1],
                "tickets": done.tickets,
                "seconds": round(done.seconds, 2),
            },
            lambda: out.print(
                said.format(
                    hall=store.hall.hall.name,
                    days=len(done.days),
                    first=done.days[0],
                    last=done.days[-1],
                    tickets=done.tickets,
                    seconds=f"{done.seconds:.1f}",
                    rate=f"{done.rate:.0f}",
                ),
                highlight=False,
            ),
        )


# ------------------------------------------------------- simulation (issue 5)
def _sim_inputs(
    hall: Path | None,
    demand: Path | None,
    seed: int,
    policy: str | None,
    booking_share: float | None = None,
) -> tuple[Any, ...]:
    """Catalog, hall, demand (its share of bookings ``booking_share`` if given), demand
    model and policy for the simulation commands; bad input is a message and exit 2."""
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
                _error(
                    _("--policy: expected one of {choices}; got {value}").format(
                        choices=", ".join(p.value for p in Policy), value=repr(policy)
                    )
                ),
                2,
            )
    cat = _catalog()
    h = load_hall_for(hall or _settings().hall or default_hall_path(), cat)
    d = load_demand_for(demand or default_demand_path(), cat)
    if booking_share is not None:
        d = d.with_booking_share(booking_share)
    try:
        model = DemandModel(d, cat, h, seed)
    except ScenarioError as exc:
        _fail(_error(f"{demand or default_demand_path()}: {exc}"), 2)
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


def _sim_label(label: str) -> str:
    """A layout's label or a domain's name in the simulation's tables: the simulator's own
    words translated, the hall's names (data) as they are."""
    from queue_app.sim.arrivals import BUNDLE_DOMAIN

    return _("one-stop bundles") if label == BUNDLE_DOMAIN else _(label)


def _render_summary(s: Any) -> None:
    t = Table(
        "",
        "n",
        _("mean"),
        "p50",
        "p90",
        "p99",
        _("max"),
        _(">{minutes} min").format(minutes=f"{s.target_minutes:g}"),
        title=_("{label}: wait (minutes)").format(label=_sim_label(s.label)),
    )
    t.add_row(*_wait_row(_("walk-ins") if s.appointments else _("all"), s.wait))
    for k, w in s.by_class.items():
        t.add_row(*_wait_row(_("class {name}").format(name=k), w))
    for k, w in s.by_domain.items():
        t.add_row(*_wait_row(_sim_label(k), w))
    out.print(t)
    if s.appointments:
        _render_appointments(s.appointments, s.target_minutes)
    u = Table(_("window"), _("utilisation"), title=_("windows"))
    for n, v in s.utilisation.items():
        u.add_row(str(n), f"{100 * v:.0f}%")
    out.print(u)
    out.print(
        _(
            "citizens {citizens} · served {served} · no-show {no_show} · refused {refused} · "
            "mean utilisation {utilisation} · load balance {balance} · bundles {bundles} "
            "({one_visit} in one visit) · called after close {after_close} · overtime "
            "{overtime} min/day"
        ).format(
            citizens=s.citizens,
            served=s.served,
            no_show=s.no_show,
            refused=s.refused,
            utilisation=f"{100 * s.utilisation_mean:.0f}%",
            balance=_fmt(s.load_balance, 3),
            bundles=s.bundles,
            one_visit=f"{_fmt(100 * s.bundles_one_visit, 0)}%",
            after_close=s.after_close,
            overtime=_fmt(s.overtime_mean_min),
        )
    )
    if s.estimates:
        e = Table(
            _("estimate"),
            "n",
            "MAE",
            _("MAE/mean"),
            _("bias"),
            _("within 5 min"),
            title=_("wait estimates vs actual, same tickets (mean actual {minutes} min)").format(
                minutes=_fmt(next(iter(s.estimates.values())).mean_actual)
            ),
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


def _render_appointments(a: Any, target: float) -> None:
    """Appointments' punctuality, apart from the walk-ins."""
    t = Table(
        "",
        "n",
        _("mean"),
        "p50",
        "p90",
        "p99",
        _("max"),
        _(">{minutes} min").format(minutes=f"{target:g}"),
        title=_("appointments: wait (minutes), {early} min early on average").format(
            early=_fmt(a.early_mean)
        ),
    )
    t.add_row(*_wait_row(_("from check-in"), a.from_check_in))
    t.add_row(*_wait_row(_("from the slot's start"), a.from_slot))
    out.print(t)


def _render_side_by_side(sums: list[Any]) -> None:
    t = Table("", *[_sim_label(s.label) for s in sums], title=_("same arrivals, side by side"))
    rows: list[tuple[str, Callable[[Any], str]]] = [
        (_("mean wait (min)"), lambda s: _fmt(s.wait.mean, 2)),
        ("p50", lambda s: _fmt(s.wait.p50)),
        ("p90", lambda s: _fmt(s.wait.p90)),
        ("p99", lambda s: _fmt(s.wait.p99)),
        (_("max"), lambda s: _fmt(s.wait.max, 0)),
        (_("over target"), lambda s: f"{100 * s.wait.over_target:.1f}%"),
        (_("windows"), lambda s: str(len(s.utilisation))),
        (_("utilisation"), lambda s: f"{100 * s.utilisation_mean:.0f}%"),
        (_("load balance"), lambda s: _fmt(s.load_balance, 3)),
        (_("bundles in one visit"), lambda s: f"{_fmt(100 * s.bundles_one_visit, 0)}%"),
        (_("visits per citizen"), lambda s: _fmt(s.visits_per_citizen, 2)),
        (_("called after close"), lambda s: str(s.after_close)),
        (_("overtime min/day"), lambda s: _fmt(s.overtime_mean_min)),
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
SIM_BOOKING_SHARE = Annotated[
    float | None,
    typer.Option(
        min=0.0, max=1.0, help="Share of the demand that books a slot (default: the demand's)."
    ),
]


@app.command("simulate")
def simulate_cmd(
    hall: SIM_HALL = None,
    demand: SIM_DEMAND = None,
    days: Annotated[int, typer.Option(min=1, max=100_000, help="Days to simulate.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same days.")] = 1,
    policy: SIM_POLICY = None,
    booking_share: SIM_BOOKING_SHARE = None,
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
    class and domain, utilisation, load balance, bundles, wait-estimate errors, and the
    appointments' punctuality apart when some of the demand books."""
    from queue_app.domain.dispatch import Policy
    from queue_app.sim import comparison_layouts, layout_for, simulate

    _run.as_json = _run.as_json or as_json
    with _user_errors():
        if compare not in (None, "layouts", "policies"):
            _fail(
                _error(
                    _("--compare: expected layouts or policies; got {value}").format(
                        value=repr(compare)
                    )
                ),
                2,
            )
        cat, h, d, model, pol = _sim_inputs(hall, demand, seed, policy, booking_share)
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
        if d.bookings.share:
            head["booking_share"] = d.bookings.share

        # a demand is often named after its hall (区政务服务中心 · 周一): the hall once
        demand_name = d.demand.name.removeprefix(h.hall.name).lstrip(" ·") or d.demand.name

        def render() -> None:
            out.print(
                f"[bold]{h.hall.name}[/] · {demand_name} · "
                + _(
                    "{days} days · seed {seed} · policy {policy} · about {tickets} tickets/day"
                ).format(
                    days=days,
                    seed=seed,
                    policy=head["policy"],
                    tickets=f"{head['expected_tickets_per_day']:.0f}",
                )
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
    booking_share: SIM_BOOKING_SHARE = None,
    day: Annotated[
        str | None,
        typer.Option(
            help="A day (YYYY-MM-DD) whose bookings in the hall's database count at their "
            "slots, in place of the demand's share who book."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Windows needed per hour for a p90 wait under the target (Erlang C, confirmed by
    simulation; booked citizens counted at their slots), and what opening more windows in
    the morning peak would do."""
    import re

    from queue_app.sim import advise

    _run.as_json = _run.as_json or as_json
    for name, v in (("--extra-from", extra_from), ("--extra-to", extra_to)):
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            _fail(
                _error(
                    _('{flag}: expected a time of day as "HH:MM"; got {value}').format(
                        flag=name, value=repr(v)
                    )
                ),
                2,
            )
    if day is not None and not _is_iso_day(day):
        _fail(
            _error(_("--day: expected a date as YYYY-MM-DD; got {value}").format(value=repr(day))),
            2,
        )
    with _user_errors():
        cat, h, d, _model, pol = _sim_inputs(hall, demand, seed, policy, booking_share)
        booked = _bookings_of(day, h) if day is not None else []
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
            booked=booked,
            day=day,
        )

        def render() -> None:
            out.print(
                f"[bold]{a.hall}[/] · {a.demand} · "
                + _(
                    "target p90 {target} min · a ticket holds a window {minutes} min on average"
                ).format(target=f"{a.target_p90:g}", minutes=f"{a.mean_minutes:.1f}")
            )
            booked = any(x.booked for x in a.hours)
            t = Table(
                _("hour"),
                _("arrivals"),
                *([_("of them booked")] if booked else []),
                _("load (erlangs)"),
                "Erlang C",
                _("advised"),
                _("staffed now"),
                _("p90 Erlang"),
                _("p90 staffed now"),
                _("p90 simulated"),
                title=_("windows needed per hour"),
            )
            for x in a.hours:
                t.add_row(
                    x.start,
                    f"{x.arrivals:.0f}",
                    *([f"{x.booked:.0f}"] if booked else []),
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
                _(
                    "advised staffing, simulated over {days} days: mean wait {mean} min, p90 "
                    "{p90} min · window-hours: Erlang C {erlang}, advised {advised}, staffed "
                    "now {staffed}"
                ).format(
                    days=a.days,
                    mean=f"{a.sim_mean:.1f}",
                    p90=f"{a.sim_p90:.1f}",
                    erlang=a.window_hours_erlang,
                    advised=a.window_hours_advised,
                    staffed=a.window_hours_staffed,
                )
            )
            for n in a.notes:
                out.print(_("note: {note}").format(note=n), markup=False)
            if a.what_if:
                w = a.what_if
                out.print(
                    _(
                        "what if {label}: mean wait {mean0} → {mean} min, p90 {p900} → {p90} "
                        "min; arriving {start}-{end} (+1 h): mean {wmean0} → {wmean}, p90 "
                        "{wp900} → {wp90}"
                    ).format(
                        label=w.label,
                        mean0=f"{w.base_mean:.1f}",
                        mean=f"{w.mean:.1f}",
                        p900=f"{w.base_p90:.1f}",
                        p90=f"{w.p90:.1f}",
                        start=w.start,
                        end=w.end,
                        wmean0=f"{w.base_window_mean:.1f}",
                        wmean=f"{w.window_mean:.1f}",
                        wp900=f"{w.base_window_p90:.1f}",
                        wp90=f"{w.window_p90:.1f}",
                    )
                )

        _emit(a.to_dict(), render)


def _is_iso_day(day: str) -> bool:
    import datetime as dt

    try:
        return dt.date.fromisoformat(day).isoformat() == day
    except ValueError:
        return False


def _bookings_of(day: str, hall: Hall) -> list[Any]:
    """The bookings of ``day`` not checked in, from the hall's database (``Store.booked``)."""
    store = _store(hall=hall)
    try:
        return list(store.booked(day))
    finally:
        store.dispose()


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


_one_line_summaries(
    app, catalog_app, hall_app, ticket_app, window_app, day_app, staff_app, db_app, history_app
)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print(_("interrupted"))
        sys.exit(130)


# ------------------------------------------------------------------ reports
REPORT_FORMATS = ("table", "csv", "json", "xlsx")


@app.command("report")
def report_cmd(
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: the 1st of --to's month)."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, included (default: today).")
    ] = None,
    by: Annotated[
        str,
        typer.Option(help="hall | window | clerk | department | matter | domain | class | hour"),
    ] = "hall",
    fmt: Annotated[
        str, typer.Option("--format", help="table | csv | json | xlsx (a workbook: needs --out)")
    ] = "table",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """The hall's figures over a period by hall, window, clerk, department, matter, domain,
    ticket class or hour: tickets, waits, handling, 一件事, 好差评, against the period before."""
    from queue_app.domain.rollup import By
    from queue_app.report_text import csv_text, table

    if by not in {b.value for b in By}:
        _fail(
            _error(
                _("--by: expected one of {choices}; got {value}").format(
                    choices=", ".join(b.value for b in By), value=repr(by)
                )
            ),
            2,
        )
    if fmt not in REPORT_FORMATS:
        _fail(
            _error(
                _("--format: expected one of {choices}; got {value}").format(
                    choices=", ".join(REPORT_FORMATS), value=repr(fmt)
                )
            ),
            2,
        )
    if fmt == "xlsx" and out_file is None:
        _fail(_error(_("--format xlsx writes a workbook: name its file with --out")), 2)
    with _user_errors(), _client() as hall:
        to = last or hall.stats().day
        since = first or to[:8] + "01"
        if fmt == "xlsx":
            assert out_file is not None
            _write_workbook(hall, since, to, out_file)
            return
        report = hall.report(by, since, to)
    if fmt == "json" or _run.as_json:
        text = report.model_dump_json(indent=2)
    elif fmt == "csv":
        text = csv_text(report, _)
    else:
        text = None
    if out_file is not None:
        if text is None:
            with out_file.open("w", encoding="utf-8") as f:
                Console(file=f, width=200).print(table(report, _))
        else:
            out_file.write_text(text, encoding="utf-8")
        out.print(_("wrote {path}").format(path=out_file), soft_wrap=True, highlight=False)
    elif text is None:  # piped or redirected: as wide as the table, not 80 columns
        (out if out.is_terminal else Console(width=max(out.width, 180))).print(table(report, _))
    else:
        sys.stdout.write(text)


def _write_workbook(hall: HallClient, first: str, last: str, path: Path) -> None:
    """The period's 日报, 周报 or 月报 workbook (every breakdown) written to ``path``."""
    from queue_app.domain.rollup import By
    from queue_app.report_workbook import workbook

    reports = {by: hall.report(by, first, last) for by in By}
    path.write_bytes(workbook(reports, _))
    out.print(_("wrote {path}").format(path=path), soft_wrap=True, highlight=False)
