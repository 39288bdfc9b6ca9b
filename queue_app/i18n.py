"""Messages in the reader's language, from the gettext catalogs in ``queue_app/locale``.

The catalogs are the ``.po`` files themselves, read with Babel on first use (no compiled
``.mo`` to keep in step): ``zh`` is ``zh_CN``, ``en`` the English of the msgids as
corrected. Extraction and updating: see the README's development section.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from queue_app.domain.errors import LIST_SEPARATOR, Param, Refused, Text

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = {"zh": "zh_CN", "en": "en"}  # the app's language codes and their catalogs
DOMAIN = "messages"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The catalog of ``lang`` (``zh`` or ``en``); fuzzy entries are left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=LOCALES[lang], domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def render(text: Text, lang: str) -> str:
    """``text`` translated into ``lang``, its parameters translated and filled in."""
    t = translations(lang)
    return t.gettext(text.msgid).format(**{k: _param(v, lang) for k, v in text.params.items()})


def _param(v: Param, lang: str) -> str | int | float:
    if isinstance(v, Text):
        return render(v, lang)
    if isinstance(v, str | int | float):
        return v
    sep = translations(lang).gettext(LIST_SEPARATOR)
    return sep.join(str(_param(x, lang)) for x in v)


def message(refusal: Refused, lang: str) -> str:
    """A refusal's message in ``lang``."""
    return render(refusal.text, lang)


def messages(refusal: Refused) -> tuple[str, str]:
    """A refusal's message in Chinese and in English."""
    return message(refusal, "zh"), message(refusal, "en")
