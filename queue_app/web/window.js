// The screen above a window (/window/<n>): the window's number and name, the number it
// calls or serves in large type, paused and why, what it serves now (it follows a
// re-profiling), who sits there as the hall shows them. Reads /api/screen/<n> on every
// (re)connection of /api/events and, throttled, after each event of this window or the hall.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const match = /\/window\/(\d+)\/?$/.exec(location.pathname);
  const number = match ? Number(match[1]) : 0;
  const state = { offset: 0, data: null };

  const STATES = {
    calling: () => _("Now calling"),
    serving: () => _("Now serving"),
    paused: () => _("Paused"),
    idle: () => _("Please wait to be called"),
    closed: () => _("Not open"),
  };

  function servesText(s) {
    const parts = [];
    if (s.all) parts.push(_("every matter"));
    if (s.undifferentiated) parts.push(_("general matters"));
    parts.push(...s.domains, ...s.departments, ...s.matters);
    return parts.join(" · ");
  }

  function gone() {
    $("gone").hidden = false;
    document.documentElement.dataset.gone = "true";
    document.title = _("No such window");
  }

  function apply(d) {
    state.data = d;
    state.offset = d.now * 1000 - Date.now();
    Hall.applyLook(d.look);
    clock.tz = d.timezone;
    clock.tick();
    document.body.dataset.state = d.state;
    document.documentElement.dataset.version = String(d.version);
    const title = _("Window {window}", { window: d.window });
    document.title = `${title} · ${d.look.hall}`;
    $("number").textContent = title;
    $("name").textContent = d.name;
    $("state").textContent = STATES[d.state] ? STATES[d.state]() : d.state;
    const showsTicket = d.ticket && (d.state === "calling" || d.state === "serving");
    $("ticket").textContent = showsTicket ? d.ticket : "";
    $("ticket").hidden = !showsTicket;
    let detail = "";
    if (d.state === "paused") detail = d.reason;
    else if (d.state === "calling") detail = _("Please come to this window");
    $("detail").textContent = detail;
    $("detail").hidden = !detail;
    $("serves").textContent = servesText(d.serves);
    $("serves").dataset.changed = String(d.changed);
    const clerk = d.clerk;
    $("clerk").hidden = !clerk;
    if (clerk) {
      $("staff-number").textContent = clerk.staff_number || "—";
      $("clerk-name").textContent = clerk.name;
    }
  }

  async function read() {
    if (!number) {
      gone();
      return;
    }
    try {
      const r = await Hall.getJSON(`${Hall.root}/api/screen/${number}`);
      if (r.status === 404) gone();
      else if (r.ok) apply(r.body);
    } catch (e) {
      Hall.showLink(false);
    }
  }

  const refreshSoon = Hall.throttle(read, 250);
  const clock = Hall.hallClock(() => state.offset);

  function onEvent(name, d) {
    if (d && d.window && d.window !== number) return; // another window's
    refreshSoon();
  }

  function start() {
    $("number").textContent = _("Window {window}", { window: number });
    clock.tick();
    setInterval(() => clock.tick(), 1000);
    Hall.live({
      events: [
        "ticket_called",
        "ticket_changed",
        "queue_changed",
        "window_changed",
        "hall_changed",
        "seat_changed",
        "day_closed",
      ],
      onEvent,
      onSync: () => read(),
    });
    read();
    setInterval(read, 30000);
    window.hallWindow = { state, read };
  }

  start();
})();
