"""The hall's operations over a database: each one domain rule and the repositories' writes,
in one unit of work.

Every change first reads the hall's state row: a later business day than the hall is in
rolls the day over inside the same transaction (what earlier days left open expires,
windows are freed), and the layout in effect is rebuilt only when the settings moved.
On SQLite a write takes the write lock at BEGIN; on PostgreSQL the window row is locked
and the chosen ticket is claimed ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select

from queue_app.domain import hours
from queue_app.domain import ticket as rules
from queue_app.domain import window_state as wrules
from queue_app.domain.booked import Booked
from queue_app.domain.cases import CaseFigures, opens_case
from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import Candidate, DispatchWindow, choose_next, eligible, oldest_first
from queue_app.domain.errors import N_, Text
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.mobile import require_mobile
from queue_app.domain.notice_rules import NoticeKind
from queue_app.domain.numbering import format_number
from queue_app.domain.profiles import (
    WindowProfile,
    in_effect,
    refuse_stranding,
    require_valid,
    stranded,
)
from queue_app.domain.public_text import clean_notice
from queue_app.domain.rating import Channel, GivenRating, check_rating
from queue_app.domain.refusals import (
    BadUntil,
    DayClosed,
    DayClosedNoTickets,
    DomainCannotAccept,
    FutureDay,
    NoSuchPrinter,
    NoSuchWindow,
    NotSetUp,
    NotTheVisitJustFinished,
    NoWindowForAll,
    PeriodReversed,
    RaterHere,
    StillServing,
    UnknownDomain,
    UnknownSlip,
    WindowCannotAccept,
    WindowHoldsAnother,
)
from queue_app.domain.report import Period, Report
from queue_app.domain.request import resolve, resolve_matter
from queue_app.domain.rollup import By, DayRules
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket
from queue_app.domain.window_state import WindowState, WindowStatus
from queue_app.store import (
    bookings,
    cases,
    events,
    idempotency,
    notices,
    print_jobs,
    rollups,
    schema,
    settings,
    tickets,
    windows,
)
from queue_app.store.contacts import Contact, hall_keys
from queue_app.store.engine import checkpoint, make_engine
from queue_app.store.forecast import Forecasts, Slip
from queue_app.store.hall_key import of
from queue_app.store.idempotency import Once
from queue_app.store.read import board, figures, kiosk, line
from queue_app.store.read import dashboard as read_dashboard
from queue_app.store.read import reports as read_reports
from queue_app.store.read import summary as read_summary
from queue_app.store.read.dashboard import Dashboard
from queue_app.store.read.figures import DomainWaits, StaffingNow, WindowFigures, WindowStats
from queue_app.store.read.line import WindowInfo
from queue_app.store.read.summary import HallSummary
from queue_app.store.sessions import purge_sessions
from queue_app.store.settings import HallState, Layout, Layouts
from queue_app.store.tables import day_t, event_t, ticket_t
from queue_app.store.uow import EventInfo, Tx, UnitOfWork

R = TypeVar("R")
KEEP_DAYS = 400  # days a closed day's raw tickets and events are kept (then its rollups only)


def day_before(day: str, days: int) -> str:
    """The date ``days`` calendar days before ``day``."""
    return (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()


FIRST_PAGE, PAGE = 8, 64  # candidates read per round ("oldest eligible first")
DAY_END = "day_end"

__all__ = [
    "Dashboard",
    "DomainWaits",
    "EventInfo",
    "Issued",
    "StaffingNow",
    "Store",
    "WindowFigures",
    "WindowInfo",
    "WindowStats",
]


@dataclass(frozen=True, slots=True)
class Issued:
    """A new ticket with what the slip shows."""

    ticket: Ticket
    class_name: str
    ahead: int
    windows: tuple[int, ...]  # windows of this hall that may serve it
    estimated_wait_minutes: float | None
    token: str


class Store:
    """The hall's state in a database; safe for many processes on one database."""

    def __init__(
        self,
        url_or_engine: str | Engine,
        catalog: Catalog,
        hall: Hall,
        *,
        clock: Callable[[], float] = time.time,
        create: bool = True,
        keep_days: int | None = KEEP_DAYS,
    ) -> None:
        self.engine = (
            make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        )
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.catalog = catalog
        self.hall = hall
        self.clock = clock
        self.code = hall.hall.code  # the hall key of every row this store reads and writes
        self.uow = UnitOfWork(self.engine, clock, self.code)
        self.layouts = Layouts(hall, catalog)
        self._domain_of = {m.code: m.domain for m in catalog.matters}
        self._sets: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.forecasts = Forecasts(
            hall,
            catalog,
            self._candidate,
            lambda ms: self._matter_sets(ms)[1],
            booked=self._booked_on,
        )
        self._day_seen = ""  # the latest business day this process rolled over to
        self.keep_days = keep_days  # raw tickets and events older go at day close (None: kept)
        if create:
            self.create_schema()

    # ------------------------------------------------------------------ set-up
    def create_schema(self) -> None:
        """Bring the schema to the code's revision (rows of a database from before halls
        had keys become this hall's); a row for every window (closed)."""
        schema.upgrade(self.engine, hall=self.code)

        def op(tx: Tx) -> None:
            windows.ensure(tx.conn, [w.number for w in self.hall.windows], tx.now)
            settings.ensure_state(tx.conn, self.day_of(tx.now))

        self.uow.run(op)

    def dispose(self) -> None:
        """Close the database's connections; on SQLite first fold the write-ahead log into
        the file (a copy of the file alone, once no process has it open, holds the hall)."""
        checkpoint(self.engine)
        self.engine.dispose()

    # ------------------------------------------------------------------- time
    def day_of(self, now: float) -> str:
        return hours.business_day(self.hall, now)

    def today(self) -> str:
        return self.day_of(self.clock())

    # ------------------------------------------------------- running a change
    def _begin(self, tx: Tx) -> tuple[HallState, Layout]:
        """The hall's state, rolled over to today if a day has passed, and the layout."""
        state = settings.state(tx.conn)
        if state is None:
            raise NotSetUp()
        today = self.day_of(tx.now)
        if state.day < today:
            self._roll_over(tx, state.day, today)
            state = replace(state, day=today, open_until=None, day_closed=False)
        return state, self.layouts.current(tx.conn, state.settings_version)

    def _run(self, op: Callable[[Tx, HallState, Layout], R], once: Once | None = None) -> R:
        if self.day_of(self.clock()) > self._day_seen:  # a new day: roll over on its own,
            self.roll_over()  # so that a refused first operation still ends the old day

        def step(tx: Tx) -> R:
            state, layout = self._begin(tx)
            return op(tx, state, layout)

        return self.uow.run(idempotency.with_once(step, once)).result

    @contextmanager
    def _reading(self) -> Iterator[Tx]:
        with self.uow.read() as tx:
            yield tx

    def _layout(self, tx: Tx) -> Layout:
        return self._layout_of(tx.conn)

    def _layout_of(self, conn: Connection) -> Layout:
        state = settings.state(conn)
        return self.layouts.current(conn, state.settings_version if state else 0)

    # ------------------------------------------------------------- the day
    def _roll_over(self, tx: Tx, old: str, new: str) -> None:
        """End every earlier day: what is still open expires (reason ``day_end``), windows
        are freed and closed, what managers changed for the day goes back to the layout."""
        how = self._rules(tx.conn, tx.now)
        settings.next_day(tx.conn, old, new)
        ended = self._end_days(tx, tickets.open_before(tx.conn, new), "rollover", force=True)
        self._end_bookings(tx, new, old, "rollover")
        self._day_over_for_notices(tx, old)
        if not self._closed(tx, old):
            self._record_closed(tx, old, "rollover")
            detail = {"day": old, "rollover": True, **ended}
            events.append(tx, "day_closed", "rollover", old, detail=detail)
            self._keep_figures(tx, old, how)

    def _end_days(
        self, tx: Tx, ids: Sequence[int], actor: str, *, force: bool, whole_hall: bool = True
    ) -> dict[str, int]:
        """Expire tickets ``ids``; ``whole_hall``: also free and close every window and
        restore the layout's profiles (the end of the hall's current day), else only free
        the windows holding one of them. How many expired, and of them how many were parked
        (补材料: the citizen never came back; they count as expired, never as served)."""
        ended = []
        for t, version in tickets.many_versioned(tx.conn, ids).values():
            change = rules.expire(t, tx.now, force=force)
            ended.append((t, version, replace(change, detail={**change.detail, "reason": DAY_END})))
        tickets.save_many(tx, ended, actor)
        counted = {
            "expired": len(ids),
            "parked": sum(t.status is Status.PARKED for t, _, _ in ended),
        }
        rows = windows.rows(tx.conn)
        if not whole_hall:
            held = set(ids)
            windows.put_many(
                tx.conn,
                [
                    WindowState(r.number, WindowStatus(r.status), r.reason)
                    for r in rows
                    if r.current_ticket in held
                ],
                tx.now,
            )
            return counted
        freed = [
            WindowState(r.number, WindowStatus.CLOSED)
            for r in rows
            if r.status != WindowStatus.CLOSED.value or r.current_ticket is not None
        ]
        windows.put_many(tx.conn, freed, tx.now)
        changed = settings.clear_profiles(tx.conn)
        if changed:
            settings.bump(tx.conn)
        for n in changed:
            detail: dict[str, Any] = {"restored": True}
            if n in self.hall.window_by_number:
                detail.update(
                    WindowProfile.of(self.hall.window_by_number[n]).model_dump(mode="json")
                )
            events.append(
                tx, "window_profiled", actor, self.day_of(tx.now), window=n, detail=detail
            )
        return counted

    def _end_bookings(self, tx: Tx, today: str, closed: str, actor: str) -> None:
        """A day closed (``closed``): its bookings never checked in end (no-shows once
        their check-in window passed, else cancelled by the hall); bookings past their
        keeping time go."""
        if not self.hall.bookings.bookable:
            return
        bookings.sweep(tx, self.hall, self.names, today, closed_through=closed, actor=actor)
        bookings.purge(tx, self.hall, today)

    @cached_property
    def names(self) -> dict[str, str]:
        """Each matter's name by its code."""
        return {m.code: m.name for m in self.catalog.matters}

    def sweep_bookings(self) -> dict[str, int]:
        """Bookings whose check-in window has passed become no-shows (counted towards a
        bar, told): run by the server every minute, and at every day's close."""
        if not self.hall.bookings.bookable:
            return {"no_shows": 0, "cancelled": 0}

        def op(tx: Tx, state: HallState, layout: Layout) -> dict[str, int]:
            return bookings.sweep(tx, self.hall, self.names, state.day)

        return self._run(op)

    def booked(self, day: str) -> list[Booked]:
        """The day's bookings still to come (for the forecast of the line)."""
        with self._reading() as tx:
            return self._booked_on(tx.conn, day)

    def _booked_on(self, conn: Connection, day: str) -> list[Booked]:
        """``booked`` in the caller's transaction (the forecast's own read)."""
        if not self.hall.bookings.bookable:
            return []
        return bookings.booked(conn, of(conn), day)

    def _day_over_for_notices(self, tx: Tx, day: str) -> None:
        """The tickets of ``day`` and before tell no one more: their sealed numbers are
        erased, their calls and near turns not yet delivered cancelled; notices ended
        longer ago than ``notices.keep_days`` go."""
        notices.erase_numbers(tx, day)
        notices.cancel_stale(tx, day)
        notices.purge(tx, self.hall.notices.keep_days)

    def _tell(
        self, tx: Tx, kind: NoticeKind, t: Ticket, contact: tickets.ContactOnTicket, **data: Any
    ) -> None:
        """Queue a notice about ticket ``t`` to its citizen (none without a number or
        without senders)."""
        if contact.sealed is None or not self.hall.notices.senders:
            return
        notices.queue(
            tx,
            self.hall.notices,
            kind=kind,
            day=t.day,
            ref=t.number,
            sealed=contact.sealed,
            masked=contact.masked,
            data={"number": t.number, "hall": self.hall.hall.name, **data},
        )

    def roll_over(self) -> None:
        """Roll the hall over to today if a day has passed (the server does at start)."""
        self._day_seen = self.uow.run(lambda tx: self._begin(tx)[0].day).result

    def purge(self) -> int:
        """Forget idempotency keys older than a day and ended sign-in sessions (at day close
        and at a server's start); how many rows went."""

        def op(tx: Tx) -> int:
            return idempotency.purge(tx.conn, tx.now) + purge_sessions(tx.conn, tx.now)

        return self.uow.run(op).result

    def close_day(
        self,
        actor: str = "manager",
        *,
        force: bool = False,
        day: str | None = None,
        once: Once | None = None,
    ) -> dict[str, int]:
        """Close a business day (today, or any past day): tickets still open expire,
        windows are freed and closed. Today's is refused while a ticket is being served
        unless ``force``."""

        def op(tx: Tx, state: HallState, layout: Layout) -> dict[str, int]:
            d = day or state.day
            if d > state.day:
                raise FutureDay(day=d)
            if self._closed(tx, d):
                raise DayClosed(day=d)
            how = self._rules(tx.conn, tx.now)
            ids = tickets.open_on(tx.conn, d)
            if not force and d == state.day:
                serving = [
                    t for t in tickets.many(tx.conn, ids).values() if t.status is Status.SERVING
                ]
                if serving:
                    at = N_("{number} at window {window}")
                    raise StillServing(
                        tickets=[Text(at, number=t.number, window=str(t.window)) for t in serving]
                    )
            ended = self._end_days(tx, ids, actor, force=True, whole_hall=d == state.day)
            self._end_bookings(tx, state.day, d, actor)
            self._day_over_for_notices(tx, d)
            self._record_closed(tx, d, actor)
            if d == state.day:
                settings.close_current_day(tx.conn)
            events.append(tx, "day_closed", actor, d, detail={"day": d, **ended})
            self._keep_figures(tx, d, how)
            idempotency.purge(tx.conn, tx.now)
            purge_sessions(tx.conn, tx.now)
            return ended

        return self._run(op, once)

    def open_late(
        self, until: float | None, actor: str = "manager", once: Once | None = None
    ) -> float | None:
        """Keep issuing open until ``until`` today, beyond the hall's hours (None: the hours
        again)."""

        def op(tx: Tx, state: HallState, layout: Layout) -> float | None:
            if until is not None and (until <= tx.now or self.day_of(until) != state.day):
                raise BadUntil()
            settings.open_until(tx.conn, until)
            events.append(tx, "opened_late", actor, state.day, detail={"until": until})
            return until

        return self._run(op, once)

    def day_closed(self, day: str) -> bool:
        with self._reading() as tx:
            return self._closed(tx, day)

    @staticmethod
    def _closed(tx: Tx, day: str) -> bool:
        """Whether business day ``day`` was closed."""
        found = select(day_t.c.day).where(day_t.c.hall == tx.hall, day_t.c.day == day)
        return tx.conn.execute(found).first() is not None

    def _rules(self, conn: Connection, end: float) -> DayRules:
        """How a day's figures are tallied: the wait target in effect, the day ending at
        ``end``."""
        target = self._layout_of(conn).targets.wait_minutes
        return rollups.rules(self.hall, self.catalog, target, end)

    def _excluded(self, conn: Connection, day: str) -> frozenset[int]:
        """Tickets of ``day`` whose rating was set aside on appeal."""
        return cases.set_aside(conn, day)

    def rerate_day(self, tx: Tx, day: str) -> None:
        """A rating of ``day`` was set aside (in ``tx``): if the day's figures were kept,
        their ratings are tallied again from its raw rows; the rest stays as kept."""
        if rollups.kept_days(tx.conn, day, day):
            how = self._rules(tx.conn, self._day_end(tx.conn, day))
            figures_of_day = rollups.tally(tx.conn, day, how, self._excluded(tx.conn, day))
            rollups.rerate(tx.conn, day, figures_of_day)

    def _keep_figures(self, tx: Tx, day: str, how: DayRules) -> None:
        """Keep the closed day's figures; then the raw rows past their keeping time (counted
        back from today) go."""
        rollups.write(tx.conn, day, rollups.tally(tx.conn, day, how, self._excluded(tx.conn, day)))
        if self.keep_days is not None:
            self._purge_raw(tx, day_before(self.day_of(tx.now), self.keep_days))

    def _purge_raw(self, tx: Tx, before: str) -> dict[str, int]:
        """Delete the raw tickets and events of days before ``before``, after keeping the
        figures of any such day that has none yet."""
        old = [d for d in rollups.raw_days(tx.conn, "0000-00-00", before) if d < before]
        kept = rollups.kept_days(tx.conn, "0000-00-00", before)
        for d in old:
            if d not in kept:
                how = self._rules(tx.conn, self._day_end(tx.conn, d))
                figures_of_d = rollups.tally(tx.conn, d, how, self._excluded(tx.conn, d))
                rollups.write(tx.conn, d, figures_of_d)
        if not old:
            return {}  # nor any print job: a job goes with its ticket
        print_jobs.purge_before(tx.conn, before)
        return rollups.purge_before(tx.conn, before)

    @staticmethod
    def _day_end(conn: Connection, day: str) -> float:
        """When ``day`` was closed (its last event if it never was)."""
        closed = conn.execute(
            select(day_t.c.closed_at).where(day_t.c.hall == of(conn), day_t.c.day == day)
        ).scalar()
        if closed is not None:
            return float(closed)
        last = conn.execute(
            select(func.max(event_t.c.at)).where(event_t.c.hall == of(conn), event_t.c.day == day)
        ).scalar()
        return float(last or 0.0)

    def purge_history(self, keep_days: int | None = None) -> dict[str, int]:
        """Delete raw tickets and events older than ``keep_days`` (the store's by default)
        business days before today, their figures kept as rollups; how many rows went."""
        days = self.keep_days if keep_days is None else keep_days
        if days is None:
            return {}

        def op(tx: Tx, state: HallState, layout: Layout) -> dict[str, int]:
            return self._purge_raw(tx, day_before(state.day, days))

        return self._run(op)

    def _rules_of(self, tx: Tx) -> Callable[[str], DayRules]:
        """Each day's tally rules in this read: a day ends at its close, today now."""
        today = self.day_of(tx.now)

        def rules_of(day: str) -> DayRules:
            end = tx.now if day >= today else self._day_end(tx.conn, day)
            return self._rules(tx.conn, end)

        return rules_of

    def report(self, by: By, period: Period) -> Report:
        """The report of ``period`` by ``by``, against the period before it, with the 好差评
        cases opened in it (回访率, 整改率)."""
        with self._reading() as tx:
            made = read_reports.report(
                tx.conn, self.hall, self.catalog, by, period, self._rules_of(tx), self._excluded
            )
            made.cases = cases.figures(tx.conn, period.first, period.last, self.day_of(tx.now))
            return made

    def dashboard(self, days: int = 30) -> Dashboard:
        """The hall's big screen: the line and the windows now, today's figures, and the
        hall's trend over the ``days`` days ending today."""
        with self._reading() as tx:
            today = self.day_of(tx.now)
            period = Period.of(day_before(today, days - 1), today)
            return read_dashboard.dashboard(
                tx.conn,
                self._layout(tx),
                self.catalog,
                today,
                tx.now,
                period,
                self._rules_of(tx),
                self._excluded,
            )

    def case_figures(self, first: str, last: str) -> CaseFigures:
        """The 好差评 cases opened from ``first`` to ``last`` (days included): visits,
        rectifications, appeals, those overdue now; 回访率 and 整改率."""
        if first > last:
            raise PeriodReversed(first=first, last=last)
        with self._reading() as tx:
            return cases.figures(tx.conn, first, last, self.day_of(tx.now))

    @staticmethod
    def _record_closed(tx: Tx, day: str, by: str) -> None:
        tx.conn.execute(
            day_t.insert().values(hall=tx.hall, day=day, closed_at=tx.now, closed_by=by)
        )

    # ----------------------------------------------------------------- reading
    def ticket(self, number: str, day: str | None = None) -> Ticket:
        """A ticket by its number (today's unless ``day`` is given)."""
        with self._reading() as tx:
            return tickets.load(tx.conn, tickets.find(tx.conn, day or self.day_of(tx.now), number))[
                0
            ]

    def ticket_by_id(self, ticket_id: int) -> Ticket:
        with self._reading() as tx:
            return tickets.load(tx.conn, ticket_id)[0]

    def ticket_by_token(self, token: str) -> Ticket | None:
        with self._reading() as tx:
            return tickets.by_token(tx.conn, token)

    def require_window(self, number: int, field: str = "window") -> None:
        """Refuse a window number this hall does not have."""
        if number not in self.hall.window_by_number:
            raise NoSuchWindow(number=number, field=field)

    def windows(self) -> list[WindowInfo]:
        """Every window with its state and current ticket."""
        with self._reading() as tx:
            return line.window_infos(tx.conn, self._layout(tx), self.day_of(tx.now))

    def waiting(
        self, window: int | None = None, domain: str | None = None, day: str | None = None
    ) -> list[Ticket]:
        """Waiting tickets in dispatch order; only those ``window`` may serve, if given."""
        with self._reading() as tx:
            dw = None
            if window is not None:
                self.require_window(window)
                dw = self._layout(tx).dispatch[window]
            d = day or self.day_of(tx.now)
            return line.waiting(tx.conn, d, tx.now, self._candidate, dw, domain)

    def events(
        self, *, day: str | None = None, ticket: str | None = None, limit: int = 1000
    ) -> list[EventInfo]:
        """The event log of a day, oldest first."""
        number = ticket.strip().upper() if ticket is not None else None
        stmt = events.select_events(self.code, day or self.today(), number).limit(limit)
        with self._reading() as tx:
            return [events.info(r) for r in tx.conn.execute(stmt)]

    def last_event_id(self) -> int:
        with self._reading() as tx:
            return events.last_id(tx.conn)

    def events_after(self, event_id: int, limit: int = 1000) -> list[EventInfo]:
        """Events logged after ``event_id`` (by any process), oldest first."""
        with self._reading() as tx:
            return events.after(tx.conn, event_id, limit)

    def counts(self, day: str | None = None) -> dict[str, int]:
        with self._reading() as tx:
            return figures.counts(tx.conn, day or self.day_of(tx.now))

    def window_stats(self, day: str | None = None) -> WindowStats:
        with self._reading() as tx:
            d = day or self.day_of(tx.now)
            return WindowStats(d, figures.window_figures(tx.conn, self.hall, d, tx.now))

    def domain_waits(self, day: str | None = None) -> DomainWaits:
        with self._reading() as tx:
            d = day or self.day_of(tx.now)
            return DomainWaits(d, figures.domain_waits(tx.conn, self.catalog, d))

    def queue_over_day(
        self, day: str | None = None, bucket_s: float = 600.0
    ) -> tuple[float, list[int]]:
        with self._reading() as tx:
            return figures.queue_over_day(tx.conn, day or self.day_of(tx.now), tx.now, bucket_s)

    def staffing(self) -> StaffingNow:
        with self._reading() as tx:
            day = self.day_of(tx.now)
            model = self.forecasts.learned.update(tx.conn, day)
            target = self._layout(tx).targets.wait_minutes
            return figures.staffing(tx.conn, self.hall, self.catalog, model, day, tx.now, target)

    def board(self, shown: Collection[int] = (), limit: int = 10) -> board.Board:
        """For the hall board, in one read: today's latest calls (to ``shown`` windows, if
        given), how many wait per ticket class, the windows, the no-shows, the notice."""
        with self._reading() as tx:
            day = self.day_of(tx.now)
            no_shows, no_show_count = board.no_shows(tx.conn, day)
            return board.Board(
                calls=board.recent_calls(tx.conn, day, shown, limit),
                waiting=board.waiting_by_prefix(tx.conn, day),
                windows=line.window_infos(tx.conn, self._layout(tx), day),
                no_shows=no_shows,
                no_show_count=no_show_count,
                notice=settings.notice(tx.conn),
            )

    def notice(self) -> settings.Notice | None:
        """The notice line a manager set for the boards, if any."""
        with self._reading() as tx:
            return settings.notice(tx.conn)

    def issued_lately(self, days: int) -> kiosk.IssuedLately:
        """The tickets of today and the ``days`` business days before, by matter and
        bundle (the kiosk's buttons follow what citizens come for)."""
        with self._reading() as tx:
            today = dt.date.fromisoformat(self.day_of(tx.now))
            since = (today - dt.timedelta(days=days)).isoformat()
            return kiosk.issued_since(tx.conn, since)

    def summary(self) -> HallSummary:
        """The hall at a glance (the city's view)."""
        with self._reading() as tx:
            target = self._layout(tx).targets.wait_minutes
            return read_summary.summary(tx.conn, self.hall, self.day_of(tx.now), tx.now, target)

    def hall_in_effect(self) -> Hall:
        """The layout file with today's changes: what each window serves, the targets."""
        with self._reading() as tx:
            layout = self._layout(tx)
        if layout.targets == layout.hall.targets:
            return layout.hall
        return in_effect(layout.hall, {}, layout.targets)

    # ------------------------------------------------------------ the slip
    def slip(self, t: Ticket) -> Slip:
        """For a waiting ticket: the people ahead and the estimated wait."""
        with self._reading() as tx:
            me = tickets.as_candidate(t, self._matter_sets(t.matters)[1])
            return self.forecasts.slip(tx.conn, me, t.day, tx.now, self._layout_of)

    def with_slip(self, issued: Issued) -> Issued:
        """``issued`` with what its slip shows: the people ahead and the estimated wait."""
        s = self.slip(issued.ticket)
        return replace(issued, ahead=s.ahead, estimated_wait_minutes=s.wait_minutes)

    def ahead(self, t: Ticket) -> int:
        return self.slip(t).ahead

    def estimated_wait(self, t: Ticket) -> float | None:
        return self.slip(t).wait_minutes

    # ------------------------------------------------------------------ issue
    def resolve_matter(self, ref: str) -> str:
        return resolve_matter(self.catalog, ref)

    def issue(
        self,
        matters: Sequence[str] = (),
        *,
        bundle: str | None = None,
        priority: Priority | None = None,
        appointment_at: float | None = None,
        actor: str = "desk",
        slip: bool = True,
        once: Once | None = None,
        station: str | None = None,
        mobile: str | None = None,
    ) -> Issued:
        """Issue a ticket for some matters and/or a bundle, with an optional priority class.
        ``slip=False`` leaves the people ahead and the wait to ``with_slip`` (a read). Issued
        at a ``station`` with a printer, its slip's print job is written with it. A
        ``mobile`` number is kept (masked, sealed) for the citizen's notices."""
        printer = self.printer_of(station)
        number = require_mobile(mobile) if mobile else None
        codes, bundle = resolve(self.catalog, matters, bundle)

        def op(tx: Tx, state: HallState, layout: Layout) -> Issued:
            if state.day_closed:
                raise DayClosedNoTickets(day=state.day)
            hours.require_issuing(self.hall, tx.now, state.open_until)
            contact = hall_keys(tx.conn, tx.now).contact(number) if number else None
            return self._new_ticket(
                tx,
                state,
                layout,
                codes,
                bundle,
                priority,
                appointment_at,
                actor,
                contact,
                printer,
                station,
            )

        issued = self._run(op, once)
        return self.with_slip(issued) if slip else issued

    def _new_ticket(
        self,
        tx: Tx,
        state: HallState,
        layout: Layout,
        codes: Sequence[str],
        bundle: str | None,
        priority: Priority | None,
        appointment_at: float | None,
        actor: str,
        contact: Contact | None,
        printer: str | None,
        station: str | None,
    ) -> Issued:
        """Write a new waiting ticket in ``tx`` (issuing's rules checked by the caller):
        its row, its event, its slip's print job at ``printer``."""
        objs = [self.catalog.matter_by_code[c] for c in codes]
        tclass = self.hall.ticket_class(objs, priority is not None, appointment_at is not None)
        token = secrets.token_urlsafe(16)
        allowed = tuple(layout.coverage.windows_for(set(codes)))
        if not allowed:
            raise NoWindowForAll(matters=[m.name for m in objs])
        seq = tickets.next_seq(tx.conn, state.day, tclass.prefix)
        new = Ticket(
            id=0,
            day=state.day,
            number=format_number(tclass.prefix, seq),
            status=Status.WAITING,
            items=tuple(Item(c) for c in codes),
            issued_at=tx.now,
            queue_key=appointment_at if appointment_at is not None else tx.now,
            priority=priority,
            appointment_at=appointment_at,
            bundle=bundle,
        )
        t = tickets.insert_ticket(
            tx, new, prefix=tclass.prefix, seq=seq, token=token, actor=actor, contact=contact
        )
        detail = {
            "matters": list(codes),
            "bundle": bundle,
            "priority": priority.value if priority else None,
            "class": tclass.prefix,
            "appointment_at": appointment_at,
        }
        events.append(tx, "issued", actor, t.day, ticket=t, detail=detail)
        if printer is not None:
            print_jobs.enqueue(tx, t, printer, station, first=True)
        return Issued(t, tclass.name, 0, allowed, None, token)

    # ------------------------------------------------------------- printing
    def printer_of(self, station: str | None) -> str | None:
        """The printer of a station of the hall file (None: no station, or no printer)."""
        found = self.hall.station_by_name.get(station) if station else None
        return found.printer if found is not None else None

    def reprint(
        self,
        number: str,
        printer: str,
        *,
        station: str | None = None,
        actor: str = "desk",
        once: Once | None = None,
    ) -> print_jobs.Job:
        """Queue another copy of today's ticket ``number``'s slip at ``printer``."""
        if printer not in self.hall.printers:
            known = ", ".join(self.hall.printers) or "-"
            raise NoSuchPrinter(printer=printer, known=known)

        def op(tx: Tx, state: HallState, layout: Layout) -> print_jobs.Job:
            t = tickets.load(tx.conn, tickets.find(tx.conn, state.day, number))[0]
            job = print_jobs.enqueue(tx, t, printer, station)
            detail = {"printer": printer, "copy_no": job.copy_no}
            events.append(tx, print_jobs.QUEUED, actor, t.day, ticket=t, detail=detail)
            return job

        return self._run(op, once)

    def printer_states(self) -> list[print_jobs.PrinterState]:
        """Each printer of the hall file as its worker last found it, with today's slips
        waiting."""
        with self._reading() as tx:
            return print_jobs.states(tx.conn, list(self.hall.printers), self.day_of(tx.now))

    # ------------------------------------------------------------- notices
    def outbox(self, state: str, limit: int = 50) -> list[notices.NoticeInfo]:
        """The notices in ``state``, the latest first (numbers masked)."""
        with self._reading() as tx:
            return notices.listing(tx.conn, state, limit)

    def notice_counts(self) -> notices.NoticeCounts:
        with self._reading() as tx:
            return notices.counts(tx.conn, self.day_of(tx.now))

    def retry_notice(
        self, notice: str, actor: str = "manager", once: Once | None = None
    ) -> notices.NoticeInfo:
        """Put dead letter ``notice`` back to be sent again (logged with who asked)."""

        def op(tx: Tx, state: HallState, layout: Layout) -> notices.NoticeInfo:
            found = notices.retry(tx, notice)
            detail = {"notice": notice, "kind": found.kind, "ref": found.ref}
            events.append(tx, "notice_retried", actor, state.day, detail=detail)
            return found

        return self._run(op, once)

    # -------------------------------------------------------------- dispatch
    def _matter_sets(self, matters: str | frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        key = matters if isinstance(matters, str) else " ".join(sorted(matters))
        hit = self._sets.get(key)
        if hit is None:
            codes = frozenset(key.split())
            hit = self._sets[key] = (codes, frozenset(self._domain_of[c] for c in codes))
        return hit

    def _candidate(self, r: Any) -> Candidate:
        """A waiting ticket as dispatch sees it, from a row of ``tickets.CANDIDATE_COLS``."""
        codes, domains = self._matter_sets(r.matters)
        return Candidate(
            id=r.id,
            matters=codes,
            queue_key=r.queue_key,
            priority=bool(r.is_priority),
            appointment_at=r.appointment_at,
            target_window=r.target_window,
            target_domain=r.target_domain,
            domains=domains,
            held_for=r.held_for,
        )

    def _claim_first(
        self, tx: Tx, dw: DispatchWindow, cands: list[Candidate], taken: set[int], **policy: Any
    ) -> Candidate | None:
        """What ``choose_next`` picks among ``cands``, locked for this transaction; a pick
        that another window holds or has just called is passed over."""
        while True:
            pool = [c for c in cands if c.id not in taken]
            choice = choose_next(dw, pool, tx.now, **policy)
            if choice is None or tickets.claimable(tx.conn, choice.id):
                return choice
            taken.add(choice.id)

    def _oldest_eligible(self, tx: Tx, dw: DispatchWindow, day: str) -> Candidate | None:
        """Walk the line class by class, a page at a time, until a ticket ``dw`` may serve
        (within a class the pages come in line order, so the first eligible ticket is the
        one ``choose_next`` picks over the whole line)."""
        taken: set[int] = set()
        for rank in range(3):
            offset, size = 0, FIRST_PAGE
            while True:
                rows = tickets.class_page(tx.conn, rank, day, tx.now, size, offset)
                choice = self._claim_first(tx, dw, list(map(self._candidate, rows)), taken)
                if choice is not None:
                    return choice
                if len(rows) < size:
                    break
                offset, size = offset + size, PAGE
        return None

    def call_next(
        self, window: int, actor: str = "clerk", once: Once | None = None
    ) -> Ticket | None:
        """Claim the next ticket this window may serve; None when there is none."""
        self.require_window(window)
        policy = self.hall.dispatch.policy
        aging = self.hall.dispatch.aging_minutes * 60.0

        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket | None:
            ws = windows.state(tx.conn, window, lock=True)
            wrules.require_can_call(ws)
            dw = layout.dispatch[window]
            held = tickets.held_for(tx.conn, state.day, window)
            if held is not None and tickets.claimable(tx.conn, held.id):
                choice: Candidate | None = self._candidate(held)  # back: before anything else
            elif oldest_first(policy, dw):  # no preference to weigh: walk the line in pages
                choice = self._oldest_eligible(tx, dw, state.day)
            else:
                open_windows = [layout.dispatch[n] for n in windows.open_numbers(tx.conn)]
                cands = [self._candidate(r) for r in tickets.line(tx.conn, state.day, tx.now)]
                choice = self._claim_first(
                    tx,
                    dw,
                    cands,
                    set(),
                    policy=policy,
                    open_windows=open_windows,
                    aging_seconds=aging,
                )
            if choice is None:
                return None
            t, version, contact = tickets.load_with_contact(tx.conn, choice.id)
            new = tickets.save(tx, t, version, rules.call(t, window, tx.now), actor)
            windows.put(tx.conn, WindowState(window, ws.status, ws.reason, new.id), tx.now)
            self._tell(tx, NoticeKind.CALLED, new, contact, window=window)
            notices.near_turn(tx, self.hall.notices, state.day, new.id, self.hall.hall.name)
            return new

        return self._run(op, once)

    # ---------------------------------------------------- the window's ticket
    def _at_window(
        self,
        window: int,
        actor: str,
        number: str | None,
        apply: Callable[[Ticket, Tx, Layout], rules.Change],
        release: bool,
        once: Once | None,
        tell: NoticeKind | None = None,
    ) -> Ticket:
        """Change the ticket at ``window``; ``tell``: the notice its citizen gets."""
        self.require_window(window)

        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket:
            ws = windows.state(tx.conn, window, lock=True)
            t, version, contact = tickets.load_with_contact(tx.conn, wrules.require_ticket(ws))
            if number is not None and t.number != number.strip().upper():
                raise WindowHoldsAnother(window=window, current=t.number, number=number)
            new = tickets.save(tx, t, version, apply(t, tx, layout), actor)
            if tell is NoticeKind.CALLED:
                self._tell(tx, tell, new, contact, window=window)
            elif tell is not None:
                self._tell(tx, tell, new, contact)
            if release:
                windows.put(tx.conn, WindowState(window, ws.status, ws.reason, None), tx.now)
            return new

        return self._run(op, once)

    def recall(
        self, window: int, actor: str = "clerk", number: str | None = None, once: Once | None = None
    ) -> Ticket:
        limit = self.hall.recall_limit
        return self._at_window(
            window,
            actor,
            number,
            lambda t, tx, _: rules.recall(t, window, tx.now, limit),
            False,
            once,
            NoticeKind.CALLED,
        )

    def start(
        self, window: int, actor: str = "clerk", number: str | None = None, once: Once | None = None
    ) -> Ticket:
        return self._at_window(
            window, actor, number, lambda t, tx, _: rules.start(t, window, tx.now), False, once
        )

    def finish(
        self,
        window: int,
        outcomes: Mapping[str, Outcome] | Outcome,
        actor: str = "clerk",
        number: str | None = None,
        once: Once | None = None,
    ) -> Ticket:
        """Finish the window's ticket: one outcome per matter, or one outcome for all."""

        def apply(t: Ticket, tx: Tx, _: Layout) -> rules.Change:
            given = (
                {m: outcomes for m in t.matters}
                if isinstance(outcomes, Outcome)
                else {self.resolve_matter(k): v for k, v in outcomes.items()}
            )
            return rules.finish(t, window, given, tx.now)

        return self._at_window(window, actor, number, apply, True, once)

    def transfer(
        self,
        window: int,
        *,
        to_window: int | None = None,
        to_domain: str | None = None,
        reason: str = "",
        actor: str = "clerk",
        number: str | None = None,
        once: Once | None = None,
    ) -> Ticket:
        """Back to the line for another window or domain, keeping its place."""
        if to_window is not None:
            self.require_window(to_window, "to_window")
        if to_domain is not None and to_domain not in self.catalog.domains:
            raise UnknownDomain(domain=to_domain)

        def apply(t: Ticket, tx: Tx, layout: Layout) -> rules.Change:
            change = rules.transfer(
                t, window, tx.now, to_window=to_window, to_domain=to_domain, reason=reason
            )
            c = tickets.as_candidate(change.ticket, self._matter_sets(t.matters)[1])
            if not any(eligible(c, dw) for dw in layout.dispatch.values()):
                if to_window is not None:
                    raise WindowCannotAccept(window=to_window, number=t.number)
                raise DomainCannotAccept(domain=to_domain or "", number=t.number)
            return change

        return self._at_window(window, actor, number, apply, True, once)

    def no_show(
        self, window: int, actor: str = "clerk", number: str | None = None, once: Once | None = None
    ) -> Ticket:
        return self._at_window(
            window,
            actor,
            number,
            lambda t, tx, _: rules.no_show(t, window, tx.now),
            True,
            once,
            NoticeKind.NO_SHOW,
        )

    def park(
        self,
        window: int,
        note: str = "",
        actor: str = "clerk",
        number: str | None = None,
        once: Once | None = None,
    ) -> Ticket:
        """补材料: the ticket being served waits while its citizen fetches a missing material;
        the window is free for the next one, the ticket keeps it."""
        return self._at_window(
            window,
            actor,
            number,
            lambda t, tx, _: rules.park(t, window, tx.now, note),
            True,
            once,
        )

    def unpark(
        self,
        number: str,
        actor: str = "desk",
        window: int | None = None,
        once: Once | None = None,
    ) -> Ticket:
        """The citizen is back with the material: the ticket waits again, held for the
        window it was parked at, which calls it before anything else; if that window is
        closed, in the line at its old place. ``window``: un-parked by that window's clerk
        (it must be the ticket's)."""
        if window is not None:
            self.require_window(window)

        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket:
            t, version = tickets.load(tx.conn, tickets.find(tx.conn, state.day, number))
            at = t.window if t.window is not None else 0
            hold = at in self.hall.window_by_number and (
                windows.state(tx.conn, at).status is not WindowStatus.CLOSED
            )
            return tickets.save(
                tx, t, version, rules.unpark(t, tx.now, window=window, hold=hold), actor
            )

        return self._run(op, once)

    def parked(self, day: str | None = None) -> list[Ticket]:
        """The tickets parked now (补材料), the longest parked first."""
        with self._reading() as tx:
            return tickets.parked(tx.conn, day or self.day_of(tx.now))

    # ------------------------------------------------------ desk operations
    def _by_number(
        self,
        number: str,
        actor: str,
        apply: Callable[[Ticket, float], rules.Change],
        once: Once | None,
    ) -> Ticket:
        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket:
            t, version = tickets.load(tx.conn, tickets.find(tx.conn, state.day, number))
            return tickets.save(tx, t, version, apply(t, tx.now), actor)

        return self._run(op, once)

    def rate(
        self,
        window: int,
        number: str,
        level: int,
        actor: str = "rater",
        once: Once | None = None,
        *,
        reasons: Collection[str] = (),
        channel: Channel = Channel.DEVICE,
    ) -> Ticket:
        """A 好差评 (1 to 5, the two lowest with their ``reasons``) of the visit finished at
        ``window`` today: by the citizen at the window's 评价器 (``Channel.DEVICE``: only
        the visit finished there last), or entered by staff on the citizen's word
        (``Channel.STAFF``, 代评: only at a window without a 评价器). Once per visit, by any
        channel; a poor one (1, 2) opens its case (``domain.cases``)."""
        self.require_window(window)
        if channel is Channel.STATUS:
            raise ValueError("the status page rates by the ticket's token: rate_by_token")
        if channel is Channel.STAFF and window in self.hall.rater_windows:
            raise RaterHere(window=window)

        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket:
            t = self._rated_one(tx, tickets.find(tx.conn, state.day, number))

            def just_finished() -> None:
                if t.id != self._last_finished(tx, state.day, window):
                    raise NotTheVisitJustFinished(window=window, number=number)

            latest = just_finished if channel is Channel.DEVICE else None
            return self._rating(tx, t, window, level, reasons, actor, channel, latest)

        return self._run(op, once)

    def rate_by_token(
        self, token: str, level: int, reasons: Collection[str] = (), once: Once | None = None
    ) -> Ticket:
        """The citizen's 好差评 on the status page, by its ticket's token, after the visit
        (today's ticket only); once per visit, by any channel."""

        def op(tx: Tx, state: HallState, layout: Layout) -> Ticket:
            found = tickets.by_token(tx.conn, token)
            if found is None or found.day != state.day:
                raise UnknownSlip()
            t = self._rated_one(tx, found.id)
            return self._rating(tx, t, None, level, reasons, "citizen", Channel.STATUS)

        return self._run(op, once)

    def _rated_one(self, tx: Tx, tid: int) -> Ticket:
        """Ticket ``tid``, its row locked: one rating per ticket, two at once take turns
        (PostgreSQL; SQLite's writers take turns anyway)."""
        tx.conn.execute(
            select(ticket_t.c.id)
            .where(ticket_t.c.hall == tx.hall, ticket_t.c.id == tid)
            .with_for_update()
        )
        t, _ = tickets.load(tx.conn, tid)
        return t

    def _last_finished(self, tx: Tx, day: str, window: int) -> int | None:
        """The id of the ticket finished last at ``window`` on ``day``."""
        T = ticket_t.c
        return tx.conn.execute(
            select(T.id)
            .where(
                T.hall == tx.hall,
                T.day == day,
                T.status == Status.DONE.value,
                T.window == window,
            )
            .order_by(T.finished_at.desc(), T.id.desc())
            .limit(1)
        ).scalar()

    def _rating(
        self,
        tx: Tx,
        t: Ticket,
        window: int | None,
        level: int,
        reasons: Collection[str],
        actor: str,
        channel: Channel,
        also: Callable[[], None] | None = None,
    ) -> Ticket:
        """Log ticket ``t``'s rating (``window``: where it was given, None on the status
        page) and open the case of a poor one; ``also``: a further check, after the rules'."""
        rated = self.rating_of_ticket(tx, t.id)
        picked = check_rating(t, window, level, rated is not None, reasons)
        if also is not None:
            also()
        detail = {"level": level, "channel": channel.value, "reasons": list(picked)}
        events.append(tx, "rated", actor, t.day, ticket=t, window=t.window, detail=detail)
        if opens_case(level):  # 不满意, 非常不满意: a 好差评 case, with the rating
            deadlines, weekdays = self.hall.ratings, self.hall.hours.weekdays
            assert t.window is not None  # a finished ticket's
            cases.open_for(
                tx, t, t.window, level, actor, deadlines, weekdays, channel.value, picked
            )
        return t

    @staticmethod
    def rating_of_ticket(tx: Tx, ticket_id: int) -> GivenRating | None:
        """The rating given to a ticket, if any."""
        E = event_t.c
        row = tx.conn.execute(
            select(E.detail, E.actor).where(
                E.hall == tx.hall, E.ticket_id == ticket_id, E.kind == "rated"
            )
        ).first()
        return None if row is None else GivenRating.of_detail(json.loads(row.detail), row.actor)

    def rating(self, ticket_id: int) -> GivenRating | None:
        """The rating given to ticket ``ticket_id``, if any."""
        with self._reading() as tx:
            return self.rating_of_ticket(tx, ticket_id)

    def rater_visit(self, window: int) -> tuple[Ticket, GivenRating | None] | None:
        """The visit a 评价器 at ``window`` may rate now (finished there last, today), and
        its rating if it has one."""
        self.require_window(window)
        with self._reading() as tx:
            tid = self._last_finished(tx, self.day_of(tx.now), window)
            if tid is None:
                return None
            t, _ = tickets.load(tx.conn, tid)
            return t, self.rating_of_ticket(tx, tid)

    def cancel(
        self, number: str, actor: str = "desk", reason: str = "", once: Once | None = None
    ) -> Ticket:
        return self._by_number(number, actor, lambda t, now: rules.cancel(t, now, reason), once)

    def requeue(self, number: str, actor: str = "desk", once: Once | None = None) -> Ticket:
        return self._by_number(number, actor, lambda t, now: rules.requeue(t, now), once)

    # ------------------------------------------------------------- windows
    def _window_op(
        self,
        number: int,
        actor: str,
        kind: str,
        apply: Callable[[WindowState], WindowState],
        once: Once | None,
    ) -> WindowState:
        self.require_window(number)

        def op(tx: Tx, state: HallState, layout: Layout) -> WindowState:
            ws = windows.state(tx.conn, number, lock=True)
            new = apply(ws)
            windows.put(tx.conn, new, tx.now)
            detail = {"from": ws.status.value, "to": new.status.value, "reason": new.reason}
            events.append(tx, kind, actor, state.day, window=number, detail=detail)
            if new.status is WindowStatus.CLOSED:  # no one calls here: held tickets go back
                tickets.release_holds(tx, [number], actor)
            return new

        return self._run(op, once)

    def open_window(
        self, number: int, actor: str = "manager", once: Once | None = None
    ) -> WindowState:
        return self._window_op(number, actor, "window_opened", wrules.open_window, once)

    def close_window(
        self, number: int, actor: str = "manager", once: Once | None = None
    ) -> WindowState:
        return self._window_op(number, actor, "window_closed", wrules.close_window, once)

    def pause(
        self, number: int, reason: str, actor: str = "clerk", once: Once | None = None
    ) -> WindowState:
        return self._window_op(
            number, actor, "window_paused", lambda w: wrules.pause(w, reason), once
        )

    def resume(self, number: int, actor: str = "clerk", once: Once | None = None) -> WindowState:
        return self._window_op(number, actor, "window_resumed", wrules.resume, once)

    # ------------------------------------------ the hall in effect (managers' changes)
    def set_profile(
        self,
        number: int,
        profile: WindowProfile | None,
        actor: str = "manager",
        once: Once | None = None,
    ) -> WindowProfile:
        """Change what window ``number`` serves (None: back to the layout file's profile).

        Refused when the profile names what the catalog lacks, or when a waiting ticket
        would be left with no window that may serve it. Returns the profile in effect.
        """
        self.require_window(number)
        if profile is not None:
            require_valid(profile, self.catalog)

        def op(tx: Tx, state: HallState, layout: Layout) -> WindowProfile:
            after = self.layouts.with_change(tx.conn, number, profile)
            waiting = [self._candidate(r) for r in tickets.line(tx.conn, state.day, tx.now)]
            lost = stranded(waiting, after.dispatch.values())
            if lost:
                found = tickets.many(tx.conn, [c.id for c in lost])
                refuse_stranding(
                    [found[c.id].number for c in sorted(lost, key=lambda c: c.id)], number
                )
            serving = WindowProfile.of(after.hall.window_by_number[number])
            restored = number not in after.changed
            settings.put_profile(
                tx.conn, number, None if restored else serving.model_dump_json(), tx.now, actor
            )
            settings.bump(tx.conn)
            detail = {"restored": restored, **serving.model_dump(mode="json")}
            events.append(tx, "window_profiled", actor, state.day, window=number, detail=detail)
            return serving

        return self._run(op, once)

    def set_notice(
        self, text: str | None, actor: str = "manager", once: Once | None = None
    ) -> settings.Notice | None:
        """Set the notice line of the hall's boards (None or blank: clear it)."""
        cleaned = clean_notice(text)

        def op(tx: Tx, state: HallState, layout: Layout) -> settings.Notice | None:
            settings.put_notice(tx.conn, cleaned, tx.now, actor)
            events.append(tx, "notice_set", actor, state.day, detail={"cleared": not cleaned})
            return settings.Notice(cleaned, tx.now, actor) if cleaned else None

        return self._run(op, once)

    def set_targets(
        self, targets: Targets | None, actor: str = "manager", once: Once | None = None
    ) -> Targets:
        """Set the hall's wait and service targets (None: back to the layout file's)."""

        def op(tx: Tx, state: HallState, layout: Layout) -> Targets:
            chosen = targets or self.hall.targets
            value = chosen.model_dump_json() if chosen != self.hall.targets else None
            settings.put_targets(tx.conn, value, tx.now, actor)
            settings.bump(tx.conn)
            events.append(
                tx, "targets_set", actor, state.day, detail=chosen.model_dump(mode="json")
            )
            return chosen

        return self._run(op, once)
