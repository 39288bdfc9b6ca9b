"""``queue-app demo``: the embedded city. A server in this process on 127.0.0.1 over a new
SQLite file with the city's halls (``windows/city.yaml``: the district hall, the property
and housing-fund centre, two township centres), each with its last 60 business days
(``history.template``: lighter than a real day, kept between runs), demo staff and its
morning so far (tickets issued, called and finished over the last two hours, some still
waiting), a city account, and a role picker that opens each terminal against its hall through HTTP,
as a real hall's terminals would."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from queue_app.demo import SimClock, open_all_day, simulate
from queue_app.domain.catalog import Catalog
from queue_app.domain.hall import Hall, PrinterSpec, Station, StationKind
from queue_app.domain.notice_rules import WebhookSender
from queue_app.domain.window_state import WindowStatus
from queue_app.history.template import DEMO_DAYS, demo_database
from queue_app.notice_receiver import Receiver
from queue_app.server import create_app
from queue_app.server.city import CityServer, hall_path
from queue_app.server.stream_slots import StreamCaps
from queue_app.store import Store, make_engine
from queue_app.store.staff import Role, add_staff

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from queue_app.domain.city import Elsewhere

PASSWORD = "demo-pass"


@dataclass  # not frozen: the picker's Account has settable attributes
class DemoAccount:
    role: str
    username: str
    window: int | None = None
    hall: str = ""  # the hall's path on the server ("/halls/<code>")
    hall_name: str = ""
    station: str | None = None  # a desk's station (its slip printer)


CITY_USER = "city"  # the demo's city account, of the first hall
KIOSK_USER = "kiosk"  # each hall's self-service kiosk account (the /kiosk page signs in)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# the demo's clerks, window by window: full names (the window screen masks them: 王*),
# and for a few the display name the clerk chose to be shown (as some halls do)
CLERK_NAMES = (
    "王晓燕", "李建国", "张丽华", "刘洋", "陈思远", "杨帆", "赵敏", "黄伟", "周婷", "吴昊",
    "徐静怡", "孙强", "胡雪梅", "朱明", "高磊", "林晓峰", "何欣", "郭涛", "马俊杰", "罗丹",
    "欧阳娜娜", "梁振宇", "宋佳",
)  # fmt: skip
CLERK_DISPLAY_NAMES = {2: "李先生", 9: "周女士"}


def clerk_name(window: int) -> tuple[str, str | None]:
    """The full name and the display name (None: masked) of window ``window``'s clerk."""
    return CLERK_NAMES[(window - 1) % len(CLERK_NAMES)], CLERK_DISPLAY_NAMES.get(window)


def clerk_number(window: int) -> str:
    """The staff number (工号) of window ``window``'s clerk: 1001, 1002 …"""
    return str(1000 + window)


def seed(store: Store, catalog: Catalog, hall: Hall, clock: SimClock, tickets: int) -> None:
    """Demo staff (a kiosk account, for the /kiosk page, too), and the day so far: two
    hours of a three-hour peak (less just after midnight: the business day starts then),
    the last windows left closed (one in eight) and one paused, so every state shows."""
    clock.live = False
    add_staff(store, "desk", Role.DESK, PASSWORD, "刘静", staff_number="0102")
    add_staff(store, "manager", Role.MANAGER, PASSWORD, "陈志强", staff_number="0101")
    add_staff(store, "display", Role.DISPLAY, PASSWORD, "大厅显示屏")
    add_staff(store, KIOSK_USER, Role.KIOSK, PASSWORD, "自助取号机")  # for <hall>/kiosk
    for w in hall.windows:
        full_name, display_name = clerk_name(w.number)
        add_staff(
            store,
            f"clerk{w.number}",
            Role.CLERK,
            PASSWORD,
            full_name,
            staff_number=clerk_number(w.number),
            display_name=display_name,
        )
    # the 评价器 of window 1 (/rate/1): signs in there only; the other windows' in a real hall
    first = hall.windows[0].number
    add_staff(
        store, f"rater{first}", Role.RATER, PASSWORD, f"{first}号窗口评价器", frozenset({first})
    )
    now = time.time()
    local = dt.datetime.fromtimestamp(now, hall.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    clock.now = max(now - 2 * 3600, midnight)  # two hours ago, but today (the business day)
    open_all_day(store, hall)
    closed = max(1, len(hall.windows) // 8)  # two of the district's 23, one of a township's
    for w in hall.windows[:-closed]:
        store.open_window(w.number, actor="manager")
    simulate(store, catalog, hall, clock, random.Random(7), tickets=tickets, until=now)
    clock.live = True
    idle = [w for w in store.windows() if w.status is WindowStatus.OPEN and w.ticket is None]
    if idle:
        store.pause(idle[-1].number, "休息", actor="manager")


class EmbeddedServer:
    """uvicorn on a thread of this process, on a loopback port (``port``, else a free one),
    serving a store's hall (with ``streams``' caps) or ``served``, an application made
    already (a city's)."""

    def __init__(
        self, served: Store | ASGIApp, port: int | None = None, streams: StreamCaps | None = None
    ) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(served, streams=streams) if isinstance(served, Store) else served
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="hall-server", daemon=True)

    def __enter__(self) -> EmbeddedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the embedded hall server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def accounts(hall: Hall, path: str = "", every_clerk: bool = True) -> list[DemoAccount]:
    """The hall's demo accounts (``every_clerk``: one per window, else the first's)."""
    windows = hall.windows if every_clerk else hall.windows[:1]
    name = hall.hall.name
    return [
        DemoAccount("desk", "desk", None, path, name, _desk_station(hall)),
        *(DemoAccount("clerk", f"clerk{w.number}", w.number, path, name) for w in windows),
        DemoAccount("manager", "manager", None, path, name),
        DemoAccount("display", "display", None, path, name),
    ]


DEMO_STATION, DEMO_KIOSK, DEMO_PRINTER = "desk-1", "kiosk-1", "demo-printer"


def _desk_station(hall: Hall) -> str | None:
    """The station the demo's desk signs in at: the hall file's first desk, else none."""
    desks = [s.name for s in hall.stations if s.kind is StationKind.DESK]
    return desks[0] if desks else None


def demo_slips_dir() -> Path:
    """Where the demo's file printers write (the user's data directory)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("queue_app", appauthor=False)) / "demo"


def with_file_printer(hall: Hall, folder: Path) -> Hall:
    """``hall`` with a desk and a kiosk station (``/kiosk?station=kiosk-1``) printing to a
    file printer in ``folder`` (``slips-<hall>.bin``, emptied now), unless its hall file
    names printers itself."""
    if hall.printers:
        return hall
    folder.mkdir(parents=True, exist_ok=True)
    slips = folder / f"slips-{hall.hall.code}.bin"
    slips.write_bytes(b"")
    printer = PrinterSpec(device=f"file://{slips}", paper=80)
    stations = [
        Station(name=DEMO_STATION, kind=StationKind.DESK, printer=DEMO_PRINTER),
        Station(name=DEMO_KIOSK, kind=StationKind.KIOSK, printer=DEMO_PRINTER),
    ]
    return hall.model_copy(update={"printers": {DEMO_PRINTER: printer}, "stations": stations})


DEMO_SENDER, DEMO_SECRET_ENV = "demo-sms", "QUEUE_APP_DEMO_NOTICE_SECRET"


def demo_receiver(log: Path) -> Receiver:
    """A webhook receiver on 127.0.0.1 standing in for the hall's SMS gateway: it checks
    each notice's signature (a secret made now, put in this process's environment) and
    writes the messages to ``log`` (the terminals hold the screen)."""
    secret = secrets.token_urlsafe(24)
    os.environ[DEMO_SECRET_ENV] = secret
    log.write_text("", encoding="utf-8")

    def show(body: dict[str, Any]) -> None:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{body.get('kind')}\t{body.get('to')}\t{body.get('text')}\n")

    return Receiver(secret, show=show).start()


def with_demo_sender(hall: Hall, url: str) -> Hall:
    """``hall`` with the demo's receiver as its notices' sender, unless its hall file
    names senders itself."""
    if hall.notices.senders:
        return hall
    sender = WebhookSender(url=url, secret_env=DEMO_SECRET_ENV)
    rules = hall.notices.model_copy(update={"senders": {DEMO_SENDER: sender}})
    return hall.model_copy(update={"notices": rules})


def city_accounts(halls: list[Hall]) -> list[DemoAccount]:
    """The city account, then the first hall's accounts, then a few of each other hall."""
    several = len(halls) > 1
    first = halls[0].hall
    out = (
        [DemoAccount("city", CITY_USER, None, hall_path(first.code), first.name)] if several else []
    )
    for i, hall in enumerate(halls):
        out += accounts(hall, hall_path(hall.hall.code) if several else "", every_clerk=i == 0)
    return out


def seed_city(stores: list[Store], catalog: Catalog, clock: SimClock, tickets: int) -> None:
    """Seed every hall (the first with ``tickets``, the others a quarter as many, at least
    20); with several halls, a city account in the first."""
    for i, store in enumerate(stores):
        seed(store, catalog, store.hall, clock, tickets if i == 0 else max(20, tickets // 4))
    if len(stores) > 1:
        add_staff(stores[0], CITY_USER, Role.CITY, PASSWORD, "市政务服务管理局")


def city_app(
    stores: list[Store],
    elsewhere: Elsewhere | None,
    city_name: tuple[str, str] = ("", ""),
    public_url: str | None = None,
) -> ASGIApp:
    """The application serving the halls (one hall: its own); ``public_url``: the server's
    base URL (the slips' QR codes)."""
    several = len(stores) > 1

    def url_of(s: Store) -> str | None:
        return public_url and public_url + (hall_path(s.code) if several else "")

    servers = [create_app(s, elsewhere=elsewhere, public_url=url_of(s)) for s in stores]
    return CityServer(servers, *city_name) if several else servers[0]


def with_history(
    db: Path, catalog: Catalog, halls: list[Hall], lang: str, days: int = DEMO_DAYS
) -> None:
    """Make ``db`` with the halls' last ``days`` business days (copied from the user's
    cache; played there once first, with a word on the terminal)."""
    from queue_app.i18n import translations
    from queue_app.loaders.parse_cache import cache_dir

    said = translations(lang).gettext(
        "Playing the demo's {days} past business days through the store, once: later starts "
        "copy them (a minute or more)"
    )
    demo_database(
        db, catalog, halls, cache_dir(), days=days, first_time=lambda: print(said.format(days=days))
    )


def run(
    catalog: Catalog,
    halls: list[Hall],
    *,
    lang: str,
    tickets: int,
    days: int = DEMO_DAYS,
    port: int | None = None,
    elsewhere: Elsewhere | None = None,
    city_name: tuple[str, str] = ("", ""),
) -> None:
    """Give every hall its last ``days`` business days, seed its morning (the first with
    ``tickets``, the others fewer), serve them (on ``port``, else a free one), and let the
    user open one terminal after another until they quit. The desk's slips print to a file
    printer (``demo_slips_dir``) unless a hall file names its printers."""
    from queue_app.client import AsyncHallClient
    from queue_app.tui.app import HallApp
    from queue_app.tui.picker import RolePicker

    with tempfile.TemporaryDirectory(prefix="queue-app-demo-") as tmp:
        db = Path(tmp) / "demo.db"
        if days:
            with_history(db, catalog, halls, lang, days)
        clock = SimClock(time.time())
        engine = make_engine(f"sqlite:///{db}")
        halls = [with_file_printer(h, demo_slips_dir()) for h in halls]
        receiver = demo_receiver(demo_slips_dir() / "notices.log")
        halls = [with_demo_sender(halls[0], receiver.url), *halls[1:]]
        stores = [Store(engine, catalog, h, clock=clock) for h in halls]
        port = port or _free_port()
        try:
            seed_city(stores, catalog, clock, tickets)
            app = city_app(stores, elsewhere, city_name, f"http://127.0.0.1:{port}")
            with EmbeddedServer(app, port) as server:
                choices = city_accounts(halls)
                while True:
                    picked = RolePicker(server.url, halls[0], choices, lang).run()
                    if picked is None:
                        break
                    hall_url = server.url + picked.hall
                    HallApp(
                        AsyncHallClient(hall_url),
                        picked.role,
                        public_url=hall_url,
                        clock=clock,  # the hall's clock
                        window=picked.window,
                        lang=lang,
                        username=picked.username,
                        password=PASSWORD,
                        station=picked.station,
                    ).run()
        finally:
            receiver.stop()
            for s in stores:
                s.dispose()
