// The 评价器 (/rate/<n>): a tablet facing the citizen at window n. Signed in once as the
// window's rater account (the token kept in localStorage), it sleeps until the clerk
// finishes a visit there, then shows the number and the five levels (for 不满意 and
// 非常不满意 the reasons); it thanks, and sleeps again after the hall's awake time
// (ratings.device_awake_seconds) or when the window calls the next number. It follows
// /api/events and reads /api/windows/<n>/rater on every event of its window and every
// (re)connection: a server that was away is caught up with by itself.
"use strict";

(() => {
  const { $, _ } = Hall;
  const win = parseInt(location.pathname.split("/").filter(Boolean).pop() || "", 10);
  const KEY = `queue_app.rater:${Hall.root}:${win}`;
  const THANKS_MS = 6000; // the thanks, then sleep
  const POLL_MS = 30000; // in case the stream is cut somewhere between
  let token = null;
  try {
    token = localStorage.getItem(KEY);
  } catch (e) {
    token = null;
  }
  let offset = 0; // the server's clock minus this one's, ms
  let current = null; // the number awake for
  let deadline = 0; // when to sleep, on this clock
  let timer = null;
  let link = null;
  let poll = null;
  let choice = null;

  const MODES = ["signin", "sleep", "awake", "thanks", "missing"];
  function mode(name) {
    for (const m of MODES) $(m).hidden = m !== name;
    document.body.dataset.mode = name;
  }

  function remember(t) {
    token = t;
    try {
      if (t) localStorage.setItem(KEY, t);
      else localStorage.removeItem(KEY);
    } catch (e) {
      /* a private window: signed in until the page closes */
    }
  }

  function said(body) {
    const e = body && body.error;
    if (!e) return _("Something went wrong: please tell the clerk");
    return Hall.lang.startsWith("zh") ? e.message_zh : e.message_en;
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(`${Hall.root}${path}`, {
      method,
      cache: "no-store",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
    return { ok: r.ok, status: r.status, body: data };
  }

  // ------------------------------------------------------------------ sign-in
  function signIn(message) {
    stop();
    remember(null);
    mode("signin");
    $("signin-window").textContent = _("Window {window}", { window: win });
    $("signin-error").textContent = message || "";
    $("signin-error").hidden = !message;
  }

  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("signin-go").disabled = true;
    try {
      const r = await call("POST", "/api/auth/sign-in", {
        username: $("username").value.trim(),
        password: $("password").value,
        window: win,
      });
      if (!r.ok) {
        signIn(said(r.body));
      } else if (r.body.role !== "rater") {
        token = r.body.token;
        await call("POST", "/api/auth/sign-out"); // a staff account: not for this tablet
        signIn(_("This is not a rating tablet's account"));
      } else {
        remember(r.body.token);
        $("password").value = "";
        start();
      }
    } catch (e) {
      signIn(_("The hall server cannot be reached: try again"));
    } finally {
      $("signin-go").disabled = false;
    }
  });

  // ------------------------------------------------------------------ states
  function sleep() {
    current = null;
    clearTimeout(timer);
    timer = null;
    mode("sleep");
  }

  function sleepAt(at) {
    deadline = at;
    clearTimeout(timer);
    timer = setTimeout(sleep, Math.max(0, at - Date.now()));
  }

  function wake(visit, until) {
    if (current !== visit.number || document.body.dataset.mode !== "awake") {
      current = visit.number;
      choice.reset();
      $("awake-error").hidden = true;
      const number = Hall.el("b", "num", visit.number);
      number.id = "visit-number";
      const where = Hall.el("b", "win", String(win));
      $("visit").replaceChildren(
        ...Hall.fill(_("Number {number} at window {window}"), { number, window: where })
      );
      mode("awake");
    }
    sleepAt(until);
  }

  function thank(rating) {
    $("thanks-line").textContent = Rating.given(rating);
    mode("thanks");
    sleepAt(Math.min(deadline || Infinity, Date.now() + THANKS_MS));
  }

  function apply(d) {
    offset = d.now * 1000 - Date.now();
    $("hall").textContent = d.hall;
    const v = d.visit;
    if (!v) {
      sleep();
      return;
    }
    const until = (v.finished_at + d.awake_seconds) * 1000 - offset; // on this clock
    if (Date.now() >= until) {
      sleep();
    } else if (!v.rating) {
      wake(v, until);
    } else if (current === v.number) {
      deadline = until;
      thank(v.rating); // rated here, or on the status page meanwhile
    } else if (document.body.dataset.mode !== "thanks") {
      sleep();
    }
  }

  async function refresh() {
    try {
      const r = await call("GET", `/api/windows/${win}/rater`);
      if (r.status === 401) signIn();
      else if (r.status === 403) signIn(said(r.body));
      else if (r.status === 404) missing();
      else if (r.ok) apply(r.body);
    } catch (e) {
      Hall.showLink(false);
    }
  }

  async function rate(level, reasons) {
    let r;
    try {
      r = await call("POST", `/api/windows/${win}/rating`, { ticket: current, level, reasons });
    } catch (e) {
      Hall.showLink(false);
      $("awake-error").textContent = _("The hall server cannot be reached: try again");
      $("awake-error").hidden = false;
      throw e;
    }
    const code = r.body && r.body.error && r.body.error.code;
    if (r.ok) {
      thank({ level, reasons });
    } else if (r.status === 401) {
      signIn();
    } else if (code === "already_rated" || code === "not_just_finished") {
      refresh(); // given meanwhile, or the next visit is over: show what is
    } else {
      $("awake-error").textContent = said(r.body);
      $("awake-error").hidden = false;
      throw new Error(code || String(r.status));
    }
  }

  function missing() {
    stop();
    mode("missing");
  }

  function onEvent(name, d) {
    if (d.window !== win) return;
    if (name === "ticket_called") {
      if (document.body.dataset.mode !== "sleep") sleep(); // the next number: this visit is over
      return;
    }
    if (d.kind === "finished" || name === "ticket_rated") refresh();
  }

  function stop() {
    if (link) link.stop();
    link = null;
    clearInterval(poll);
    poll = null;
  }

  function start() {
    stop();
    mode("sleep");
    link = Hall.live({
      events: ["ticket_changed", "ticket_called", "ticket_rated"],
      onEvent,
      onSync: refresh,
    });
    poll = setInterval(refresh, POLL_MS);
  }

  $("where").textContent = _("Window {window}", { window: win });
  $("lang").href = `${location.pathname}?lang=${$("lang").dataset.lang}`; // the other language
  if (!(win >= 1)) {
    missing();
    return;
  }
  choice = Rating.choice($("choice"), rate);
  if (token) start();
  else signIn();
})();
