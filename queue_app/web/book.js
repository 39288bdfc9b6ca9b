// The citizen's booking pages, phone first. /book: find the matter (the desk's search:
// names, pinyin, initials), pick a day and a half-hour slot with free places, give a
// mobile number, get the 6-digit code, its QR and the link to /book/<code>. /book/<code>:
// the booking's slot and state; cancel and move (with the number booked with); check-in
// while its window is open (the button wakes by itself), then the ticket and the link to
// its status page. The server's refusals are shown in the page's language.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const root = Hall.root;
  const query = new URLSearchParams(location.search);
  const lang = document.documentElement.lang.startsWith("en") ? "en" : "zh";
  const parts = location.pathname.split("/").filter(Boolean);
  const code = parts[parts.length - 2] === "book" ? decodeURIComponent(parts[parts.length - 1]) : null;
  const HITS = 8;
  const MOBILE = /^1[3-9]\d{9}$/;
  let skew = 0; // the server's clock minus this one's, ms (from the answers' Date header)

  // ------------------------------------------------------------------ requests
  async function call(method, path, body, key) {
    const headers = { Accept: "application/json", "Accept-Language": lang };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    let r;
    try {
      r = await fetch(`${root}${path}`, {
        method,
        headers,
        cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      $("offline").hidden = false;
      return { ok: false, status: 0, body: null };
    }
    $("offline").hidden = r.status < 500;
    const date = Date.parse(r.headers.get("Date") || "");
    if (Number.isFinite(date)) skew = date - Date.now();
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
    return { ok: r.ok, status: r.status, body: data };
  }

  const now = () => (Date.now() + skew) / 1000; // POSIX seconds on the server's clock

  function refusal(r) {
    const e = r.body && r.body.error;
    if (!e) {
      return r.status === 0 || r.status >= 500
        ? _("The hall server cannot be reached: try again")
        : _("Something went wrong: please try again.");
    }
    return (lang === "en" ? e.message_en : e.message_zh) || e.message_en || e.message_zh;
  }

  function say(id, text) {
    $(id).textContent = text || "";
    $(id).hidden = !text;
  }

  function attemptKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "book-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // "138 0013 8000", "+86 13800138000" → "13800138000"; anything else as typed (refused)
  function normalMobile(text) {
    let digits = text.replace(/[\s-]/g, "");
    if (digits.startsWith("+86")) digits = digits.slice(3);
    else if (digits.startsWith("0086")) digits = digits.slice(4);
    return digits;
  }

  function mobileOrSay(input, errorId) {
    const m = normalMobile($(input).value);
    if (!MOBILE.test(m)) {
      say(errorId, _("Enter an 11-digit mobile number starting with 1."));
      $(input).focus();
      return null;
    }
    say(errorId, "");
    return m;
  }

  function withLang(path) {
    return query.get("lang") ? `${path}?lang=${encodeURIComponent(query.get("lang"))}` : path;
  }

  // ------------------------------------------------------------------ days and times
  function dayName(day) {
    const d = new Date(`${day}T00:00:00Z`);
    const part = (o) => new Intl.DateTimeFormat(Hall.lang, { ...o, timeZone: "UTC" }).format(d);
    const date = part({ month: lang === "en" ? "short" : "long", day: "numeric" });
    const weekday = part({ weekday: "short" });
    return lang === "en" ? `${weekday} ${date}` : `${date} ${weekday}`;
  }

  function whenLine(b) {
    return `${dayName(b.day)} ${b.start}–${b.end}`;
  }

  // "09:30" less ``seconds`` as "HH:MM" (hall time; the hall's zone keeps no summer time)
  function before(hhmm, seconds) {
    const [h, m] = hhmm.split(":").map(Number);
    const total = (((h * 60 + m - Math.round(seconds / 60)) % 1440) + 1440) % 1440;
    return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
  }

  // A day's tabs and its slots; pick(slot) on a tap of a free one. ``current``: the slot
  // booked now (shown, not offered), on ``day`` (the day shown first).
  function slotPicker(ids, data, pick, current, day) {
    let chosenDay = day || null;
    const days = data.days.filter((d) => d.slots.length);
    function open(day) {
      chosenDay = day.day;
      for (const tab of $(ids.days).children) {
        const chosen = tab.dataset.day === day.day;
        tab.setAttribute("aria-selected", String(chosen));
        if (chosen) $(ids.days).scrollLeft = Math.max(0, tab.offsetLeft - 8); // in view
      }
      const t = now();
      const buttons = day.slots.map((s) => {
        const b = el("button", "slot");
        b.type = "button";
        b.dataset.at = String(s.at);
        b.dataset.start = s.start;
        b.append(el("span", "slot-time", `${s.start}–${s.end}`));
        let state;
        if (current === s.at) state = _("Your booking");
        else if (s.closed) state = _("Closed");
        else if (s.at < t) state = _("Past");
        else if (s.free <= 0) state = _("Full");
        else state = _("{count} free", { count: s.free });
        b.append(el("span", "slot-free", state));
        const free = current !== s.at && !s.closed && s.at >= t && s.free > 0;
        b.disabled = !free;
        b.dataset.state = current === s.at ? "current" : s.closed ? "closed" : !free ? "full" : "free";
        if (free) b.addEventListener("click", () => pick(s, day));
        return b;
      });
      $(ids.slots).replaceChildren(...buttons);
      const open = day.slots.some((s) => !s.closed && s.free > 0 && s.at >= t && s.at !== current);
      $(ids.note).textContent = open ? "" : _("No free time on this day: choose another day.");
    }
    $(ids.days).replaceChildren(
      ...days.map((d) => {
        const b = el("button", "day");
        b.type = "button";
        b.setAttribute("role", "tab");
        b.dataset.day = d.day;
        b.append(el("span", "day-name", dayName(d.day)));
        const free = d.slots.filter((s) => !s.closed && s.at >= now()).reduce((n, s) => n + Math.max(0, s.free), 0);
        b.append(el("span", "day-free", free ? _("{count} free", { count: free }) : _("Full")));
        b.addEventListener("click", () => open(d));
        return b;
      })
    );
    if (!days.length) {
      $(ids.slots).replaceChildren();
      $(ids.note).textContent = _("No times can be booked for this now.");
      return;
    }
    const first = days.find((d) => d.slots.some((s) => !s.closed && s.free > 0 && s.at >= now())) || days[0];
    open(days.find((d) => d.day === chosenDay) || first);
  }

  function slotsQuery(matters, bundle) {
    return bundle ? `bundle=${encodeURIComponent(bundle)}` : `matters=${matters.map(encodeURIComponent).join(",")}`;
  }

  // ------------------------------------------------------------------ /book
  const pick = { matters: [], names: {}, bundle: null, slot: null, seq: 0 };

  async function search() {
    const text = $("q").value.trim();
    const seq = ++pick.seq;
    if (!text) {
      $("hits").replaceChildren();
      $("no-hits").hidden = true;
      return;
    }
    const r = await call("GET", `/api/catalog/search?q=${encodeURIComponent(text)}&limit=${HITS}`);
    if (seq !== pick.seq || !r.ok) return; // a later key's answer wins
    $("hits").replaceChildren(
      ...r.body.map((h) => {
        const li = el("li");
        const b = el("button", "hit");
        b.type = "button";
        b.dataset.code = h.code;
        b.dataset.kind = h.kind;
        b.append(el("span", "hit-name", h.name));
        if (h.kind === "bundle") b.append(el("span", "hit-sub", _("One-visit bundle")));
        b.addEventListener("click", () => choose(h));
        li.append(b);
        return li;
      })
    );
    $("no-hits").hidden = r.body.length > 0;
  }

  function choose(h) {
    pick.names[h.code] = h.name;
    if (h.kind === "bundle") {
      pick.bundle = h.code;
      pick.matters = [];
    } else if (!pick.matters.includes(h.code)) {
      pick.bundle = null;
      pick.matters.push(h.code);
    }
    $("q").value = "";
    $("hits").replaceChildren();
    $("no-hits").hidden = true;
    drawChosen();
  }

  function drawChosen() {
    const codes = pick.bundle ? [pick.bundle] : pick.matters;
    $("chosen").replaceChildren(
      ...codes.map((c) => {
        const li = el("li", "chip");
        li.dataset.code = c;
        li.append(el("span", "", pick.names[c] || c));
        const x = el("button", "chip-x", "×");
        x.type = "button";
        x.setAttribute("aria-label", _("Remove this matter"));
        x.addEventListener("click", () => {
          if (pick.bundle === c) pick.bundle = null;
          pick.matters = pick.matters.filter((m) => m !== c);
          drawChosen();
        });
        li.append(x);
        return li;
      })
    );
    $("chosen-box").hidden = !codes.length;
    $("to-slots").disabled = !codes.length;
    $("when").hidden = true;
    $("who").hidden = true;
    pick.slot = null;
  }

  async function loadSlots() {
    const button = $("to-slots");
    button.disabled = true;
    const r = await call("GET", `/api/book/slots?${slotsQuery(pick.matters, pick.bundle)}`);
    button.disabled = false;
    $("when").hidden = false;
    $("who").hidden = true;
    if (!r.ok) {
      $("days").replaceChildren();
      $("slots").replaceChildren();
      $("slots-note").textContent = refusal(r);
      return;
    }
    slotPicker({ days: "days", slots: "slots", note: "slots-note" }, r.body, pickSlot, null);
    $("when").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function pickSlot(s, day) {
    pick.slot = s;
    for (const b of $("slots").children) b.setAttribute("aria-pressed", String(b.dataset.at === String(s.at)));
    $("picked").textContent = whenLine({ day: day.day, start: s.start, end: s.end });
    say("book-error", "");
    $("who").hidden = false;
    $("who").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  async function book(ev) {
    ev.preventDefault();
    if (!pick.slot) return;
    const mobile = mobileOrSay("mobile", "book-error");
    if (!mobile) return;
    const button = $("book-go");
    button.disabled = true;
    const body = { matters: pick.bundle ? [] : pick.matters, bundle: pick.bundle, at: pick.slot.at, mobile };
    try {
      const r = await call("POST", "/api/bookings", body, attemptKey());
      if (!r.ok) {
        say("book-error", refusal(r));
        const code = r.body && r.body.error && r.body.error.code;
        if (code === "slot_full" || code === "slot_closed" || code === "slot_past") loadSlots();
        return;
      }
      booked(r.body);
    } finally {
      button.disabled = false;
    }
  }

  function booked(b) {
    for (const id of ["find", "when", "who"]) $(id).hidden = true;
    $("booked-code").textContent = b.code;
    $("booked-when").textContent = whenLine(b);
    $("booked-qr").src = `${root}/api/bookings/${encodeURIComponent(b.code)}/qr.svg`;
    const link = $("booked-link");
    link.href = withLang(`${root}/book/${encodeURIComponent(b.code)}`);
    link.textContent = _("Open my booking page");
    $("booked").dataset.code = b.code;
    $("booked").hidden = false;
    window.scrollTo(0, 0);
  }

  function startNew() {
    let timer = null;
    $("q").addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    $("q").addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        const first = $("hits").querySelector("button");
        if (first) first.click();
      }
    });
    $("to-slots").addEventListener("click", loadSlots);
    $("book-form").addEventListener("submit", book);
    $("new").hidden = false;
    $("q").focus();
  }

  // ------------------------------------------------------------------ /book/<code>
  const LABELS = {
    booked: _("Booked"),
    checked_in: _("Checked in"),
    cancelled: _("Cancelled"),
    no_show: _("Missed"),
  };
  let current = null;
  let wake = null;
  let cancelArmed = false;

  async function load() {
    const r = await call("GET", `/api/bookings/${encodeURIComponent(code)}`);
    if (r.status === 404) return gone();
    if (r.ok) show(r.body);
  }

  function gone() {
    $("one").hidden = true;
    $("gone").hidden = false;
    document.title = _("No such booking");
  }

  function show(b) {
    current = b;
    $("b-code").textContent = b.code;
    $("b-badge").textContent = LABELS[b.status] || b.status;
    $("b-badge").dataset.status = b.status;
    document.body.dataset.status = b.status;
    $("b-when").textContent = whenLine(b);
    $("b-matters").replaceChildren(...b.matters.map((m) => el("li", "", m.name)));
    $("b-mobile").textContent = b.mobile;
    const active = b.status === "booked";
    $("checkin").hidden = !active;
    $("manage").hidden = !active;
    if (!active) $("move").hidden = true;
    $("ticket").hidden = !(b.status === "checked_in" && b.ticket);
    if (b.ticket) {
      $("t-number").textContent = b.ticket;
      $("t-link").href = b.ticket_token ? withLang(`${root}/t/${encodeURIComponent(b.ticket_token)}`) : "";
      $("t-link").hidden = !b.ticket_token;
    }
    if (b.status === "cancelled") say("changed", _("This booking was cancelled."));
    else if (b.status === "no_show") {
      say("changed", _("This booking was missed: its time passed without a check-in. To be served, take a walk-in ticket at the kiosk or the front desk."));
    }
    else if (b.status === "checked_in") say("changed", "");
    checkInState();
    document.title = b.code + " · " + _("Booking");
    $("one").hidden = false;
  }

  // the check-in button wakes when its window opens and sleeps when it closes
  function checkInState() {
    clearTimeout(wake);
    const b = current;
    if (!b || b.status !== "booked") return;
    const t = now();
    const button = $("checkin-go");
    let next = null;
    if (t < b.check_in_from) {
      button.disabled = true;
      $("checkin-note").textContent = _("Check-in opens at {time} on the day, at the hall.", {
        time: before(b.start, b.at - b.check_in_from),
      });
      next = b.check_in_from;
    } else if (t <= b.check_in_until) {
      button.disabled = false;
      $("checkin-note").textContent = _("At the hall? Check in now until {time} to take your number.", {
        time: before(b.start, b.at - b.check_in_until),
      });
      next = b.check_in_until;
    } else {
      button.disabled = true;
      $("checkin-note").textContent = _("Too late to check in. Please take a walk-in ticket at the kiosk or the front desk.");
    }
    document.body.dataset.checkin = button.disabled ? (next ? "early" : "late") : "open";
    if (next !== null) wake = setTimeout(checkInState, Math.min(Math.max(0, (next - t) * 1000) + 500, 2 ** 31 - 1));
  }

  async function checkIn() {
    const button = $("checkin-go");
    button.disabled = true;
    const r = await call("POST", `/api/bookings/${encodeURIComponent(code)}/check-in`, {}, attemptKey());
    if (!r.ok) {
      say("checkin-error", refusal(r));
      await load();
      return;
    }
    say("checkin-error", "");
    await load();
  }

  async function cancel() {
    const mobile = mobileOrSay("m-mobile", "manage-error");
    if (!mobile) return;
    const button = $("cancel-go");
    if (!cancelArmed) {
      cancelArmed = true;
      button.textContent = _("Tap again to cancel the booking");
      button.classList.add("armed");
      return;
    }
    button.disabled = true;
    const r = await call("POST", `/api/bookings/${encodeURIComponent(code)}/cancel`, { mobile });
    button.disabled = false;
    disarm();
    if (!r.ok) return say("manage-error", refusal(r));
    show(r.body && r.body.code ? r.body : current);
    await load();
  }

  function disarm() {
    cancelArmed = false;
    $("cancel-go").textContent = _("Cancel booking");
    $("cancel-go").classList.remove("armed");
  }

  async function openMove() {
    disarm();
    const mobile = mobileOrSay("m-mobile", "manage-error");
    if (!mobile) return;
    const matters = current.matters.map((m) => m.code);
    const r = await call("GET", `/api/book/slots?${slotsQuery(matters, null)}`);
    $("move").hidden = false;
    if (!r.ok) {
      $("m-days").replaceChildren();
      $("m-slots").replaceChildren();
      $("m-slots-note").textContent = refusal(r);
      return;
    }
    const ids = { days: "m-days", slots: "m-slots", note: "m-slots-note" };
    slotPicker(ids, r.body, move, current.at, current.day);
    $("move").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  async function move(s) {
    const mobile = mobileOrSay("m-mobile", "manage-error");
    if (!mobile) return;
    for (const b of $("m-slots").children) b.disabled = true;
    const body = { mobile, at: s.at };
    const r = await call("POST", `/api/bookings/${encodeURIComponent(code)}/move`, body, attemptKey());
    if (!r.ok) {
      await openMove();
      say("manage-error", refusal(r)); // after the slots are read again (a slot taken meanwhile)
      return;
    }
    $("move").hidden = true;
    show(r.body);
    say("changed", _("Moved to {when}.", { when: whenLine(r.body) }));
    window.scrollTo(0, 0);
  }

  function startOne() {
    if (!/^\d{6}$/.test(code || "")) return gone();
    $("checkin-go").addEventListener("click", checkIn);
    $("cancel-go").addEventListener("click", cancel);
    $("move-open").addEventListener("click", openMove);
    $("m-mobile").addEventListener("input", disarm);
    load();
    setInterval(load, 30000); // a check-in at the kiosk, a move elsewhere: seen here soon
  }

  // ------------------------------------------------------------------ set-up
  async function hallName() {
    const r = await call("GET", "/api/health");
    if (r.ok && r.body.hall) {
      $("hall").textContent = r.body.hall;
      if (!code) document.title = r.body.hall + " · " + _("Book a visit");
    }
  }

  $("lang").addEventListener("click", () => {
    query.set("lang", $("lang").dataset.lang);
    location.search = query.toString();
  });
  $("gone-link").href = withLang(`${root}/book`);
  hallName();
  if (code === null) startNew();
  else startOne();
})();
