// The citizen's status page (/t/<token>, from the QR code on the slip): number, matters,
// people ahead, estimated wait; "请到 5 号窗口" when called. Refetches on hall events
// (throttled) and every 15 s besides; stops once the ticket is finished, or the token is
// unknown or expired.
"use strict";

(() => {
  const { $, el } = Hall;
  const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const url = `/api/status/${encodeURIComponent(token)}`;
  let link = null;
  let poll = null;
  let lastStatus = null;
  let fetching = false;

  const NOTES = {
    waiting: "请留意大厅叫号屏，叫到您的号时本页会提示。",
    called: "正在叫您的号，请尽快前往。",
    serving: "正在为您办理。",
    done: "业务已办结，感谢您的耐心等候。",
    no_show: "您的号已过号。如仍需办理，请到导办台重新排队。",
    cancelled: "此号已取消。",
    expired: "今日业务已结束，此号已失效。",
  };

  function minutes(m) {
    if (m === null || m === undefined) return "暂无窗口开放";
    if (m < 1) return "马上轮到您";
    return `约 ${Math.round(m)} 分钟`;
  }

  function show(d) {
    Hall.applyLook(d.look);
    $("hall").textContent = d.look.hall;
    $("number").textContent = d.number;
    $("class").textContent = d.class_name;
    const badge = $("badge");
    badge.textContent = d.status_label;
    badge.dataset.status = d.status;
    document.body.dataset.status = d.status;

    const atWindow = d.window !== null && (d.status === "called" || d.status === "serving");
    $("go").hidden = !atWindow;
    if (atWindow) {
      $("go-window").textContent = String(d.window);
      $("go-lead").textContent = d.status === "called" ? "请到" : "正在";
      $("go-tail").textContent = d.status === "called" ? "号窗口" : "号窗口办理";
      $("go-sub").textContent =
        d.status === "called" && d.recalls > 0 ? `第 ${d.recalls + 1} 次呼叫，请尽快前往` : NOTES[d.status];
    }
    const waiting = d.status === "waiting";
    $("queue").hidden = !waiting;
    if (waiting) {
      $("ahead").textContent = String(d.ahead ?? 0);
      $("wait").textContent = minutes(d.estimated_wait_minutes);
    }
    const note = d.target_window ? `已转至 ${d.target_window} 号窗口，请继续等候。` : NOTES[d.status] || "";
    $("note").textContent = atWindow ? "" : note;
    $("note").hidden = atWindow || !note;

    const items = d.bundle ? [`一件事：${d.bundle}`, ...d.matters] : d.matters;
    $("matters").replaceChildren(...items.map((m) => el("li", "", m)));

    if (d.status === "called" && lastStatus !== "called" && navigator.vibrate) {
      try {
        navigator.vibrate([300, 150, 300]);
      } catch (e) {
        /* not allowed before a tap: the page shows it anyway */
      }
    }
    lastStatus = d.status;
    document.title = atWindow && d.status === "called" ? `请到 ${d.window} 号窗口 · ${d.number}` : `${d.number} · 排队进度`;
    $("updated").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
    $("main").hidden = false;
    if (d.final) stop();
  }

  function gone() {
    $("main").hidden = true;
    $("gone").hidden = false;
    document.title = "号票已失效";
    stop();
  }

  function stop() {
    if (link) link.stop();
    link = null;
    clearInterval(poll);
    poll = null;
    Hall.showLink(true);
  }

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      const r = await Hall.getJSON(url);
      if (r.ok) show(r.body);
      else if (r.status === 404) gone();
    } catch (e) {
      Hall.showLink(false);
    } finally {
      fetching = false;
    }
  }

  const refreshSoon = Hall.throttle(refresh, 1000); // at most one refetch a second

  function start() {
    if (!/^[A-Za-z0-9_-]{16,32}$/.test(token)) {
      gone();
      return;
    }
    link = Hall.live({
      events: ["ticket_called", "ticket_issued", "ticket_changed", "queue_changed", "window_changed", "day_closed"],
      onEvent: refreshSoon,
      onSync: refresh,
    });
    poll = setInterval(refresh, 15000); // in case the stream is cut somewhere between
    refresh();
  }

  start();
})();
