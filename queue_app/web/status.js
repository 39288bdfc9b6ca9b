// The citizen's status page (/t/<token>, from the QR code on the slip): number, matters,
// people ahead, estimated wait; "Please go to window 5" when called. Refetches on hall events
// (throttled) and every 15 s besides; stops once the ticket is finished, or the token is
// unknown or expired.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const url = `${Hall.root}/api/status/${encodeURIComponent(token)}`;
  let link = null;
  let poll = null;
  let lastStatus = null;
  let fetching = false;

  const NOTES = {
    waiting: _("Watch the hall's call board: this page tells you when your number is called."),
    called: _("Your number is being called: please go now."),
    serving: _("You are being served."),
    done: _("All done. Thank you for waiting."),
    no_show: _("Your number was called and passed. To be served, queue again at the help desk."),
    cancelled: _("This ticket was cancelled."),
    expired: _("The hall has closed for the day: this ticket is no longer valid."),
  };

  const LABELS = {
    waiting: _("Waiting"),
    called: _("Called"),
    serving: _("Being served"),
    done: _("Finished"),
    no_show: _("Missed"),
    cancelled: _("Cancelled"),
    expired: _("Expired"),
  };

  function minutes(m) {
    if (m === null || m === undefined) return _("No window open now");
    if (m < 1) return _("Almost your turn");
    return _("{minutes} min", { minutes: Math.round(m) });
  }

  function show(d) {
    Hall.applyLook(d.look);
    $("hall").textContent = d.look.hall;
    $("number").textContent = d.number;
    $("class").textContent = d.class_name;
    const badge = $("badge");
    badge.textContent = LABELS[d.status] || d.status;
    badge.dataset.status = d.status;
    document.body.dataset.status = d.status;

    const atWindow = d.window !== null && (d.status === "called" || d.status === "serving");
    $("go").hidden = !atWindow;
    if (atWindow) {
      const win = el("b", "win", String(d.window));
      win.id = "go-window";
      const line = d.status === "called" ? _("Please go to window {window}") : _("Being served at window {window}");
      $("go-line").replaceChildren(...Hall.fill(line, { window: win }));
      $("go-sub").textContent =
        d.status === "called" && d.recalls > 0
          ? _("Call number {count}: please go now", { count: d.recalls + 1 })
          : NOTES[d.status];
    }
    const waiting = d.status === "waiting";
    $("queue").hidden = !waiting;
    if (waiting) {
      const n = d.ahead ?? 0;
      const ahead = el("b", "", String(n));
      ahead.id = "ahead";
      $("ahead-line").replaceChildren(...Hall.fill(n === 1 ? _("{count} person") : _("{count} people"), { count: ahead }));
      $("wait").textContent = minutes(d.estimated_wait_minutes);
    }
    const note = d.target_window
      ? _("Transferred to window {window}: please keep waiting.", { window: d.target_window })
      : NOTES[d.status] || "";
    $("note").textContent = atWindow ? "" : note;
    $("note").hidden = atWindow || !note;

    const items = d.bundle ? [_("Bundle: {name}", { name: d.bundle }), ...d.matters] : d.matters;
    $("matters").replaceChildren(...items.map((m) => el("li", "", m)));

    if (d.status === "called" && lastStatus !== "called" && navigator.vibrate) {
      try {
        navigator.vibrate([300, 150, 300]);
      } catch (e) {
        /* not allowed before a tap: the page shows it anyway */
      }
    }
    lastStatus = d.status;
    document.title =
      atWindow && d.status === "called"
        ? _("Please go to window {window}", { window: d.window }) + " · " + d.number
        : d.number + " · " + _("Queue status");
    const time = new Date().toLocaleTimeString(Hall.lang, { hour12: false });
    $("updated").textContent = _("Updated {time}", { time });
    $("main").hidden = false;
    if (d.final) stop();
  }

  function gone() {
    $("main").hidden = true;
    $("gone").hidden = false;
    document.title = _("Ticket no longer valid");
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
