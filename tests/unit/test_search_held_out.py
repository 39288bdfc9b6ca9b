"""A held-out set of phrasings for the matters added in issue 14, item 4 (不动产登记,
住房公积金, 车驾管, 出入境 通行证): written and committed BEFORE the matters and their
keywords were added, and not changed after seeing the search's results.  Do not tune
keywords on it: the phrasings the keywords were tuned on are in test_search.py.

Each phrasing names what a citizen says at the desk and a pattern the matter (or
一件事) it means must match, among the first three hits.  The four phrases of the
issue must all pass; of the whole set at least 80% must (a rate fixed beforehand)."""

from __future__ import annotations

import re

import pytest

from queue_app.loaders import load_catalog
from queue_app.search import CatalogSearch
from tests.conftest import REPO

# a 房屋 registration of 国有建设用地使用权及房屋所有权, or the certificate's own matter
HOUSE = r"房屋所有权|不动产权证"
TRANSFER = r"房屋所有权转移登记|二手房转移登记"
MORTGAGE = r"抵押权.*登记"
FUND_WITHDRAW = r"公积金.*提取|提取.*公积金"
FUND = r"公积金"
LICENCE_RENEW = r"^机动车驾驶证.*(换证|换领|期满|到期)"
LICENCE_LOST = r"^机动车驾驶证.*(补证|补领|补发|遗失)"
LICENCE_CHECK = r"^机动车驾驶证.*审验"
VEHICLE_TRANSFER = r"^机动车.*转移登记"
VEHICLE_REGISTER = r"^机动车.*注册登记"
HK_MACAO = r"往来港澳通行证"
TAIWAN = r"往来台湾通行证|台湾"

# the four phrases of the issue
HEADLINE = [
    ("房产证", HOUSE),
    ("公积金提取", FUND_WITHDRAW),
    ("驾照换证", LICENCE_RENEW),
    ("港澳通行证", HK_MACAO),
]

HELD_OUT = [
    *HEADLINE,
    # 房产证
    ("办房产证", HOUSE),
    ("不动产证", HOUSE),
    ("房本", HOUSE),
    ("新房办证", HOUSE),
    ("房产证丢了", HOUSE),
    ("二手房过户", TRANSFER),
    ("房子过户", TRANSFER),
    ("卖房过户", TRANSFER),
    ("房屋抵押", MORTGAGE),
    ("房贷抵押登记", MORTGAGE),
    # 公积金
    ("提取公积金", FUND_WITHDRAW),
    ("取公积金", FUND_WITHDRAW),
    ("租房提取公积金", FUND_WITHDRAW),
    ("退休提取公积金", FUND_WITHDRAW),
    ("公积金贷款", FUND),
    ("公积金开户", FUND),
    ("公积金转移", FUND),
    # 驾照
    ("换驾照", LICENCE_RENEW),
    ("驾照到期", LICENCE_RENEW),
    ("驾驶证换证", LICENCE_RENEW),
    ("驾照丢了", LICENCE_LOST),
    ("补驾照", LICENCE_LOST),
    ("驾照审验", LICENCE_CHECK),
    ("车辆过户", VEHICLE_TRANSFER),
    ("新车上牌", VEHICLE_REGISTER),
    # 出入境
    ("办港澳通行证", HK_MACAO),
    ("去香港", HK_MACAO),
    ("去澳门", HK_MACAO),
    ("港澳签注", HK_MACAO),
    ("台湾通行证", TAIWAN),
    ("去台湾", TAIWAN),
]


@pytest.fixture(scope="module")
def finder() -> CatalogSearch:
    return CatalogSearch(load_catalog(REPO / "matters_catalog.yaml"))


def _found(finder: CatalogSearch, query: str, pattern: str) -> bool:
    return any(re.search(pattern, h.name) for h in finder.search(query, 3))


@pytest.mark.parametrize(("query", "pattern"), HEADLINE, ids=[q for q, _ in HEADLINE])
def test_the_four_phrases_of_the_issue_find_their_matter(
    finder: CatalogSearch, query: str, pattern: str
) -> None:
    top = [h.name for h in finder.search(query, 3)]
    assert any(re.search(pattern, n) for n in top), f"{query!r} -> {top}"


def test_the_held_out_phrasings_find_their_matter_at_least_four_times_in_five(
    finder: CatalogSearch,
) -> None:
    missed = [q for q, p in HELD_OUT if not _found(finder, q, p)]
    rate = 1 - len(missed) / len(HELD_OUT)
    assert rate >= 0.8, f"top-3 rate {rate:.0%}, missed {missed}"
