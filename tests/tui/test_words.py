"""The terminals' words: from the catalogs, in either language, every msgid where
``pybabel extract`` finds it, key descriptions translated per terminal."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from queue_app.domain.hall import Hall
from queue_app.domain.ticket import OUTCOME_LABELS, PRIORITY_LABELS, Outcome, Priority
from queue_app.tui.i18n import Words
from queue_app.tui.picker import RolePicker

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"(?<![\w.])_\(|\._\(|pgettext\(|\bN_\(")


def test_a_language_the_catalogs_lack_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        Words("fr")


def test_words_in_chinese_and_english() -> None:
    zh, en = Words("zh"), Words("en")
    assert zh._("window {n}", n=3) == "3 号窗口"
    assert en._("window {n}", n=3) == "window 3"
    assert (zh.window_state("closed"), en.window_state("closed")) == ("关闭", "closed")
    assert (zh.join(["1", "2"]), en.join(["1", "2"])) == ("1、2", "1, 2")
    assert zh.ticket_status("serving") == "办理中" and en.ticket_status("serving") == "being served"


def test_priority_and_outcome_words_in_chinese_are_the_domain_labels() -> None:
    zh = Words("zh")
    assert {p: zh.priority(p) for p in Priority} == PRIORITY_LABELS
    assert {o: zh.outcome(o) for o in Outcome} == OUTCOME_LABELS


def test_no_message_call_inside_an_f_string() -> None:
    """``pybabel extract`` does not look into f-strings (Python 3.11): a msgid there would
    never reach the catalogs and show in English to everyone."""
    found = []
    for path in sorted((ROOT / "queue_app").rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for tok in tokens:
            prefix = re.match(r"[a-zA-Z]*", tok.string).group().lower()  # type: ignore[union-attr]
            if tok.type == tokenize.STRING and "f" in prefix and CALL.search(tok.string):
                found.append(f"{path.relative_to(ROOT)}:{tok.start[0]}: {tok.string[:60]}")
    assert not found, "\n".join(found)


def test_key_descriptions_follow_each_terminal_s_language(mini_hall: Hall) -> None:
    """Two terminals in one process, one per language: each footer in its own, the class's
    bindings (shared by every instance) left as written."""
    zh = RolePicker("http://hall.test", mini_hall, [], "zh")
    en = RolePicker("http://hall.test", mini_hall, [], "en")

    def quit_key(app: RolePicker) -> str:
        return next(b.description for _, b in app._bindings if b.key == "q")

    assert (quit_key(zh), quit_key(en)) == ("退出 Quit", "Quit")
    assert quit_key(RolePicker("http://hall.test", mini_hall, [], "en")) == "Quit"
    assert RolePicker.BINDINGS[0] == ("q", "quit_demo", "Quit")
