"""The hall's atomic operations over a SQLModel database.

Every operation is one short write transaction: read what it needs, let the pure rules of
``queue_app.domain`` decide, write the change with a compare-and-set on the row's version,
and append an event. On SQLite the transaction takes the write lock at BEGIN; on PostgreSQL
the window row is locked and candidate tickets are read ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from queue_app.domain import ticket as rules
from queue_app.domain import window_state as wrules
from queue_app.domain.catalog import Catalog
from queue_app.domain.dispatch import (
    Candidate,
    DispatchWindow,
    choose_next,
    class_rank,
    eligible,
    oldest_first,
)
from queue_app.domain.errors import Refused
from queue_app.domain.figures import WAITING_STEP, DomainWait, queue_series, waits_by_domain
from queue_app.domain.hall import Hall, Targets
from queue_app.domain.numbering import format_number
from queue_app.domain.profiles import (
    WindowProfile,
    in_effect,
    refuse_stranding,
    require_valid,
    stranded,
)
from queue_app.domain.rating import check_rating
from queue_app.domain.staffing_now import HourNeed, hourly_needs, p90_with
from queue_app.domain.ticket import Item, Outcome, Priority, Status, Ticket
from queue_app.domain.window_state import WindowState, WindowStatus, WindowView
from queue_app.store import schema
from queue_app.store import statements as q
from queue_app.store.engine import WRITE, make_engine
from queue_app.store.estimates import LearnedMinutes, estimated_wait
from queue_app.store.layout import TARGETS, Layouts
from queue_app.store.tables import (
    counter_t,
    day_t,
    event_t,
    profile_t,
    setting_t,
    ticket_t,
    window_t,
)

FIRST_PAGE, PAGE = 8, 64  # candidates read per round ("oldest eligible first")
WAITING = Status.WAITING.value
CANDIDATE_CACHE = 20_000  # candidates kept for rows read again (a long line, read per slip)


class Conflict(Exception):
    """A compare-and-set lost to a concurrent writer; the operation is retried."""


@dataclass(frozen=True, slots=True)
class Issued:
    """A new ticket with what the slip shows."""

    ticket: Ticket
    class_name: str
    ahead: int
    windows: tuple[int, ...]  # windows of this hall that may serve it
    estimated_wait_minutes: float | None
    token: str


@dataclass(frozen=True, slots=True)
class WindowInfo:
    number: int
    name: str
    kind: str
    status: WindowStatus
    view: WindowView
    reason: str
    ticket: Ticket | None
    updated_at: float
    changed: bool = False  # serves otherwise than the layout file says (a manager's change)


@dataclass(frozen=True, slots=True)
class WindowFigures:
    """One window's day so far."""

    window: int
    served: int  # tickets finished here
    bundles: int  # of them, 一件事 bundles served in one visit
    mean_handling_s: float | None  # start → finish
    busy_s: float  # call → finish, and the current ticket so far
    open_s: float  # time open since the day's first opening (paused time excluded)
    ratings: int
    mean_rating: float | None


@dataclass(frozen=True, slots=True)
class StaffingNow:
    day: str
    target_minutes: float  # the p90 wait to stay within (the hall's wait target)
    hold_minutes: float  # learned minutes a ticket holds a window, over today's tickets
    open_windows: int
    hours: list[HourNeed]  # the day's hours so far
    p90_now: float  # Erlang C p90 of the latest hour's load on the windows open now (inf:
    # they cannot keep up)


@dataclass(frozen=True, slots=True)
class EventInfo:
    id: int
    at: float
    day: str
    kind: str
    ticket_number: str | None
    window: int | None
    actor: str
    detail: dict[str, Any]


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
    ) -> None:
        self.engine = (
            make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        )
        self.sqlite = self.engine.dialect.name == "sqlite"
        self.catalog = catalog
        self.hall = hall
        self.clock = clock
        self.layouts = Layouts(hall, catalog)
        self.learned = LearnedMinutes(catalog)
        lunch = hall.hours.lunch
        self._lunch_duty = frozenset(lunch.on_duty if lunch else ())  # 午间不打烊
        self._domain_of = {m.code: m.domain for m in catalog.matters}
        self._sets: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._cands: dict[tuple[Any, ...], Candidate] = {}  # waiting rows seen before
        self._local = threading.local()  # .log: see logging_to
        if create:
            self.create_schema()

    # ------------------------------------------------------------------ set-up
    def create_schema(self) -> None:
        """Upgrade the database to this code's schema revision (creating it when empty) and
        add a row for every window of the hall (closed)."""
        schema.upgrade(self.engine)
        with self._write() as conn:
            known = set(conn.execute(select(window_t.c.number)).scalars())
            new = [
                {
                    "number": w.number,
                    "status": WindowStatus.CLOSED.value,
                    "reason": "",
                    "current_ticket": None,
                    "updated_at": self.clock(),
                }
                for w in self.hall.windows
                if w.number not in known
            ]
            if new:
                conn.execute(insert(window_t), new)

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        log: list[EventInfo] | None = getattr(self._local, "log", None)
        mark = len(log) if log is not None else 0
        try:
            with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
                yield conn
        except BaseException:
            if log is not None:
                del log[mark:]  # rolled back: those events were never logged
            raise

    @contextmanager
    def logging_to(self, log: list[EventInfo]) -> Iterator[list[EventInfo]]:
        """Append to ``log`` every event this thread's changes commit while inside."""
        self._local.log = log
        try:
            yield log
        finally:
            self._local.log = None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _retrying(self, op: Callable[[Connection], Any], attempts: int = 8) -> Any:
        """Run ``op`` in a write transaction; retry a lost compare-and-set (or, on
        PostgreSQL, a serialization failure or deadlock)."""
        for attempt in range(attempts):
            try:
                with self._write() as conn:
                    return op(conn)
            except Conflict:
                if attempt == attempts - 1:
                    raise
            except OperationalError:
                if self.sqlite or attempt == attempts - 1:
                    raise
            time.sleep(0.001 * (attempt + 1))
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------- time
    def day_of(self, now: float) -> str:
        return self.hall.business_day(dt.datetime.fromtimestamp(now, tz=dt.UTC)).isoformat()

    def today(self) -> str:
        return self.day_of(self.clock())

    # ----------------------------------------------------------------- reading
    @staticmethod
    def _ticket_from(row: Any, items: Sequence[Any]) -> Ticket:
        return Ticket(
            id=row.id,
            day=row.day,
            number=row.number,
            status=Status(row.status),
            items=tuple(Item(i.matter, Outcome(i.outcome) if i.outcome else None) for i in items),
            issued_at=row.issued_at,
            queue_key=row.queue_key,
            priority=Priority(row.priority) if row.priority else None,
            appointment_at=row.appointment_at,
            bundle=row.bundle,
            window=row.window,
            target_window=row.target_window,
            target_domain=row.target_domain,
            recalls=row.recalls,
            called_at=row.called_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )

    def _load(self, conn: Connection, ticket_id: int) -> tuple[Ticket, int]:
        row = q.TICKET(conn, id=ticket_id).one_or_none()
        if row is None:
            raise Refused(
                "no_such_ticket",
                f"没有编号为 {ticket_id} 的号",
                f"no ticket with id {ticket_id}",
                "ticket",
            )
        return self._ticket_from(row, q.ITEMS(conn, id=ticket_id).all()), row.version

    def _find(self, conn: Connection, number: str, day: str | None) -> int:
        day = day or self.day_of(self.clock())
        tid = q.FIND(conn, day=day, number=number.strip().upper()).scalar()
        if tid is None:
            raise Refused(
                "no_such_ticket",
                f"{day} 没有 {number} 号",
                f"no ticket {number} on {day}",
                "ticket",
            )
        return int(tid)

    def ticket(self, number: str, day: str | None = None) -> Ticket:
        """A ticket by its number (today's unless ``day`` is given)."""
        with self._read() as conn:
            return self._load(conn, self._find(conn, number, day))[0]

    def ticket_by_id(self, ticket_id: int) -> Ticket:
        with self._read() as conn:
            return self._load(conn, ticket_id)[0]

    def ticket_by_token(self, token: str) -> Ticket | None:
        with self._read() as conn:
            tid = q.BY_TOKEN(conn, token=token).scalar()
            return self._load(conn, int(tid))[0] if tid is not None else None

    def require_window(self, number: int, field: str = "window") -> None:
        """Refuse a window number this hall does not have."""
        if number not in self.hall.window_by_number:
            raise Refused(
                "no_such_window",
                f"本大厅没有 {number} 号窗口",
                f"this hall has no window {number}",
                field,
            )

    def _window_state(self, conn: Connection, number: int, *, lock: bool = False) -> WindowState:
        self.require_window(number)
        stmt = q.WINDOW_LOCKED if lock and not self.sqlite else q.WINDOW
        row = stmt(conn, number=number).one()
        return WindowState(row.number, WindowStatus(row.status), row.reason, row.current_ticket)

    def windows(self) -> list[WindowInfo]:
        """Every window with its state and current ticket."""
        with self._read() as conn:
            layout = self.layouts.current(conn)
            rows = {r.number: r for r in conn.execute(select(window_t)).all()}
            out = []
            for w in layout.hall.windows:
                r = rows[w.number]
                t = self._load(conn, r.current_ticket)[0] if r.current_ticket else None
                status = WindowStatus(r.status)
                out.append(
                    WindowInfo(
                        w.number,
                        w.name,
                        w.kind.value,
                        status,
                        _view(status, t),
                        r.reason,
                        t,
                        r.updated_at,
                        w.number in layout.changed,
                    )
                )
            return out

    def waiting(
        self, window: int | None = None, domain: str | None = None, day: str | None = None
    ) -> list[Ticket]:
        """Waiting tickets in dispatch order; only those ``window`` may serve, if given."""
        now = self.clock()
        day = day or self.day_of(now)
        with self._read() as conn:
            rows = q.CANDIDATES_READ(conn, day=day, now=now, waiting=WAITING).all()
            cands = [self._candidate(r) for r in rows]
            if window is not None:
                self._window_state(conn, window)
                dw = self.layouts.current(conn).dispatch[window]
                cands = [c for c in cands if eligible(c, dw)]
            if domain is not None:
                cands = [c for c in cands if domain in c.domains]
            return [self._load(conn, c.id)[0] for c in cands]

    def events(
        self, *, day: str | None = None, ticket: str | None = None, limit: int = 1000
    ) -> list[EventInfo]:
        """The event log, oldest first."""
        day = day or self.today()
        stmt = select(event_t).where(event_t.c.day == day)
        if ticket is not None:
            stmt = stmt.where(event_t.c.ticket_number == ticket.strip().upper())
        return self._event_rows(stmt.order_by(event_t.c.id).limit(limit))

    def last_event_id(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.max(event_t.c.id))).scalar() or 0)

    def events_after(self, event_id: int, limit: int = 1000) -> list[EventInfo]:
        """Events logged after ``event_id`` (by any process), oldest first."""
        return self._event_rows(
            select(event_t).where(event_t.c.id > event_id).order_by(event_t.c.id).limit(limit)
        )

    def _event_rows(self, stmt: Any) -> list[EventInfo]:
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [
            EventInfo(
                r.id, r.at, r.day, r.kind, r.ticket_number, r.window, r.actor, json.loads(r.detail)
            )
            for r in rows
        ]

    def day_closed(self, day: str) -> bool:
        with self._read() as conn:
            return self._is_closed(conn, day)

    @staticmethod
    def _is_closed(conn: Connection, day: str) -> bool:
        return q.DAY_CLOSED(conn, day=day).scalar() is not None

    def counts(self, day: str | None = None) -> dict[str, int]:
        """Tickets of ``day`` by status."""
        day = day or self.today()
        with self._read() as conn:
            rows = conn.execute(
                select(ticket_t.c.status, func.count())
                .where(ticket_t.c.day == day)
                .group_by(ticket_t.c.status)
            ).all()
        out = {s.value: 0 for s in Status}
        out.update({r[0]: int(r[1]) for r in rows})
        return out

    def window_figures(self, day: str | None = None) -> list[WindowFigures]:
        """Every window's served count, handling and busy time, time open and ratings."""
        day = day or self.today()
        now = self.clock()
        t = ticket_t.c
        with self._read() as conn:
            done = {
                r.window: r for r in q.DONE_BY_WINDOW(conn, day=day, done=Status.DONE.value).all()
            }
            current = {
                r.window: now - (r.called_at or now)
                for r in conn.execute(
                    select(t.window, t.called_at).where(
                        t.day == day,
                        t.status.in_((Status.CALLED.value, Status.SERVING.value)),
                        t.window.is_not(None),
                    )
                )
            }
            changes = conn.execute(
                select(event_t.c.window, event_t.c.kind, event_t.c.at, event_t.c.detail)
                .where(
                    event_t.c.day == day,
                    event_t.c.kind.in_(
                        (
                            "window_opened",
                            "window_closed",
                            "window_paused",
                            "window_resumed",
                            "rated",
                        )
                    ),
                )
                .order_by(event_t.c.id)
            ).all()
        open_s: dict[int, float] = {}
        since: dict[int, float] = {}
        ratings: dict[int, list[int]] = {}
        for w, kind, at, detail in changes:
            if kind == "rated":
                ratings.setdefault(w, []).append(int(json.loads(detail)["level"]))
            elif kind in ("window_opened", "window_resumed"):
                since.setdefault(w, at)
            elif w in since:  # closed or paused
                open_s[w] = open_s.get(w, 0.0) + at - since.pop(w)
        for w, at in since.items():
            open_s[w] = open_s.get(w, 0.0) + now - at
        out = []
        for w in self.hall.windows:
            r = done.get(w.number)
            rs = ratings.get(w.number, [])
            out.append(
                WindowFigures(
                    window=w.number,
                    served=int(r.served) if r else 0,
                    bundles=int(r.bundles) if r else 0,
                    mean_handling_s=float(r.handling) if r and r.handling is not None else None,
                    busy_s=(float(r.busy or 0) if r else 0.0) + current.get(w.number, 0.0),
                    open_s=open_s.get(w.number, 0.0),
                    ratings=len(rs),
                    mean_rating=sum(rs) / len(rs) if rs else None,
                )
            )
        return out

    def domain_waits(self, day: str | None = None) -> list[DomainWait]:
        """Each domain's mean wait today: from issue to first call, over the tickets called
        so far (a transferred ticket's second wait is not a citizen's wait at the door)."""
        day = day or self.today()
        first_call = (
            select(event_t.c.ticket_id, func.min(event_t.c.at).label("at"))
            .where(event_t.c.day == day, event_t.c.kind == "called")
            .group_by(event_t.c.ticket_id)
            .subquery()
        )
        with self._read() as conn:
            rows = conn.execute(
                select(first_call.c.at - ticket_t.c.issued_at, ticket_t.c.matters).join(
                    first_call, first_call.c.ticket_id == ticket_t.c.id
                )
            ).all()
        domain = {m.code: m.domain for m in self.catalog.matters}
        return waits_by_domain(
            (float(waited), (domain.get(c, "?") for c in matters.split()))
            for waited, matters in rows
        )

    def queue_over_day(
        self, day: str | None = None, bucket_s: float = 600.0
    ) -> tuple[float, list[int]]:
        """The waiting line's length every ``bucket_s`` since the day's first ticket (the
        start instant, and the lengths), replayed from the event log."""
        day = day or self.today()
        with self._read() as conn:
            changes = [
                (float(at), str(kind))
                for at, kind in conn.execute(
                    select(event_t.c.at, event_t.c.kind)
                    .where(event_t.c.day == day, event_t.c.kind.in_(tuple(WAITING_STEP)))
                    .order_by(event_t.c.id)
                )
            ]
        if not changes:
            return self.clock(), []
        start = changes[0][0] - changes[0][0] % bucket_s
        return start, queue_series(changes, start, max(self.clock(), start + 1), bucket_s)

    def staffing(self) -> StaffingNow:
        """Windows needed this day hour by hour (Erlang C on the arrivals so far and the
        learned minutes a ticket holds a window, for a p90 wait within the wait target),
        and the windows open now."""
        now = self.clock()
        day = self.day_of(now)
        with self._read() as conn:
            model = self.learned.update(conn, day)
            rows = conn.execute(
                select(ticket_t.c.issued_at, ticket_t.c.matters).where(ticket_t.c.day == day)
            ).all()
            open_now = len(list(q.OPEN_WINDOWS(conn, open=WindowStatus.OPEN.value).scalars()))
            target = self.layouts.targets(conn).wait_minutes
        kinds = Counter(r.matters for r in rows)
        hold = (
            sum(model.minutes(self._matter_sets(m)[0]) * n for m, n in kinds.items()) / len(rows)
            if rows
            else statistics.fmean(m.minutes for m in self.catalog.matters)
        )
        midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), self.hall.zone)
        starts = [(midnight + dt.timedelta(hours=h)).timestamp() for h in range(24)]
        hours = hourly_needs([r.issued_at for r in rows], starts, now, hold, target)
        while hours and hours[0].arrivals == 0:  # before the first ticket of the day
            hours.pop(0)
        load = hours[-1].load if hours else 0.0  # the latest hour seen long enough
        return StaffingNow(day, target, hold, open_now, hours, p90_with(open_now, load, hold))

    # ---------------------------------------------------------------- writing
    def _event(
        self,
        conn: Connection,
        now: float,
        kind: str,
        actor: str,
        *,
        ticket: Ticket | None = None,
        window: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        day = ticket.day if ticket else self.day_of(now)
        number = ticket.number if ticket else None
        event_id = q.INSERT_EVENT(
            conn,
            v_at=now,
            v_day=day,
            v_kind=kind,
            v_ticket_id=ticket.id if ticket else None,
            v_ticket_number=number,
            v_window=window,
            v_actor=actor,
            v_detail=json.dumps(dict(detail or {}), ensure_ascii=False, default=str),
        ).scalar_one()
        log: list[EventInfo] | None = getattr(self._local, "log", None)
        if log is not None:
            log.append(
                EventInfo(event_id, now, day, kind, number, window, actor, dict(detail or {}))
            )

    def _save(
        self, conn: Connection, old: Ticket, version: int, change: rules.Change, actor: str
    ) -> Ticket:
        """Write a transition with a compare-and-set on the row's version, and its event."""
        new = change.ticket
        res = q.UPDATE_TICKET(
            conn,
            tid=old.id,
            old_version=version,
            v_status=new.status.value,
            v_version=version + 1,
            **{f"v_{f}": getattr(new, f) for f in q.TICKET_MUTABLE},
        )
        if res.rowcount != 1:
            raise Conflict(old.number)
        for pos, (a, b) in enumerate(zip(old.items, new.items, strict=True)):
            if a.outcome != b.outcome:
                q.UPDATE_ITEM(
                    conn, tid=old.id, pos=pos, v_outcome=b.outcome.value if b.outcome else None
                )
        self._event(
            conn,
            self.clock(),
            change.event,
            actor,
            ticket=new,
            window=change.detail.get("window"),
            detail=change.detail,
        )
        return new

    @staticmethod
    def _set_window(conn: Connection, new: WindowState, now: float) -> None:
        q.UPDATE_WINDOW(
            conn,
            number=new.number,
            v_status=new.status.value,
            v_reason=new.reason,
            v_current=new.current_ticket,
            v_at=now,
        )

    # ------------------------------------------------------------------ issue
    def resolve_matter(self, ref: str) -> str:
        """A matter code from its full code or a unique prefix of it."""
        ref = ref.strip()
        if ref in self.catalog.matter_by_code:
            return ref
        hits = [c for c in self.catalog.matter_by_code if c.startswith(ref)] if ref else []
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise Refused(
                "unknown_matter",
                f"目录中没有编码为 {ref!r} 的事项",
                f"no matter with code {ref!r} in the catalog",
                "matters",
            )
        raise Refused(
            "ambiguous_matter",
            f"编码 {ref!r} 对应多个事项，请写完整",
            f"code {ref!r} matches {len(hits)} matters; give more of it",
            "matters",
        )

    def _resolve(self, matters: Sequence[str], bundle: str | None) -> tuple[list[str], str | None]:
        codes: list[str] = []
        if bundle is not None:
            b = self.catalog.bundle_by_code.get(bundle.strip().upper())
            if b is None:
                raise Refused(
                    "unknown_bundle",
                    f"没有编码为 {bundle!r} 的一件事套餐",
                    f"no bundle with code {bundle!r}",
                    "bundle",
                )
            codes.extend(b.matters)
            bundle = b.code
        for ref in matters:
            code = self.resolve_matter(ref)
            if code in codes:
                raise Refused(
                    "duplicate_matter",
                    f"事项 {code} 重复",
                    f"matter {code} is listed twice",
                    "matters",
                )
            codes.append(code)
        if not codes:
            raise Refused(
                "no_matters",
                "请至少选择一个事项或一件事套餐",
                "a ticket needs at least one matter or a bundle",
                "matters",
            )
        return codes, bundle

    def issue(
        self,
        matters: Sequence[str] = (),
        *,
        bundle: str | None = None,
        priority: Priority | None = None,
        appointment_at: float | None = None,
        actor: str = "desk",
        slip: bool = True,
    ) -> Issued:
        """Issue a ticket for some matters and/or a bundle, with an optional priority class.
        ``slip=False`` leaves the people ahead and the wait to ``with_slip`` (reads that may
        run apart from the write)."""
        codes, bundle = self._resolve(matters, bundle)
        objs = [self.catalog.matter_by_code[c] for c in codes]
        tclass = self.hall.ticket_class(objs, priority is not None, appointment_at is not None)

        token = secrets.token_urlsafe(16)

        def op(conn: Connection) -> tuple[Ticket, tuple[int, ...]]:
            now = self.clock()
            day = self.day_of(now)
            eligible_windows = tuple(self.layouts.current(conn).coverage.windows_for(set(codes)))
            if not eligible_windows:
                names = "、".join(m.name for m in objs)
                raise Refused(
                    "no_window",
                    f"本大厅没有窗口能一次受理：{names}",
                    "no window of this hall accepts all of these matters together",
                    "matters",
                )
            if self._is_closed(conn, day):
                raise Refused(
                    "day_closed",
                    f"{day} 已日终关闭，不能再取号",
                    f"business day {day} is closed; no more tickets",
                    "day",
                )
            seq = self._next_seq(conn, day, tclass.prefix)
            number = format_number(tclass.prefix, seq)
            queue_key = appointment_at if appointment_at is not None else now
            tid = q.INSERT_TICKET(
                conn,
                v_day=day,
                v_number=number,
                v_prefix=tclass.prefix,
                v_seq=seq,
                v_status=WAITING,
                v_priority=priority.value if priority else None,
                v_is_priority=priority is not None,
                v_channel="appointment" if appointment_at is not None else "walk_in",
                v_appointment_at=appointment_at,
                v_queue_key=queue_key,
                v_issued_at=now,
                v_bundle=bundle,
                v_matters=" ".join(codes),
                v_token=token,
                v_issued_by=actor,
            ).scalar_one()
            q.INSERT_ITEM.many(
                conn, [{"v_tid": tid, "v_pos": i, "v_matter": c} for i, c in enumerate(codes)]
            )
            t = Ticket(
                id=tid,
                day=day,
                number=number,
                status=Status.WAITING,
                items=tuple(Item(c) for c in codes),
                issued_at=now,
                queue_key=queue_key,
                priority=priority,
                appointment_at=appointment_at,
                bundle=bundle,
            )
            self._event(
                conn,
                now,
                "issued",
                actor,
                ticket=t,
                detail={
                    "matters": codes,
                    "bundle": bundle,
                    "priority": priority.value if priority else None,
                    "class": tclass.prefix,
                },
            )
            return t, eligible_windows

        t, eligible_windows = self._retrying(op)
        issued = Issued(t, tclass.name, 0, eligible_windows, None, token)
        return self.with_slip(issued) if slip else issued

    def with_slip(self, issued: Issued) -> Issued:
        """``issued`` with what its slip shows: the people ahead and the estimated wait."""
        t = issued.ticket
        return replace(issued, ahead=self.ahead(t), estimated_wait_minutes=self.estimated_wait(t))

    def _next_seq(self, conn: Connection, day: str, prefix: str) -> int:
        """The daily counter: an atomic increment of its row (or a compare-and-set where
        UPDATE ... RETURNING is missing), never max()+1."""
        create = q.COUNTER_CREATE.get(conn.dialect.name)
        bump = conn.dialect.update_returning
        for _ in range(100):
            if bump:
                value = q.COUNTER_BUMP(conn, day=day, prefix=prefix).scalar()
                if value is not None:
                    return int(value)
            else:
                value = q.COUNTER(conn, day=day, prefix=prefix).scalar()
            if value is None:
                if create is not None:
                    create(conn, day=day, prefix=prefix)
                else:  # another database: insert in a savepoint; a twin insert just loses
                    try:
                        with conn.begin_nested():
                            conn.execute(insert(counter_t).values(day=day, prefix=prefix, value=0))
                    except IntegrityError:
                        pass
                continue
            if q.COUNTER_CAS(conn, day=day, prefix=prefix, old=value, new=value + 1).rowcount == 1:
                return int(value) + 1
        raise Conflict(f"counter {day}/{prefix}")

    def ahead(self, t: Ticket) -> int:
        """For a waiting ticket: the people before it in line who compete for the windows
        that may serve it."""
        now = self.clock()
        me = self._as_candidate(t)
        ahead = 0
        with self._read() as conn:
            layout = self.layouts.current(conn)
            mine = [layout.dispatch[n] for n in layout.coverage.windows_for(t.matters)]
            groups = q.WAITING_GROUPS(
                conn,
                day=t.day,
                waiting=WAITING,
                now=now,
                my_rank=class_rank(me, now),
                my_key=t.queue_key,
                my_id=t.id,
            ).all()
        for g in groups:
            if g.ahead and any(eligible(self._candidate(g, grouped=True), w) for w in mine):
                ahead += g.n
        return ahead

    def estimated_wait(self, t: Ticket) -> float | None:
        """Minutes until waiting ticket ``t`` is called, as its slip and status page show it
        (``domain.forecast`` on the line, the open windows and learned handling times);
        None while no open window may serve it."""
        now = self.clock()
        with self._read() as conn:
            dispatch = self.layouts.current(conn).dispatch
            rows = q.CANDIDATES_READ(conn, day=t.day, now=now, waiting=WAITING).all()
            return estimated_wait(
                conn,
                self.learned,
                self._as_candidate(t),
                [self._candidate(r) for r in rows],
                dispatch,
                t.day,
                now,
                policy=self.hall.dispatch.policy,
                aging_seconds=self.hall.dispatch.aging_minutes * 60.0,
                matters_of=lambda matters: self._matter_sets(matters)[0],
                lunch=self._lunch(t.day),
                on_duty=self._lunch_duty,
            )

    def _lunch(self, day: str) -> tuple[float, float] | None:
        """The day's lunch break as instants (start, end), if the hall has one."""
        lunch = self.hall.hours.lunch
        if lunch is None:
            return None
        midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), self.hall.zone)

        def at(hhmm: str) -> float:
            hours, minutes = hhmm.split(":")
            return (midnight + dt.timedelta(hours=int(hours), minutes=int(minutes))).timestamp()

        return at(lunch.start), at(lunch.end)

    # -------------------------------------------------------------- dispatch
    def _matter_sets(self, matters: str) -> tuple[frozenset[str], frozenset[str]]:
        hit = self._sets.get(matters)
        if hit is None:
            codes = frozenset(matters.split())
            hit = self._sets[matters] = (codes, frozenset(self._domain_of[c] for c in codes))
        return hit

    def _candidate(self, r: Any, *, grouped: bool = False) -> Candidate:
        """A waiting ticket as dispatch sees it, from a row of ``q.CANDIDATE_COLS`` (kept:
        the same row gives the same candidate), or of ``q.WAITING_GROUPS`` if ``grouped``."""
        if not grouped and (hit := self._cands.get(tuple(r))) is not None:
            return hit
        codes, domains = self._matter_sets(r.matters)
        if grouped:  # a grouped row: only what eligibility needs
            return Candidate(
                id=0,
                matters=codes,
                queue_key=0.0,
                target_window=r.target_window,
                target_domain=r.target_domain,
                domains=domains,
            )
        if len(self._cands) > CANDIDATE_CACHE:
            self._cands.clear()
        hit = self._cands[tuple(r)] = Candidate(
            id=r.id,
            matters=codes,
            queue_key=r.queue_key,
            priority=bool(r.is_priority),
            appointment_at=r.appointment_at,
            target_window=r.target_window,
            target_domain=r.target_domain,
            domains=domains,
        )
        return hit

    def _as_candidate(self, t: Ticket) -> Candidate:
        return Candidate(
            id=t.id,
            matters=t.matters,
            queue_key=t.queue_key,
            priority=t.priority is not None,
            appointment_at=t.appointment_at,
            target_window=t.target_window,
            target_domain=t.target_domain,
            domains=self._matter_sets(" ".join(sorted(t.matters)))[1],
        )

    def _claim_first(
        self,
        conn: Connection,
        dw: DispatchWindow,
        cands: list[Candidate],
        now: float,
        taken: set[int],
        **policy: Any,
    ) -> Candidate | None:
        """What ``choose_next`` picks among ``cands``, locked for this transaction; a pick
        that another window holds or has just called is added to ``taken`` and the choice
        made again without it."""
        while True:
            choice = choose_next(dw, [c for c in cands if c.id not in taken], now, **policy)
            if choice is None or q.CLAIMABLE(conn, id=choice.id, waiting=WAITING).scalar():
                return choice
            taken.add(choice.id)

    def _oldest_eligible(
        self, conn: Connection, dw: DispatchWindow, day: str, now: float
    ) -> Candidate | None:
        """Walk the line class by class, a page at a time, until a ticket ``dw`` may serve.

        Within a class the pages come in (place in line, id) order, so the first eligible
        ticket found is the one ``choose_next`` picks over the whole line.
        """
        taken: set[int] = set()
        for page_of_class in q.CLASS_PAGES:
            offset, size = 0, FIRST_PAGE
            while True:
                rows = page_of_class(
                    conn, day=day, now=now, waiting=WAITING, lim=size, off=offset
                ).all()
                choice = self._claim_first(conn, dw, list(map(self._candidate, rows)), now, taken)
                if choice is not None:
                    return choice
                if len(rows) < size:
                    break
                offset, size = offset + size, PAGE
        return None

    def call_next(self, window: int, actor: str = "clerk") -> Ticket | None:
        """Claim the next ticket this window may serve; None when there is none."""
        policy = self.hall.dispatch.policy
        aging = self.hall.dispatch.aging_minutes * 60.0

        def op(conn: Connection) -> Ticket | None:
            now = self.clock()
            day = self.day_of(now)
            ws = self._window_state(conn, window, lock=True)
            wrules.require_can_call(ws)
            dispatch = self.layouts.current(conn).dispatch
            dw = dispatch[window]
            choice: Candidate | None = None
            if oldest_first(policy, dw):  # no preference to weigh: walk the line in pages
                choice = self._oldest_eligible(conn, dw, day, now)
            else:
                open_windows = [
                    dispatch[n]
                    for n in q.OPEN_WINDOWS(conn, open=WindowStatus.OPEN.value).scalars()
                ]
                rows = q.CANDIDATES_READ(conn, day=day, now=now, waiting=WAITING).all()
                choice = self._claim_first(
                    conn,
                    dw,
                    list(map(self._candidate, rows)),
                    now,
                    set(),
                    policy=policy,
                    open_windows=open_windows,
                    aging_seconds=aging,
                )
            if choice is None:
                return None
            t, version = self._load(conn, choice.id)
            new = self._save(conn, t, version, rules.call(t, window, now), actor)
            self._set_window(conn, WindowState(window, ws.status, ws.reason, new.id), now)
            return new

        return self._retrying(op)

    # ---------------------------------------------------- the window's ticket
    def _at_window(
        self,
        window: int,
        actor: str,
        number: str | None,
        apply: Callable[[Ticket, float, Connection], rules.Change],
        release: bool,
    ) -> Ticket:
        def op(conn: Connection) -> Ticket:
            now = self.clock()
            ws = self._window_state(conn, window, lock=True)
            tid = wrules.require_ticket(ws)
            t, version = self._load(conn, tid)
            if number is not None and t.number != number.strip().upper():
                raise Refused(
                    "not_your_ticket",
                    f"{window} 号窗口当前是 {t.number}，不是 {number}",
                    f"window {window} holds {t.number}, not {number}",
                    "ticket",
                )
            new = self._save(conn, t, version, apply(t, now, conn), actor)
            if release:
                self._set_window(conn, WindowState(window, ws.status, ws.reason, None), now)
            return new

        return self._retrying(op)

    def recall(self, window: int, actor: str = "clerk", number: str | None = None) -> Ticket:
        limit = self.hall.recall_limit
        return self._at_window(
            window, actor, number, lambda t, now, _: rules.recall(t, window, now, limit), False
        )

    def start(self, window: int, actor: str = "clerk", number: str | None = None) -> Ticket:
        return self._at_window(
            window, actor, number, lambda t, now, _: rules.start(t, window, now), False
        )

    def finish(
        self,
        window: int,
        outcomes: Mapping[str, Outcome] | Outcome,
        actor: str = "clerk",
        number: str | None = None,
    ) -> Ticket:
        """Finish the window's ticket: one outcome per matter, or one outcome for all."""

        def apply(t: Ticket, now: float, _: Connection) -> rules.Change:
            given = (
                {m: outcomes for m in t.matters}
                if isinstance(outcomes, Outcome)
                else {self.resolve_matter(k): v for k, v in outcomes.items()}
            )
            return rules.finish(t, window, given, now)

        return self._at_window(window, actor, number, apply, True)

    def transfer(
        self,
        window: int,
        *,
        to_window: int | None = None,
        to_domain: str | None = None,
        reason: str = "",
        actor: str = "clerk",
        number: str | None = None,
    ) -> Ticket:
        """Back to the line for another window or domain, keeping its place."""
        if to_window is not None:
            self.require_window(to_window, "to_window")
        if to_domain is not None and to_domain not in self.catalog.domains:
            raise Refused(
                "unknown_domain",
                f"没有领域“{to_domain}”",
                f"unknown domain {to_domain!r}",
                "to_domain",
            )

        def apply(t: Ticket, now: float, conn: Connection) -> rules.Change:
            change = rules.transfer(
                t, window, now, to_window=to_window, to_domain=to_domain, reason=reason
            )
            c = self._as_candidate(change.ticket)
            dispatch = self.layouts.current(conn).dispatch
            if not any(eligible(c, dw) for dw in dispatch.values()):
                zh = f"{to_window} 号窗口" if to_window is not None else f"“{to_domain}”窗口"
                en = f"window {to_window}" if to_window is not None else f"no {to_domain} window"
                raise Refused(
                    "no_window",
                    f"{zh}不能受理 {t.number} 的全部事项",
                    f"{en} cannot accept every matter of {t.number}",
                    "to",
                )
            return change

        return self._at_window(window, actor, number, apply, True)

    def no_show(self, window: int, actor: str = "clerk", number: str | None = None) -> Ticket:
        return self._at_window(
            window, actor, number, lambda t, now, _: rules.no_show(t, window, now), True
        )

    # ------------------------------------------------------ desk operations
    def _by_number(
        self, number: str, actor: str, apply: Callable[[Ticket, float], rules.Change]
    ) -> Ticket:
        def op(conn: Connection) -> Ticket:
            now = self.clock()
            t, version = self._load(conn, self._find(conn, number, None))
            return self._save(conn, t, version, apply(t, now), actor)

        return self._retrying(op)

    def rate(self, window: int, number: str, level: int, actor: str = "clerk") -> Ticket:
        """The citizen's 好差评 (1 to 5) of a visit finished at ``window`` today, once."""
        self.require_window(window)

        def op(conn: Connection) -> Ticket:
            now = self.clock()
            tid = self._find(conn, number, None)
            # one rating per ticket: the row lock serialises two at once (PostgreSQL;
            # SQLite's writers take turns anyway)
            conn.execute(select(ticket_t.c.id).where(ticket_t.c.id == tid).with_for_update())
            t, _ = self._load(conn, tid)
            rated = conn.execute(
                select(event_t.c.id).where(event_t.c.ticket_id == t.id, event_t.c.kind == "rated")
            ).first()
            check_rating(t, window, level, rated is not None)
            self._event(conn, now, "rated", actor, ticket=t, window=window, detail={"level": level})
            return t

        return self._retrying(op)

    def cancel(self, number: str, actor: str = "desk", reason: str = "") -> Ticket:
        return self._by_number(number, actor, lambda t, now: rules.cancel(t, now, reason))

    def requeue(self, number: str, actor: str = "desk") -> Ticket:
        return self._by_number(number, actor, lambda t, now: rules.requeue(t, now))

    # ------------------------------------------------------------- windows
    def _window_op(
        self, number: int, actor: str, kind: str, apply: Callable[[WindowState], WindowState]
    ) -> WindowState:
        def op(conn: Connection) -> WindowState:
            now = self.clock()
            ws = self._window_state(conn, number, lock=True)
            new = apply(ws)
            self._set_window(conn, new, now)
            self._event(
                conn,
                now,
                kind,
                actor,
                window=number,
                detail={"from": ws.status.value, "to": new.status.value, "reason": new.reason},
            )
            return new

        return self._retrying(op)

    def open_window(self, number: int, actor: str = "manager") -> WindowState:
        return self._window_op(number, actor, "window_opened", wrules.open_window)

    def close_window(self, number: int, actor: str = "manager") -> WindowState:
        return self._window_op(number, actor, "window_closed", wrules.close_window)

    def pause(self, number: int, reason: str, actor: str = "clerk") -> WindowState:
        return self._window_op(number, actor, "window_paused", lambda w: wrules.pause(w, reason))

    def resume(self, number: int, actor: str = "clerk") -> WindowState:
        return self._window_op(number, actor, "window_resumed", wrules.resume)

    # ----------------------------------------------------------- the day
    # ------------------------------------------ the hall in effect (managers' changes)
    def hall_in_effect(self) -> Hall:
        """The layout file with today's changes: what each window serves, the targets."""
        with self._read() as conn:
            layout = self.layouts.current(conn)
            targets = self.layouts.targets(conn)
        if targets == layout.hall.targets:
            return layout.hall
        return in_effect(layout.hall, {}, targets)

    def set_profile(
        self, number: int, profile: WindowProfile | None, actor: str = "manager"
    ) -> WindowProfile:
        """Change what window ``number`` serves (None: back to the layout file's profile).

        Refused when the profile names what the catalog lacks, or when a waiting ticket
        would be left with no window that may serve it. Returns the profile in effect.
        """
        self.require_window(number)
        if profile is not None:
            require_valid(profile, self.catalog)

        def op(conn: Connection) -> WindowProfile:
            now = self.clock()
            after = self.layouts.with_change(conn, number, profile)
            rows = q.CANDIDATES_READ(conn, day=self.day_of(now), now=now, waiting=WAITING).all()
            lost = [c.id for c in stranded(map(self._candidate, rows), after.dispatch.values())]
            if lost:
                numbers = conn.execute(
                    select(ticket_t.c.number).where(ticket_t.c.id.in_(lost)).order_by(ticket_t.c.id)
                ).scalars()
                refuse_stranding(list(numbers), number)
            serving = WindowProfile.of(after.hall.window_by_number[number])
            conn.execute(profile_t.delete().where(profile_t.c.number == number))
            restored = number not in after.changed
            if not restored:
                self._insert_setting(
                    conn,
                    profile_t,
                    {"number": number, "profile": serving.model_dump_json()},
                    now,
                    actor,
                )
            self._event(
                conn,
                now,
                "window_profiled",
                actor,
                window=number,
                detail={"restored": restored, **serving.model_dump(mode="json")},
            )
            return serving

        return self._retrying(op)

    def set_targets(self, targets: Targets | None, actor: str = "manager") -> Targets:
        """Set the hall's wait and service targets (None: back to the layout file's)."""

        def op(conn: Connection) -> Targets:
            now = self.clock()
            conn.execute(setting_t.delete().where(setting_t.c.key == TARGETS))
            chosen = targets or self.hall.targets
            if chosen != self.hall.targets:
                self._insert_setting(
                    conn,
                    setting_t,
                    {"key": TARGETS, "value": chosen.model_dump_json()},
                    now,
                    actor,
                )
            self._event(conn, now, "targets_set", actor, detail=chosen.model_dump(mode="json"))
            return chosen

        return self._retrying(op)

    @staticmethod
    def _insert_setting(
        conn: Connection, table: Any, values: dict[str, Any], now: float, actor: str
    ) -> None:
        """Insert a run-time setting's row (just deleted in the same transaction); a twin
        change committed meanwhile by another server makes the operation retry."""
        try:
            with conn.begin_nested():
                conn.execute(insert(table).values(**values, set_at=now, set_by=actor))
        except IntegrityError as exc:
            raise Conflict(f"{table.name} {values}") from exc

    def close_day(
        self, actor: str = "manager", *, force: bool = False, day: str | None = None
    ) -> dict[str, int]:
        """Close a business day: tickets still open expire, windows are freed and closed.

        Refused while a ticket is being served unless ``force``.
        """

        def op(conn: Connection) -> dict[str, int]:
            now = self.clock()
            d = day or self.day_of(now)
            if self._is_closed(conn, d):
                raise Refused("day_closed", f"{d} 已日终关闭", f"business day {d} is closed", "day")
            if not force:
                serving = conn.execute(
                    select(ticket_t.c.number, ticket_t.c.window).where(
                        ticket_t.c.day == d, ticket_t.c.status == Status.SERVING.value
                    )
                ).all()
                if serving:
                    zh = "、".join(f"{r.number}（{r.window} 号窗口）" for r in serving)
                    en = ", ".join(f"{r.number} at window {r.window}" for r in serving)
                    raise Refused(
                        "still_serving",
                        f"仍有号在办理中：{zh}",
                        f"tickets are still being served: {en}",
                        "force",
                    )
            ids = (
                conn.execute(
                    select(ticket_t.c.id).where(
                        ticket_t.c.day == d,
                        ticket_t.c.status.in_([s.value for s in rules.OPEN_STATUSES]),
                    )
                )
                .scalars()
                .all()
            )
            for tid in ids:
                t, version = self._load(conn, tid)
                self._save(conn, t, version, rules.expire(t, now, force=force), actor)
            for r in conn.execute(select(window_t)).all():
                if r.status != WindowStatus.CLOSED.value or r.current_ticket is not None:
                    self._set_window(conn, WindowState(r.number, WindowStatus.CLOSED), now)
            # what windows serve was changed for the day: the next day starts from the layout
            changed = conn.execute(select(profile_t.c.number)).scalars().all()
            conn.execute(profile_t.delete())
            for n in changed:
                detail: dict[str, Any] = {"restored": True}
                if n in self.hall.window_by_number:
                    layout_profile = WindowProfile.of(self.hall.window_by_number[n])
                    detail.update(layout_profile.model_dump(mode="json"))
                self._event(conn, now, "window_profiled", actor, window=n, detail=detail)
            conn.execute(insert(day_t).values(day=d, closed_at=now, closed_by=actor))
            self._event(conn, now, "day_closed", actor, detail={"day": d, "expired": len(ids)})
            return {"expired": len(ids)}

        return self._retrying(op)


def _view(status: WindowStatus, t: Ticket | None) -> WindowView:
    if status is WindowStatus.CLOSED:
        return WindowView.CLOSED
    if status is WindowStatus.PAUSED:
        return WindowView.PAUSED
    if t is None:
        return WindowView.IDLE
    return WindowView.SERVING if t.status is Status.SERVING else WindowView.CALLING
