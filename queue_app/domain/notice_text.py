"""The Chinese message of each notice, as an SMS gateway sends it. Pure.

The webhook carries both this text and the ``data`` it is made from: a WeChat template
message fills its own fields from ``data``; an SMS gateway sends ``text`` as it is. The
text is Chinese whatever the terminals' language: it goes to the citizens of a Chinese
hall, and SMS templates are filed with the carrier in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queue_app.domain.notice_rules import NoticeKind


def _slot(data: Mapping[str, Any]) -> str:
    return f"{data.get('day', '')} {data.get('start', '')}-{data.get('end', '')}"


def _matters(data: Mapping[str, Any]) -> str:
    names = [str(m) for m in data.get("matters", ())]
    return f"（{'、'.join(names)}）" if names else ""


def notice_text(kind: NoticeKind, data: Mapping[str, Any]) -> str:
    """The message of a notice of ``kind`` with its ``data`` (the contract's mapping:
    a ticket's number, window, people ahead; a booking's code, slot, matters)."""
    head = f"【{data.get('hall', '')}】"
    if data.get("booking"):
        code, slot, matters = data.get("code", ""), _slot(data), _matters(data)
        match kind:
            case NoticeKind.BOOKED:
                return f"{head}您已预约 {slot} 办理{matters}，预约码 {code}，请按时到厅签到。"
            case NoticeKind.MOVED:
                return f"{head}您的预约（预约码 {code}）已改到 {slot}，请按时到厅签到。"
            case NoticeKind.CANCELLED:
                return f"{head}您 {slot} 的预约（预约码 {code}）已取消。"
            case NoticeKind.REMINDER:
                return f"{head}提醒：您预约了明天 {slot} 办理{matters}，预约码 {code}。"
            case NoticeKind.NO_SHOW:
                return f"{head}您 {slot} 的预约（预约码 {code}）未签到，已记为爽约。"
        return f"{head}您的预约（预约码 {code}）有新的消息。"
    number = data.get("number", "")
    match kind:
        case NoticeKind.CALLED:
            return f"{head}请 {number} 号到 {data.get('window', '')} 号窗口办理。"
        case NoticeKind.NEAR_TURN:
            ahead = data.get("ahead", 0)
            return f"{head}您的 {number} 号前面还有 {ahead} 位，请到大厅等候叫号。"
        case NoticeKind.NO_SHOW:
            return f"{head}{number} 号已过号，如需办理请到咨询台重新取号。"
    return f"{head}{number} 号有新的消息。"
