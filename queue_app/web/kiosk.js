// The self-service kiosk (/kiosk): a touch screen where citizens take their own ticket.
// Signed in once with a kiosk account (the token kept in localStorage). The start screen
// shows the hall's common matters and 一件事 bundles by theme; a pinyin-initials keyboard
// searches the catalog as the desk does; the guide comes before the ticket; the slip is
// shown with the QR code of its status page, then the kiosk goes back to the start.
// "I have a booking": the 6-digit code on a keypad checks the booking in (its ticket's
// slip prints at this kiosk's station); too late, its matters as a walk-in in one tap.
//
// A tap on "Take a ticket" is one attempt with one Idempotency-Key: the button is disabled
// at once, and a request whose answer was lost is sent again with the same key until the
// server answers, so the citizen gets one ticket, never two. While the server cannot be
// reached, a notice says so and the kiosk keeps trying with back-off; then carries on.
"use strict";

const hallKiosk = (() => {
  const { $, el, _ } = Hall;
  const root = Hall.root;
  const query = new URLSearchParams(location.search);
  const station = query.get("station");
  const lang = document.documentElement.lang.startsWith("en") ? "en" : "zh";
  const TOKEN_KEY = `queue_app.kiosk.token:${root || "/"}`;
  const seconds = (name, fallback) => {
    const n = parseInt(query.get(name) || "", 10);
    return Number.isFinite(n) && n >= 2 && n <= 600 ? n : fallback;
  };
  const SLIP_S = seconds("slip", 30); // the slip shows this long
  const IDLE_S = seconds("idle", 90); // a search or guide left alone goes back to the start
  const PAGE = 8; // search hits shown
  const KEYS = "QWERTYUIOPASDFGHJKLZXCVBNM";

  const state = {
    token: localStorage.getItem(TOKEN_KEY),
    menu: null,
    notHandled: {},
    publicUrl: null,
    theme: "person",
    typed: "",
    searchSeq: 0,
    chosen: null, // {kind, code}
    code: "", // the booking code typed
    late: null, // the matters of a booking too late to check in: a walk-in ticket offered
    issuing: false,
    screen: "start",
    offline: false,
  };
  let idleTimer = null;
  let slipTimer = null;
  let countdown = null;

  // ------------------------------------------------------------------ requests
  class Offline extends Error {}

  // One request to the API; a network failure or a 5xx answer is Offline (try again).
  async function call(method, path, { body, key } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": lang };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
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
      throw new Offline(String(e));
    }
    if (r.status >= 500) throw new Offline(`HTTP ${r.status}`);
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
    return { ok: r.ok, status: r.status, body: data };
  }

  // call() again and again until the server answers (with back-off, and jitter so kiosks
  // cut off together do not all come back at once); the offline notice shows meanwhile.
  async function persist(method, path, opts) {
    let wait = 500;
    for (;;) {
      try {
        const r = await call(method, path, opts);
        online(true);
        return r;
      } catch (e) {
        if (!(e instanceof Offline)) throw e;
        online(false);
        await new Promise((ok) => setTimeout(ok, wait * (1 + Math.random() / 2)));
        wait = Math.min(wait * 2, 8000);
      }
    }
  }

  function online(up) {
    const was = state.offline;
    state.offline = !up;
    $("offline").hidden = up;
    document.documentElement.dataset.link = up ? "up" : "down";
    if (up && was && state.screen === "start") loadMenu(); // back: what it offers may differ
  }

  // the refusal's words in the page's language (the API gives both), never a raw error
  function refusalText(r) {
    const e = r.body && r.body.error;
    if (!e) return _("Something went wrong: please ask at the help desk.");
    return (lang === "en" ? e.message_en : e.message_zh) || e.message_en || e.message_zh;
  }

  function attemptKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "kiosk-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ------------------------------------------------------------------ screens
  function show(name) {
    state.screen = name;
    document.documentElement.dataset.screen = name;
    for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== name;
    clearTimeout(idleTimer);
    if (name === "search" || name === "guide" || name === "booking") idleTimer = setTimeout(home, IDLE_S * 1000);
    window.scrollTo(0, 0);
  }

  function touched() {
    if (["search", "guide", "booking"].includes(state.screen)) show(state.screen);
  }

  function home() {
    clearTimeout(slipTimer);
    clearInterval(countdown);
    state.chosen = null;
    state.code = "";
    state.late = null;
    show("start");
    loadMenu();
  }

  function needSignIn(message) {
    state.token = null;
    localStorage.removeItem(TOKEN_KEY);
    $("signin-error").hidden = !message;
    $("signin-error").textContent = message || "";
    show("signin");
  }

  // ------------------------------------------------------------------ sign-in
  async function signIn(ev) {
    ev.preventDefault();
    const body = { username: $("username").value.trim(), password: $("password").value };
    if (station) body.station = station;
    const button = $("signin-go");
    button.disabled = true;
    try {
      const r = await persist("POST", "/api/auth/sign-in", { body });
      if (!r.ok) {
        needSignIn(refusalText(r));
        return;
      }
      if (r.body.role !== "kiosk") {
        await call("POST", "/api/auth/sign-out").catch(() => null);
        needSignIn(_("Sign in with a kiosk account: this one is for other work."));
        return;
      }
      state.token = r.body.token;
      localStorage.setItem(TOKEN_KEY, state.token);
      $("password").value = "";
      home();
    } finally {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------------ start
  async function loadMenu() {
    if (!state.token) {
      needSignIn("");
      return;
    }
    const r = await persist("GET", "/api/kiosk/menu");
    if (r.status === 401) return needSignIn(_("Signed out: please sign in again."));
    if (!r.ok) return needSignIn(refusalText(r));
    state.menu = r.body;
    drawChoices();
  }

  function drawChoices() {
    for (const tab of document.querySelectorAll("[data-theme-tab]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.themeTab === state.theme));
    }
    const list = (state.menu && state.menu[state.theme]) || [];
    const buttons = list.map((c) => {
      const b = el("button", "choice");
      b.type = "button";
      b.dataset.kind = c.kind;
      b.dataset.code = c.code;
      b.append(el("span", "choice-name", c.name));
      const sub =
        c.kind === "bundle"
          ? c.audience === "enterprise"
            ? _("For businesses")
            : _("For individuals")
          : c.domain;
      b.append(el("span", "choice-sub", sub));
      b.addEventListener("click", () => openGuide(c.kind, c.code));
      return b;
    });
    if (!buttons.length) buttons.push(el("p", "hint", _("Nothing to offer here: please ask at the help desk.")));
    $("choices").replaceChildren(...buttons);
  }

  // ------------------------------------------------------------------ search
  function drawKeys() {
    const keys = [...KEYS].map((k) => key(k, k, () => type(state.typed + k)));
    keys.push(key("⌫", _("Delete"), () => type(state.typed.slice(0, -1)), "wide"));
    keys.push(key(_("Clear"), _("Clear"), () => type(""), "wide"));
    $("keys").replaceChildren(...keys);
  }

  function key(text, label, action, cls) {
    const b = el("button", "key" + (cls ? " " + cls : ""), text);
    b.type = "button";
    b.dataset.key = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", action);
    return b;
  }

  async function type(text) {
    state.typed = text.slice(0, 12);
    $("typed").textContent = state.typed;
    $("typed-hint").hidden = state.typed !== "";
    const seq = ++state.searchSeq;
    if (!state.typed) {
      $("hits").replaceChildren();
      $("no-hits").hidden = true;
      return;
    }
    const q = encodeURIComponent(state.typed.toLowerCase());
    const r = await persist("GET", `/api/catalog/search?q=${q}&limit=${PAGE}`);
    if (seq !== state.searchSeq || !r.ok) return; // a later letter's answer wins
    $("hits").replaceChildren(...r.body.map(hit));
    $("no-hits").hidden = r.body.length > 0;
  }

  function hit(h) {
    const li = el("li");
    const b = el("button", "hit");
    b.type = "button";
    b.dataset.code = h.code;
    b.append(el("span", "choice-name", h.name));
    const elsewhere = h.kind === "matter" && h.code in state.notHandled;
    const sub = elsewhere ? _("Not handled in this hall") : h.kind === "bundle" ? _("One-visit bundle") : "";
    if (sub) b.append(el("span", "choice-sub" + (elsewhere ? " warn" : ""), sub));
    b.addEventListener("click", () => openGuide(h.kind, h.code));
    li.append(b);
    return li;
  }

  // ------------------------------------------------------------------ guide
  async function openGuide(kind, code) {
    state.chosen = { kind, code };
    $("busy").hidden = false;
    const r = await persist("GET", `/api/kiosk/guide?${kind}=${encodeURIComponent(code)}`);
    $("busy").hidden = true;
    if (r.status === 401) return needSignIn(_("Signed out: please sign in again."));
    if (!r.ok) return;
    drawGuide(r.body);
    show("guide");
  }

  // 1, 2, 3, 4, 7 as "1–4, 7"
  function runs(numbers) {
    const out = [];
    for (let i = 0; i < numbers.length; ) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
      out.push(j - i >= 2 ? `${numbers[i]}–${numbers[j]}` : numbers.slice(i, j + 1).join(", "));
      i = j + 1;
    }
    return out.join(", ");
  }

  function promised(m) {
    return m.immediate
      ? _("Done on the spot")
      : _("Promised within {days} working days", { days: m.promised_days });
  }

  function drawGuide(g) {
    $("guide-kind").textContent = g.kind === "bundle" ? _("One-visit bundle") : _("Matter");
    $("guide-name").textContent = g.name;
    $("guide-desc").textContent = g.description;
    $("guide-desc").hidden = !g.description;
    $("guide-here").hidden = !g.handled;
    $("guide-elsewhere").hidden = g.handled;
    $("issue").hidden = !g.handled;
    $("issue").disabled = false;
    $("refusal").hidden = true;
    $("guide-class").textContent = `${g.class_prefix} ${g.class_name}`;
    $("guide-waiting").textContent =
      g.waiting === 1 ? _("{count} person", { count: g.waiting }) : _("{count} people", { count: g.waiting });
    const open = g.windows.filter((w) => w.open).map((w) => w.number);
    $("guide-windows").textContent = open.length
      ? _("Windows {windows}", { windows: runs(open) })
      : _("No window open now");
    $("guide-places").replaceChildren(
      ...g.places.map((p) => {
        const li = el("li");
        li.append(el("b", "", _("Go to {place}", { place: p.name })));
        for (const line of [p.address, p.hours, p.phone, p.note]) if (line) li.append(el("span", "", line));
        return li;
      })
    );
    if (!g.handled && !g.places.length) {
      $("guide-places").replaceChildren(el("li", "", _("Please ask at the help desk where to go.")));
    }
    $("guide-matters").replaceChildren(
      ...g.matters.map((m) => {
        const box = el("div", "matter");
        const head = el("h4", "", m.name);
        box.append(head, el("p", "hint", `${m.department} · ${promised(m)}`));
        if (!m.handled) box.append(el("p", "warn", _("Not handled in this hall")));
        const ul = el("ul", "checklist");
        for (const mat of m.materials) {
          const name = mat.required ? mat.name : _("{material} (if any)", { material: mat.name });
          const li = el("li");
          li.append(el("span", "mat-name", name), el("span", "mat-form", `${mat.form} × ${mat.copies}`));
          ul.append(li);
        }
        if (!m.materials.length) ul.append(el("li", "hint", _("Your ID card; the window tells you if more is needed.")));
        box.append(ul);
        return box;
      })
    );
  }

  // ------------------------------------------------------------------ issue
  async function issue() {
    if (!state.chosen) return;
    const { kind, code } = state.chosen;
    const body = kind === "bundle" ? { bundle: code } : { matters: [code] };
    await post("/api/tickets", body, $("issue"), $("refusal"));
  }

  // One attempt to get a ticket (a new one, or a booking's at its check-in): one
  // Idempotency-Key, sent again until the server answers; the slip on success, the
  // refusal in ``said`` otherwise (returned, for the caller to act on it).
  async function post(path, body, button, said) {
    if (state.issuing) return null; // a second tap of the same attempt
    state.issuing = true;
    button.disabled = true;
    const key = attemptKey(); // this attempt's: a retry sends it again
    $("busy").hidden = false;
    try {
      const r = await persist("POST", path, { body, key });
      if (r.status === 401) {
        needSignIn(_("Signed out: please sign in again."));
        return null;
      }
      if (!r.ok) {
        said.textContent = refusalText(r);
        said.hidden = false;
        button.disabled = false; // a new tap is a new attempt
        return r;
      }
      drawSlip(r.body);
      return r;
    } finally {
      $("busy").hidden = true;
      state.issuing = false;
    }
  }

  // ------------------------------------------------------------------ a booking
  function openBooking() {
    state.code = "";
    state.late = null;
    drawCode();
    show("booking");
  }

  function drawPad() {
    const keys = [..."123456789"].map((d) => key(d, d, () => typeCode(state.code + d)));
    keys.push(key("⌫", _("Delete"), () => typeCode(state.code.slice(0, -1)), "wide"));
    keys.push(key("0", "0", () => typeCode(state.code + "0")));
    keys.push(key(_("Clear"), _("Clear"), () => typeCode(""), "wide"));
    $("pad").replaceChildren(...keys);
  }

  function typeCode(text) {
    state.code = text.replace(/\D/g, "").slice(0, 6);
    state.late = null;
    drawCode();
  }

  function drawCode() {
    const boxes = [];
    for (let i = 0; i < 6; i++) boxes.push(el("span", "code-box" + (i === state.code.length ? " next" : ""), state.code[i] || ""));
    $("code").replaceChildren(...boxes);
    $("code").dataset.code = state.code;
    $("check-in").disabled = state.code.length !== 6 || state.issuing;
    $("booking-refusal").hidden = true;
    $("walk-in").hidden = true;
  }

  async function checkIn() {
    if (state.code.length !== 6) return;
    const code = state.code;
    const r = await post(`/api/bookings/${code}/check-in`, {}, $("check-in"), $("booking-refusal"));
    const refused = r && !r.ok && r.body && r.body.error;
    const late = refused && ["booking_late", "booking_not_active"].includes(refused.code);
    if (!late) return;
    // too late for the booking (or missed already): its matters as a walk-in, in one tap
    const b = await persist("GET", `/api/bookings/${code}`);
    const missed = b.ok && (refused.code === "booking_late" || b.body.status === "no_show");
    if (!missed || !b.body.matters.length || state.code !== code) return;
    state.late = b.body.matters.map((m) => m.code);
    const names = b.body.matters.map((m) => m.name).join(lang === "en" ? ", " : "、");
    $("walk-in").textContent = _("Take a walk-in ticket for {matters}", { matters: names });
    $("walk-in").hidden = false;
    $("walk-in").disabled = false;
    $("check-in").disabled = true; // this code will not check in: the walk-in is the way
  }

  async function walkIn() {
    if (!state.late) return;
    await post("/api/tickets", { matters: state.late }, $("walk-in"), $("booking-refusal"));
  }

  function wait(m) {
    if (m === null || m === undefined) return _("No window open now");
    if (m < 1) return _("Almost your turn");
    return _("{minutes} min", { minutes: Math.round(m) });
  }

  function drawSlip(s) {
    const t = s.ticket;
    $("slip-number").textContent = t.number;
    $("slip-class").textContent = s.class_name;
    $("slip-ahead").textContent =
      s.ahead === 1 ? _("{count} person", { count: s.ahead }) : _("{count} people", { count: s.ahead });
    $("slip-wait").textContent = wait(s.estimated_wait_minutes);
    $("slip-windows").textContent = s.windows.length
      ? _("Served at windows {windows}", { windows: runs(s.windows) })
      : "";
    $("slip-printed").textContent = station ? _("Please take your printed slip.") : "";
    $("slip-printed").hidden = !station;
    const base = (state.publicUrl || location.origin + root).replace(/\/+$/, "");
    const url = `${base}/t/${s.token}`;
    $("slip-url").textContent = url;
    $("slip").dataset.url = url;
    $("slip").dataset.number = t.number;
    $("slip-qr").src = `${root}/api/status/${encodeURIComponent(s.token)}/qr.svg`;
    show("slip");
    let left = SLIP_S;
    const tick = () => {
      $("slip-countdown").textContent = _("Back to the start in {seconds} s", { seconds: left });
      left -= 1;
    };
    tick();
    clearInterval(countdown);
    countdown = setInterval(tick, 1000);
    clearTimeout(slipTimer);
    slipTimer = setTimeout(home, SLIP_S * 1000);
  }

  // ------------------------------------------------------------------ set-up
  async function health() {
    try {
      const r = await call("GET", "/api/health");
      if (r.ok) {
        $("hall").textContent = r.body.hall;
        state.publicUrl = r.body.public_url || null;
        document.title = r.body.hall + " · " + _("Self-service tickets");
      }
      online(true);
    } catch (e) {
      online(false);
    }
  }

  // watch the server while nobody taps: the notice shows, and the menu comes back with it
  async function watch() {
    await health();
    setTimeout(watch, state.offline ? 2000 : 10000);
  }

  async function referrals() {
    const r = await persist("GET", "/api/referrals");
    if (r.ok) state.notHandled = r.body.not_handled;
    // the server builds its pinyin index on the first search: not while a citizen waits
    call("GET", "/api/catalog/search?q=a&limit=1").catch(() => null);
  }

  function start() {
    $("signin-form").addEventListener("submit", signIn);
    for (const tab of document.querySelectorAll("[data-theme-tab]")) {
      tab.addEventListener("click", () => {
        state.theme = tab.dataset.themeTab;
        drawChoices();
      });
    }
    $("to-search").addEventListener("click", () => {
      type("");
      show("search");
    });
    for (const b of document.querySelectorAll("[data-back]")) b.addEventListener("click", home);
    $("issue").addEventListener("click", issue);
    $("to-booking").addEventListener("click", openBooking);
    $("check-in").addEventListener("click", checkIn);
    $("walk-in").addEventListener("click", walkIn);
    $("done").addEventListener("click", home);
    $("lang").addEventListener("click", () => {
      query.set("lang", $("lang").dataset.lang);
      location.search = query.toString();
    });
    document.addEventListener("pointerdown", touched, true);
    document.addEventListener("contextmenu", (e) => e.preventDefault()); // long press
    drawKeys();
    drawPad();
    watch();
    referrals();
    if (state.token) home();
    else needSignIn("");
  }

  start();
  return { state };
})();
