"""The words the command prints for the hall's enumerations, marked for the message
catalogs (English msgids; the command translates them when it prints)."""

from __future__ import annotations

from queue_app.domain.errors import N_

WINDOW_STATES = {  # a window as a manager sees it, and its stored status
    "closed": N_("closed"),
    "open": N_("open"),
    "idle": N_("idle"),
    "calling": N_("calling"),
    "serving": N_("serving"),
    "paused": N_("paused"),
}
WINDOW_KINDS = {
    "undifferentiated": N_("undifferentiated"),
    "domain": N_("domain"),
    "specialised": N_("specialised"),
    "green": N_("green channel"),
}
MATTER_KINDS = {"即办件": N_("immediate"), "承诺件": N_("promised")}  # the catalog's values
PRIORITIES = {
    "elderly": N_("elderly"),
    "disabled": N_("with a disability"),
    "pregnant": N_("pregnant"),
    "military": N_("military"),
}
OUTCOMES = {
    "completed": N_("completed"),
    "accepted": N_("accepted"),
    "correction": N_("materials missing"),
    "rejected": N_("not accepted"),
}
ROLES = {
    "desk": N_("desk"),
    "clerk": N_("clerk"),
    "manager": N_("manager"),
    "display": N_("display"),
    "kiosk": N_("kiosk"),
    "rater": N_("rating tablet"),  # 评价器
}
STAFF_STATES = {False: N_("active"), True: N_("account disabled")}
EVENTS = {  # a ticket's history
    "issued": N_("issued"),
    "called": N_("called"),
    "recalled": N_("recalled"),
    "started": N_("started"),
    "finished": N_("finished"),
    "transferred": N_("transferred"),
    "no_show": N_("a no-show"),
    "requeued": N_("re-queued"),
    "cancelled": N_("cancelled"),
    "expired": N_("expired"),
    "parked": N_("parked (materials missing)"),
    "unparked": N_("back with the materials"),
    "hold_released": N_("back in the line"),
    "rated": N_("rated"),
}
