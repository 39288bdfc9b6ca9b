"""The parsed-YAML cache: a second load reads it, an edited or broken file is parsed and
located afresh, and a cache that is damaged or cannot be written changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_app.loaders import LoadError, load_catalog, parse_cache
from tests.conftest import REPO

CATALOG = REPO / "matters_catalog.yaml"


@pytest.fixture()
def cache(tmp_path: Path) -> Iterator[Path]:
    before = parse_cache.cache_dir()
    parse_cache.use_dir(tmp_path / "cache")
    yield tmp_path / "cache" / "parsed"
    parse_cache.use_dir(before)


def test_the_second_load_reads_what_the_first_kept(cache: Path) -> None:
    first = load_catalog(CATALOG)
    kept = list(cache.iterdir())
    assert len(kept) == 1
    assert load_catalog(CATALOG) == first
    # what is read is what was kept: a kept file changed by hand shows in the next load
    text = CATALOG.read_text(encoding="utf-8")
    data, lines = parse_cache.load(text) or pytest.fail("nothing kept")
    data["matters"][0]["name"] = "已改名的事项"
    parse_cache.save(text, (data, lines))
    assert load_catalog(CATALOG).matters[0].name == "已改名的事项"


def test_a_damaged_cache_file_is_parsed_afresh_and_replaced(cache: Path) -> None:
    first = load_catalog(CATALOG)
    (kept,) = cache.iterdir()
    kept.write_bytes(b"\x00 not marshal")
    assert load_catalog(CATALOG) == first
    assert parse_cache.load(CATALOG.read_text(encoding="utf-8")) is not None


def test_an_edited_file_is_parsed_again_and_its_problem_located(
    cache: Path, tmp_path: Path
) -> None:
    load_catalog(CATALOG)
    text = CATALOG.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(text) if line == "    department: SPJ\n")
    edited = tmp_path / "catalog.yaml"
    edited.write_text("".join([*text[:at], "    department: NOPE\n", *text[at + 1 :]]), "utf-8")
    with pytest.raises(LoadError) as err:
        load_catalog(edited)
    assert f"catalog.yaml:{at + 1}" in str(err.value) and "NOPE" in str(err.value)


def test_a_cache_that_cannot_be_written_is_not_used(cache: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory would be")
    parse_cache.use_dir(blocked)
    assert len(load_catalog(CATALOG).matters) == 667
    assert blocked.read_text() == "a file where the cache directory would be"


def test_small_files_are_not_kept(cache: Path) -> None:
    load_catalog(REPO / "tests" / "fixtures" / "mini_catalog.yaml")
    assert not cache.exists()
