"""Find matters and bundles as a citizen names them: name fragment, code, department,
keyword, pinyin initials (``gtgsh``) or full pinyin (``huzhao``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from queue_app.domain.catalog import Bundle, Catalog, Matter


def _py(text: str) -> tuple[str, str]:
    """Full pinyin and initials of ``text`` (letters and digits kept as they are)."""
    full = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    return "".join(full).lower(), "".join(s[0] for s in full if s).lower()


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "matter" or "bundle"
    code: str
    name: str
    name_py: str
    name_ini: str
    keywords: tuple[tuple[str, str, str], ...]  # (word, pinyin, initials)
    department: str
    domain: str
    extra: str
    common: bool
    words: str  # the name and keywords run together: where a term's leftovers may be
    initials: str  # the pinyin initials of the name and of each keyword, |-separated


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    code: str
    name: str
    score: float


# what people say at the desk -> how the catalog words it (a term may carry either)
_COLLOQUIAL: tuple[tuple[str, str], ...] = (
    ("丢了", "挂失"),
    ("丢了", "遗失"),
    ("掉了", "挂失"),
    ("掉了", "遗失"),
    ("丢失", "挂失"),
    ("忘了", "重置"),
    ("忘记", "重置"),
)


# where siblings score alike (gtgsh: 个体工商户设立登记, 注销登记), what a citizen comes for
# most goes first: starting something, then changing it, then ending it
_LATER_STAGES: tuple[tuple[str, ...], ...] = (
    ("变更", "补办", "补领", "换领", "延续", "备案"),
    ("注销", "撤销", "吊销", "终止", "歇业", "停业", "退出"),
)


def _stage(name: str) -> int:
    """0 for a matter that starts something, 1 for a change, 2 for an end."""
    for stage, words in enumerate(_LATER_STAGES, start=1):
        if any(w in name for w in words):
            return stage
    return 0


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _without(hay: str, needle: str) -> str:
    """``hay`` less the characters of ``needle``, a subsequence of it, taken in order."""
    rest, i = [], 0
    for ch in hay:
        if i < len(needle) and ch == needle[i]:
            i += 1
        else:
            rest.append(ch)
    return "".join(rest)


def _common_run(a: str, b: str) -> int:
    """The length of the longest run of letters ``a`` and ``b`` share."""
    for n in range(len(a), 0, -1):
        if any(a[i : i + n] in b for i in range(len(a) - n + 1)):
            return n
    return 0


class CatalogSearch:
    """An in-memory index over a catalog; a query takes well under a millisecond per 100
    matters."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        depts = {d.code: d.name for d in catalog.departments}
        self._entries: list[_Entry] = []
        for m in catalog.matters:
            self._entries.append(self._entry("matter", m, depts.get(m.department, "")))
        for b in catalog.bundles:
            self._entries.append(self._entry("bundle", b, "一件事一次办"))

    @staticmethod
    def _entry(kind: str, obj: Matter | Bundle, dept: str) -> _Entry:
        name_py, name_ini = _py(obj.name)
        kws = tuple((k.lower(), *_py(k)) for k in obj.keywords)
        words = " ".join([obj.name.lower(), *(k for k, _, _ in kws)])
        if isinstance(obj, Matter):
            domain, extra, common = obj.domain, obj.main_item or "", obj.common
        else:
            # a bundle has no "common" mark: the bonus is for the matters a hall sees most,
            # and a bundle's short name must not push its own matter out (gtgsh: 个体工商户设立登记)
            domain, extra, common = "", obj.description, False
        initials = "|".join([name_ini, *(ini for _, _, ini in kws)])
        return _Entry(
            kind,
            obj.code,
            obj.name,
            name_py,
            name_ini,
            kws,
            dept,
            domain,
            extra,
            common,
            words,
            initials,
        )

    @staticmethod
    def _term_score(e: _Entry, term: str) -> float:
        best = 0.0
        ascii_term = term.isascii()
        code = e.code.lower()
        if code == term:
            return 100.0
        if len(term) >= 3 and code.startswith(term):
            best = 90.0
        name = e.name.lower()
        if name == term:
            return 100.0
        if name.startswith(term):
            best = max(best, 85.0)
        elif term in name:
            best = max(best, 70.0)
        for word, wpy, wini in e.keywords:
            if word == term:
                best = max(best, 90.0)
            elif term in word:
                best = max(best, 65.0)
            elif len(word) >= 2 and (
                word in term or (len(word) >= 3 and _is_subsequence(word, term))
            ):
                # 开个体户, 开个公司: a keyword and some talk. Below any match of the whole
                # term (a name holding its every character); the talk counts where the entry
                # has its characters (开: 开店, not 关店)
                rest = _without(term, word)
                covered = len(word) + sum(ch in e.words for ch in rest)
                best = max(best, 30.0 + 20.0 * covered / len(term))
            if ascii_term and len(term) >= 2:
                if term in (wpy, wini):
                    best = max(best, 86.0)
                elif wini.startswith(term) or wpy.startswith(term):
                    best = max(best, 68.0)
        if ascii_term and term.isalpha():
            if e.name_ini.startswith(term):
                best = max(best, 80.0)
            elif len(term) >= 2 and term in e.name_ini:
                best = max(best, 60.0)
            if len(term) >= 3 and e.name_py.startswith(term):
                best = max(best, 78.0)
            elif len(term) >= 4 and term in e.name_py:
                best = max(best, 55.0)
        if not ascii_term:
            if len(term) >= 2 and _is_subsequence(term, name):  # 社保卡挂失: 社会保障卡挂失
                best = max(best, 40.0 if len(term) == 2 else 55.0)
            if term in e.department.lower():
                best = max(best, 30.0)
            if term == e.domain:
                best = max(best, 35.0)
            if e.extra and term in e.extra.lower():
                best = max(best, 30.0)
        return best

    @classmethod
    def _said_score(cls, e: _Entry, term: str) -> float:
        """A term's score as typed, or as the catalog words it (丢了 → 挂失), the better."""
        best = cls._term_score(e, term)
        for said, written in _COLLOQUIAL:
            if said in term:
                best = max(best, cls._term_score(e, term.replace(said, written)))
        return best

    def search(
        self, query: str, limit: int = 10, kinds: tuple[str, ...] = ("matter", "bundle")
    ) -> list[Hit]:
        """Best matches first; every space-separated term must match."""
        terms = [t for t in query.strip().lower().split() if t]
        if not terms:
            return []
        hits: list[Hit] = []
        for e in self._entries:
            if e.kind not in kinds:
                continue
            total = 0.0
            for t in terms:
                s = self._said_score(e, t)
                if s <= 0:
                    break
                total += s
            else:
                total = total / len(terms) + (3.0 if e.common else 0.0) - 0.05 * len(e.name)
                hits.append(Hit(e.kind, e.code, e.name, round(total, 2)))
        hits.sort(key=lambda h: (-h.score, _stage(h.name), h.name))
        return hits[:limit]

    def closest(
        self, query: str, limit: int = 3, kinds: tuple[str, ...] = ("matter", "bundle")
    ) -> list[Hit]:
        """For a query ``search`` finds nothing in: the entries nearest to it, most shared
        first. Near is sharing characters with it (a Chinese query: the distinct characters
        of it that the name or a keyword holds, two next to each other counting once more)
        or a run of pinyin initials (letters: the longest run of them a name's or keyword's
        initials hold): two fifths of the query, and at least two, or the one of a
        one-character query. Where several share as much, the matters a hall sees most and
        the shorter names first."""
        terms = [t for t in query.strip().lower().split() if t]
        chars = {ch for t in terms if not t.isascii() for ch in t if "\u4e00" <= ch <= "\u9fff"}
        letters = [t for t in terms if t.isascii() and t.isalpha()]
        pairs = {
            t[i : i + 2]
            for t in terms
            for i in range(len(t) - 1)
            if all("\u4e00" <= ch <= "\u9fff" for ch in t[i : i + 2])
        }
        if not (chars or letters):
            return []
        size = len(chars) + sum(map(len, letters))
        need = 1 if size == 1 else max(2, math.ceil(0.4 * size))
        scored: list[tuple[float, Hit]] = []
        for e in self._entries:
            if e.kind not in kinds:
                continue
            shared = sum(ch in e.words for ch in chars)
            if shared >= 2:
                shared += sum(pair in e.words for pair in pairs)
            shared += sum(_common_run(t, e.initials) for t in letters)
            if shared >= need:
                score = shared + (0.5 if e.common else 0.0) - 0.01 * len(e.name)
                scored.append((score, Hit(e.kind, e.code, e.name, round(score, 2))))
        scored.sort(key=lambda sh: (-sh[0], _stage(sh[1].name), sh[1].name))
        return [h for _, h in scored[:limit]]
