// The citizen's status page (/t/<token>, from the QR code on the slip): number, matters,
// people ahead, estimated wait; "Please go to window 5" when called; after the visit the
// 好差评 (once per visit: one given at the window's 评价器 shows as given). Refetches on hall
// events (throttled) and every 15 s besides; stops once the ticket is finished (and rated),
// or the token is unknown or expired.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const token = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const url = `${Hall.root}/api/status/${encodeURIComponent(token)}`;
  let link = null;
  let poll = null;
  let lastStatus = null;
  let fetching = false;
  let choice = null; // the 好差评, once the visit is done and not rated
  let ratedHere = false;

  const NOTES = {
    waiting: _("Watch the hall's call board: this page tells you when your number is called."),
    called: _("Your number is being called: please go now."),
    serving: _("You are being served."),
    parked: _("Your service is paused while you fetch the missing material. When you are back, tell the window that served you or the help desk: you are called there next, before new numbers."),
    done: _("All done. Thank you for waiting."),
    no_show: _("Your number was called and passed. To be served, queue again at the help desk."),
    cancelled: _("This ticket was cancelled."),
    expired: _("The hall has closed for the day: this ticket is no longer valid."),
  };

  const LABELS = {
    waiting: _("Waiting"),
    called: _("Called"),
    serving: _("Being served"),
    parked: _("Waiting for materials"),
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
    showRating(d);
    $("main").hidden = false;
    if (d.final && !d.can_rate) stop();
  }

  function showRating(d) {
    const card = $("rate");
    card.hidden = d.status !== "done";
    if (card.hidden) return;
    if (d.can_rate) {
      if (!choice) choice = Rating.choice($("rate-choice"), rate);
      $("rate-choice").hidden = false;
      $("rate-ask").hidden = false;
      $("rate-given").hidden = true;
      return;
    }
    $("rate-choice").hidden = true;
    $("rate-ask").hidden = true;
    $("rate-error").hidden = true;
    if (d.rating) {
      const rating = Rating.given(d.rating);
      $("rate-given").textContent = ratedHere
        ? _("Thank you for your rating: {rating}", { rating })
        : _("This visit has been rated: {rating}", { rating });
      $("rate-given").hidden = false;
    }
  }

  async function rate(level, reasons) {
    const error = $("rate-error");
    let r;
    try {
      r = await fetch(`${url}/rating`, {
        method: "POST",
        cache: "no-store",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ level, reasons }),
      });
    } catch (e) {
      error.textContent = _("The hall server cannot be reached: try again");
      error.hidden = false;
      throw e;
    }
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (r.ok) {
      ratedHere = true;
      error.hidden = true;
      show(body);
      return;
    }
    const e = body && body.error;
    if (e && e.code === "already_rated") {
      refresh(); // given at the window meanwhile
      return;
    }
    error.textContent = e ? (Hall.lang.startsWith("zh") ? e.message_zh : e.message_en) : String(r.status);
    error.hidden = false;
    throw new Error(e ? e.code : String(r.status));
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
      events: ["ticket_called", "ticket_issued", "ticket_changed", "ticket_rated", "queue_changed", "window_changed", "day_closed"],
      onEvent: refreshSoon,
      onSync: refresh,
    });
    poll = setInterval(refresh, 15000); // in case the stream is cut somewhere between
    refresh();
  }

  start();
})();
