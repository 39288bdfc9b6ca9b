"""What a print job's slip says, read when it prints: the ticket, the windows that may
serve it, and (while it waits) the people ahead and the wait as of now."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from queue_app.domain.slip import SlipText, materials_of
from queue_app.domain.ticket import Status
from queue_app.store import tickets
from queue_app.store.print_jobs import Job
from queue_app.store.store import Store
from queue_app.store.tables import ticket_t


def status_url(public_url: str | None, token: str) -> str | None:
    """The citizen's status page of a ticket (``/t/<token>``) under the server's public URL."""
    return f"{public_url.rstrip('/')}/t/{token}" if public_url else None


def slip_text(store: Store, job: Job, public_url: str | None) -> SlipText:
    """The slip of ``job``'s ticket, its figures as of now."""
    with store.uow.read() as tx:
        ticket = tickets.load(tx.conn, job.ticket_id)[0]
        token = tx.conn.execute(
            select(ticket_t.c.token).where(
                ticket_t.c.hall == tx.hall, ticket_t.c.id == job.ticket_id
            )
        ).scalar_one()
        layout = store._layout_of(tx.conn)
    hall = store.hall
    prefix = ticket.number.rstrip("0123456789")
    class_name = next((c.name for c in hall.ticket_classes if c.prefix == prefix), prefix)
    names = store.catalog.matter_by_code
    codes = [i.matter for i in ticket.items]
    ahead: int | None = None
    wait: float | None = None
    if ticket.status is Status.WAITING:
        figures = store.slip(ticket)
        ahead, wait = figures.ahead, figures.wait_minutes
    issued = dt.datetime.fromtimestamp(ticket.issued_at, hall.zone)
    return SlipText(
        hall=hall.hall.name,
        issued=issued.strftime("%Y-%m-%d %H:%M"),
        number=ticket.number,
        class_name=class_name,
        matters=tuple(names[c].name if c in names else c for c in codes),
        windows=tuple(layout.coverage.windows_for(set(codes))),
        ahead=ahead,
        wait_minutes=wait,
        materials=materials_of(store.catalog, codes),
        url=status_url(public_url, token),
        copy_no=job.copy_no,
    )
