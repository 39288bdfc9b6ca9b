"""What the public screens may say about people and what a manager writes on them: a
clerk's name as the window screen shows it (surname, the given name masked, unless the
hall shows full names), the staff number, and the hall's notice line."""

from __future__ import annotations

import re
import unicodedata

from queue_app.domain.refusals import BadStaffNumber, NoticeNotOneLine, NoticeTooLong

NOTICE_MOST = 60  # characters: one line of the board at 1366×768
STAFF_NUMBER_MOST = 16
_STAFF_NUMBER = re.compile(rf"^[0-9A-Za-z-]{{1,{STAFF_NUMBER_MOST}}}$")
MASK = "*"
# the two-character surnames of the 百家姓 still in use
_COMPOUND = (
    "欧阳司马上官诸葛东方皇甫尉迟公孙慕容令狐夏侯长孙宇文司徒端木独孤南宫轩辕"
    "呼延闻人万俟澹台申屠太史公冶濮阳淳于单于钟离赫连西门百里东郭公羊第五拓跋"
    "完颜左丘谷梁段干梁丘司空司寇仲孙亓官鲜于闾丘子车"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND[i : i + 2] for i in range(0, len(_COMPOUND), 2))


def masked_name(full_name: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧阳**, Li Wei → Li *: the surname, the rest masked."""
    name = full_name.strip()
    if not name:
        return ""
    if " " in name:  # a name in Latin letters: the first word
        return f"{name.split(' ', 1)[0]} {MASK}"
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return surname + MASK * (len(name) - len(surname))


def public_name(full_name: str, display_name: str | None, full_names: bool) -> str:
    """The clerk's name on a public screen: the account's display name when the hall set one
    (chosen to be shown, e.g. 张女士), else the full name masked (``full_names``: the hall's
    file says to show full names: as it is)."""
    if display_name and display_name.strip():
        return display_name.strip()
    return full_name.strip() if full_names else masked_name(full_name)


def clean_staff_number(number: str | None) -> str | None:
    """A staff number as stored (None or empty: none), refused unless letters, digits, '-'."""
    if number is None or not number.strip():
        return None
    if not _STAFF_NUMBER.match(number.strip()):
        raise BadStaffNumber(most=STAFF_NUMBER_MOST)
    return number.strip()


def clean_notice(text: str | None) -> str | None:
    """The notice line as stored (None or blank: no notice): one line, ``NOTICE_MOST``
    characters at most."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise NoticeNotOneLine()
    if len(text) > NOTICE_MOST:
        raise NoticeTooLong(most=NOTICE_MOST, length=len(text))
    return text
