"""The message catalogs: up to date with the source, complete, and every refusal a class
with a code, an HTTP status and a message in both languages."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from queue_app import i18n
from queue_app.domain import refusals
from queue_app.domain.errors import Refused, Text
from queue_app.domain.ticket import STATUS_LABELS, STATUS_WORDS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {400, 401, 403, 404, 409, 413, 422, 429, 500, 503}


def all_refusals() -> list[type[Refused]]:
    found, todo = [], [Refused]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return sorted(found, key=lambda c: c.__name__)


REFUSALS = all_refusals()


def extracted() -> set[str]:
    """The msgids in the source now, as ``pybabel extract -F babel.cfg`` finds them."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(ROOT, method_map, options_map)
    }


def catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return read_po(f)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_template_and_both_catalogs_hold_exactly_the_source_msgids() -> None:
    """After changing a message: pybabel extract and update (see the README)."""
    source = extracted()
    assert source
    for path in (
        i18n.LOCALE_DIR / "messages.pot",
        i18n.po_path("zh"),
        i18n.po_path("en"),
    ):
        ids = {m.id for m in catalog(path) if m.id}
        assert ids == source, (path.name, sorted(source - ids), sorted(ids - source))
        assert not catalog(path).obsolete, path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_fuzzy_entry_and_every_chinese_one_translated(lang: str) -> None:
    for m in catalog(i18n.po_path(lang)):
        if not m.id:
            continue
        assert not m.fuzzy, (lang, m.id)
        if lang == "zh":  # English falls back to the msgid, itself English
            assert m.string, m.id
        if m.string:  # a translation names the same parameters as its msgid
            assert fields(m.string) == fields(m.id), (lang, m.id, m.string)


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda c: c.__name__)
def test_each_refusal_has_a_code_a_status_and_messages_in_both_catalogs(
    cls: type[Refused],
) -> None:
    assert cls.__module__ == refusals.__name__  # every kind is listed in one place
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", cls.code)
    assert cls.status in STATUSES
    for lang in ("zh", "en"):
        ids = {m.id for m in catalog(i18n.po_path(lang))}
        assert cls.message in ids, (lang, cls.message)


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda c: c.__name__)
def test_each_refusal_renders_every_parameter_in_both_languages(cls: type[Refused]) -> None:
    params = {name: f"<{name}-7>" for name in fields(cls.message)}
    exc = cls(**params)
    zh, en = i18n.messages(exc)
    for value in params.values():
        assert value in zh and value in en, (cls.__name__, zh, en)
    assert zh != en
    assert not re.search(r"[\u4e00-\u9fff]", en), en  # no Chinese outside the parameters


def test_a_code_keeps_one_status() -> None:
    """Subclasses share their parent's code; one code never answers two statuses."""
    status: dict[str, int] = {}
    for cls in REFUSALS:
        assert status.setdefault(cls.code, cls.status) == cls.status, cls.__name__


def test_a_refusal_survives_pickling() -> None:
    """Refusals may cross a process boundary (a worker pool) with their parameters."""
    exc = refusals.StillServing(
        tickets=[Text("{number} at window {window}", number="A1", window="3")]
    )
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), back.field, back.text, str(back)) == (
        type(exc),
        exc.field,
        exc.text,
        str(exc),
    )


def test_ticket_status_words_are_the_status_labels_in_chinese() -> None:
    for status, word in STATUS_WORDS.items():
        assert i18n.render(word, "zh") == STATUS_LABELS[status]
