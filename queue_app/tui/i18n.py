"""The terminals' words in the chosen language, from the gettext catalogs (``queue_app.i18n``).

The source holds the English msgid at each call, ``w._("...", name=...)`` (or
``w.pgettext(context, "...")`` where one English word has two Chinese ones), so
``pybabel extract`` finds it; a word chosen at run time (a key's description, a window's
state) is marked where it is written, with ``N_`` or in a function that names each.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.dom import DOMNode

from queue_app.domain.errors import LIST_SEPARATOR, N_
from queue_app.domain.rating import RATING_WORDS
from queue_app.domain.ticket import STATUS_WORDS, Outcome, Priority, Status
from queue_app.i18n import LOCALES, render, translations

__all__ = ["N_", "RATING_WORDS", "Words"]

# their Chinese is the domain's PRIORITY_LABELS, OUTCOME_LABELS and RATING_LABELS
PRIORITY_WORDS = {
    Priority.ELDERLY: N_("elderly"),
    Priority.DISABLED: N_("disabled"),
    Priority.PREGNANT: N_("pregnant"),
    Priority.MILITARY: N_("military"),
}
OUTCOME_WORDS = {
    Outcome.COMPLETED: N_("completed"),
    Outcome.ACCEPTED: N_("accepted"),
    Outcome.CORRECTION: N_("correction needed"),
    Outcome.REJECTED: N_("not accepted"),
}


class Words:
    """The terminals' words in ``lang`` (``zh`` or ``en``)."""

    def __init__(self, lang: str = "zh") -> None:
        if lang not in LOCALES:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LOCALES)}")
        self.lang = lang

    def _(self, msgid: str, /, **params: Any) -> str:
        """``msgid`` translated, its ``{params}`` filled in."""
        text = translations(self.lang).gettext(msgid)
        return text.format(**params) if params else text

    def pgettext(self, context: str, msgid: str, /, **params: Any) -> str:
        """``msgid`` as it is meant in ``context``, translated and filled in."""
        text = translations(self.lang).pgettext(context, msgid)
        return text.format(**params) if params else text

    def join(self, items: list[str]) -> str:
        """``items`` as a list in this language ("a, b" or "甲、乙")."""
        return self._(LIST_SEPARATOR).join(items)

    def role(self, role: str) -> str:
        """A terminal's role (desk, clerk, manager, display) as its title names it."""
        names = {
            "desk": self._("Front desk"),
            "clerk": self._("Window clerk"),
            "manager": self._("Hall manager"),
            "display": self._("Hall display"),
            "city": self._("City view"),
        }
        return names[role]

    def window_state(self, state: str) -> str:
        """A window's state (``idle``, ``calling`` ...) as the terminals show it."""
        words = {
            "closed": self.pgettext("window", "closed"),
            "idle": self.pgettext("window", "idle"),
            "calling": self.pgettext("window", "calling"),
            "serving": self.pgettext("window", "serving"),
            "paused": self.pgettext("window", "paused"),
        }
        return words.get(state, state)

    def ticket_status(self, status: str) -> str:
        """A ticket's status (``waiting``, ``done`` ...) in words."""
        return render(STATUS_WORDS[Status(status)], self.lang)

    def priority(self, priority: str | None) -> str:
        """A priority group (``elderly`` ...) in words; empty for none."""
        return self._(PRIORITY_WORDS[Priority(priority)]) if priority else ""

    def outcome(self, outcome: Outcome) -> str:
        """The outcome of a matter, as the clerk chooses it."""
        return self._(OUTCOME_WORDS[outcome])

    def rating(self, level: int) -> str:
        """A level of the citizen's rating (5 very satisfied … 1 very dissatisfied)."""
        return self._(RATING_WORDS[level])

    def bindings(self, node: DOMNode) -> None:
        """Translate the descriptions of ``node``'s key bindings (written with ``N_``), for
        its footer. Textual has no hook for it: the node's own copy of its class's
        bindings is replaced (the lists are shared with the class, so never changed)."""
        keys = node._bindings.key_to_bindings
        node._bindings.key_to_bindings = {
            key: [
                replace(b, description=self._(b.description) if b.description else "") for b in bs
            ]
            for key, bs in keys.items()
        }
