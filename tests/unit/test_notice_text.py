"""The Chinese message of each notice kind, from the contract's data."""

from __future__ import annotations

import pytest

from queue_app.domain.notice_rules import NoticeKind
from queue_app.domain.notice_text import notice_text
from queue_app.domain.webhook_signature import signature, verify

TICKET = {"number": "A012", "hall": "区政务服务中心"}
BOOKING = {
    "booking": True,
    "code": "123456",
    "day": "2026-12-03",
    "start": "09:30",
    "end": "10:00",
    "matters": ["社会保障卡申领", "个体工商户设立登记"],
    "hall": "区政务服务中心",
}


@pytest.mark.parametrize(
    ("kind", "data", "text"),
    [
        (
            NoticeKind.CALLED,
            {**TICKET, "window": 3},
            "【区政务服务中心】请 A012 号到 3 号窗口办理。",
        ),
        (
            NoticeKind.NEAR_TURN,
            {**TICKET, "ahead": 3},
            "【区政务服务中心】您的 A012 号前面还有 3 位，请到大厅等候叫号。",
        ),
        (
            NoticeKind.NO_SHOW,
            TICKET,
            "【区政务服务中心】A012 号已过号，如需办理请到咨询台重新取号。",
        ),
        (
            NoticeKind.BOOKED,
            BOOKING,
            "【区政务服务中心】您已预约 2026-12-03 09:30-10:00 办理（社会保障卡申领、"
            "个体工商户设立登记），预约码 123456，请按时到厅签到。",
        ),
        (
            NoticeKind.MOVED,
            BOOKING,
            "【区政务服务中心】您的预约（预约码 123456）已改到 2026-12-03 09:30-10:00，"
            "请按时到厅签到。",
        ),
        (
            NoticeKind.CANCELLED,
            BOOKING,
            "【区政务服务中心】您 2026-12-03 09:30-10:00 的预约（预约码 123456）已取消。",
        ),
        (
            NoticeKind.REMINDER,
            BOOKING,
            "【区政务服务中心】提醒：您预约了明天 2026-12-03 09:30-10:00 办理（社会保障卡申领、"
            "个体工商户设立登记），预约码 123456。",
        ),
        (
            NoticeKind.NO_SHOW,
            BOOKING,
            "【区政务服务中心】您 2026-12-03 09:30-10:00 的预约（预约码 123456）未签到，"
            "已记为爽约。",
        ),
    ],
)
def test_each_kind_has_its_message(kind: NoticeKind, data: dict, text: str) -> None:
    assert notice_text(kind, data) == text


def test_a_signature_verifies_only_its_body_its_time_and_its_secret() -> None:
    body = b'{"delivery_id": "x"}'
    sig = signature("k", "1700000000", body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify("k", "1700000000", body, sig)
    assert not verify("k", "1700000001", body, sig)
    assert not verify("k", "1700000000", body + b" ", sig)
    assert not verify("other", "1700000000", body, sig)
    assert verify("k", "1700000000", body, sig, now=1700000100)
    assert not verify("k", "1700000000", body, sig, now=1700000400)  # replayed late
