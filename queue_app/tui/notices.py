"""The notices' outbox as the manager sees it: one short line."""

from __future__ import annotations

from queue_app.api_notices import NoticeSummaryOut
from queue_app.tui.i18n import Words


def notices_line(s: NoticeSummaryOut, w: Words) -> str:
    """``notices: 3 waiting · 1 dead letter · last error: HTTP 500`` (and the senders whose
    secret the server lacks)."""
    said = w._("notices: {pending} waiting · {dead} dead", pending=s.pending, dead=s.dead)
    if s.last_error:
        said += " · " + w._("last error: {error}", error=s.last_error)
    for sender in s.senders:
        if not sender.ready:
            said += " · " + w._(
                "sender {name}: no secret in ${env}", name=sender.name, env=sender.secret_env
            )
    return said


def notices_in_trouble(s: NoticeSummaryOut) -> bool:
    return s.dead > 0 or any(not sender.ready for sender in s.senders)
