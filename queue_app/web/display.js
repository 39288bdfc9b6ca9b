// The hall display board: the calls now in large type, the last ten, the waiting line by
// class, every window's state, the missed numbers, the manager's notice, the hall's clock; each call spoken (a chime, then 请 A023 号 到 5 号窗口, in
// Mandarin whatever the page's language), one at a time, none skipped. Follows /api/events; refetches /api/display on every
// (re)connection and, throttled, after any change. A call the board learns of from a
// refetch (made while it was disconnected or resyncing) is spoken too; the calls already
// on the screen when the page opens are not.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const RECENT = 10;
  const state = {
    cfg: null,
    windows: null, // Set of the window numbers this board shows
    current: [], // {ticket, window, at}, newest first
    recent: [],
    lastId: 0, // newest event id seen on the stream
    shown: [], // each call as it reached the screen: {ticket, window, at, recall, shownAt (ms)}
    loaded: false, // the first /api/display applied (the calls on it are not spoken)
    announced: new Set(), // the calls queued for speech (or passed over), by callKey()
    announcedOrder: [], // the same keys, oldest first, to bound the set
    offset: 0, // server clock minus this clock, ms
  };

  // ------------------------------------------------------------------ speech
  const DIGITS = "零一二三四五六七八九";

  // "A023" and 5 -> "请 A 零 二 三 号，到 5 号窗口": the digits one by one, as halls say them
  function spokenText(ticket, win) {
    const letters = ticket.replace(/\d+$/, "");
    const digits = ticket.slice(letters.length).split("").map((d) => DIGITS[Number(d)]);
    return `请 ${letters.split("").join(" ")} ${digits.join(" ")} 号，到 ${win} 号窗口`;
  }

  const Speech = (() => {
    const queue = [];
    const STALE_MS = 180000; // a call still unspoken after this (speech blocked) is dropped
    let busy = false;
    let locked = false;
    let ctx;

    function audio() {
      if (ctx === undefined) {
        const AC = window.AudioContext || window.webkitAudioContext;
        try {
          ctx = AC ? new AC() : null;
        } catch (e) {
          ctx = null;
        }
      }
      return ctx;
    }

    function isZh(v) {
      return /^(zh|cmn)([-_]|$)/i.test(v.lang || "");
    }

    function zhVoice() {
      const voices = window.speechSynthesis ? window.speechSynthesis.getVoices() || [] : [];
      return voices.find((v) => /^zh[-_]CN$/i.test(v.lang)) || voices.find(isZh) || null;
    }

    // browser speech with a Chinese voice; else the server's voice; else, when the
    // browser lists no voices at all (some load them late), try the browser anyway
    function mode() {
      const ss = window.speechSynthesis;
      if (ss && zhVoice()) return "browser";
      if (state.cfg && state.cfg.server_voice) return "server";
      if (ss && (ss.getVoices() || []).length === 0) return "browser";
      return "none";
    }

    function wait(ms) {
      return new Promise((r) => setTimeout(r, ms));
    }

    function tone(c, freq, start, length) {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
      osc.connect(gain).connect(c.destination);
      osc.start(start);
      osc.stop(start + length + 0.05);
    }

    // a two-note chime (叮咚), synthesised: nothing to download
    function chime() {
      const c = audio();
      if (!c || c.state !== "running") return Promise.resolve();
      const t = c.currentTime + 0.02;
      tone(c, 659.25, t, 0.5);
      tone(c, 523.25, t + 0.35, 0.65);
      return wait(1050);
    }

    // resolves "ok", "error", "timeout" or "blocked" (no user gesture yet)
    function settle(start, limitMs) {
      return new Promise((resolve) => {
        let done = false;
        const finish = (result) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(result);
        };
        const timer = setTimeout(() => finish("timeout"), limitMs);
        start(finish);
      });
    }

    function sayBrowser(text) {
      const ss = window.speechSynthesis;
      return settle((finish) => {
        const u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        u.rate = 0.9;
        const v = zhVoice();
        if (v) {
          try {
            u.voice = v;
          } catch (e) {
            /* a voice object the browser does not take: the lang above decides */
          }
        }
        u.onend = () => finish("ok");
        u.onerror = (e) => finish(e && e.error === "not-allowed" ? "blocked" : "error");
        try {
          ss.speak(u);
        } catch (e) {
          finish("error");
        }
      }, 5000 + text.length * 400).then((result) => {
        if (result === "timeout") {
          try {
            ss.cancel(); // one stuck utterance must not block the queue
          } catch (e) {
            /* nothing to cancel */
          }
        }
        return result;
      });
    }

    function sayServer(call) {
      return settle((finish) => {
        const a = new Audio(`/api/voice/${encodeURIComponent(call.ticket)}/${call.window}.wav`);
        a.onended = () => finish("ok");
        a.onerror = () => finish("error");
        a.play().catch((e) => finish(e && e.name === "NotAllowedError" ? "blocked" : "error"));
      }, 15000);
    }

    function say(call) {
      const m = mode();
      if (m === "browser") return sayBrowser(spokenText(call.ticket, call.window));
      if (m === "server") return sayServer(call);
      return Promise.resolve("silent");
    }

    async function pump() {
      if (busy || locked || queue.length === 0) return;
      const call = queue.shift();
      if (Date.now() - call.queuedAt > STALE_MS) {
        pump();
        return;
      }
      busy = true;
      try {
        await chime();
        if ((await say(call)) === "blocked") {
          queue.unshift(call);
          lock();
        }
      } finally {
        busy = false;
      }
      pump();
    }

    // madeAt (ms, this clock): when the call was made, for one the board learnt of late;
    // a call is dropped once it is STALE_MS old, so after a long outage none is read out
    function enqueue(call, madeAt) {
      if (state.cfg && !state.cfg.speak) return;
      const queuedAt = madeAt === undefined ? Date.now() : Math.min(madeAt, Date.now());
      if (Date.now() - queuedAt > STALE_MS) return;
      queue.push({ ...call, queuedAt });
      pump();
    }

    // Browsers refuse sound until someone has clicked the page: say so, once.
    function lock() {
      locked = true;
      $("unlock").hidden = false;
    }

    function unlock() {
      const c = audio();
      if (c && c.state === "suspended") c.resume().catch(() => {});
      locked = false;
      $("unlock").hidden = true;
      pump();
    }

    function start() {
      const c = audio();
      if (c && c.state === "suspended" && !(state.cfg && !state.cfg.speak)) lock();
      document.addEventListener("click", () => locked && unlock());
      document.addEventListener("keydown", () => locked && unlock());
    }

    return { enqueue, start, get pending() { return queue.length + (busy ? 1 : 0); } };
  })();

  // ------------------------------------------------------------------ render
  function shows(win) {
    return !state.windows || state.windows.has(win);
  }

  function renderHeadline(fresh) {
    const box = $("now-call");
    const call = state.current[0] || state.recent[0];
    box.replaceChildren(
      call ? Hall.callLine(call.ticket, call.window) : el("span", "idle", _("Please watch for your number")),
    );
    box.classList.toggle("past", !state.current[0]);
    if (fresh) {
      box.classList.remove("fresh");
      void box.offsetWidth; // restart the animation
      box.classList.add("fresh");
    }
    box.dataset.ticket = call ? call.ticket : "";
  }

  function renderCurrent() {
    const others = state.current.slice(1, 4); // the list below has every call
    $("current").replaceChildren(
      ...others.map((c) => {
        const chip = el("div", "chip");
        const win = el("b", "win", `${c.window}`);
        chip.append(el("b", "num", c.ticket), el("span", "arrow", "→"), ...Hall.fill(_("window {window}"), { window: win }));
        return chip;
      }),
    );
    $("current").hidden = others.length === 0;
    // one row: the chips that wrap below it are left out (every call is in the list)
    const chips = [...$("current").children];
    for (const chip of chips) if (chip.offsetTop > chips[0].offsetTop) chip.remove();
  }

  function renderRecent() {
    const list = $("recent");
    list.replaceChildren(
      ...state.recent.map((c) => {
        const li = el("li");
        li.dataset.ticket = c.ticket;
        li.append(el("b", "num", c.ticket), el("span", "win", _("Window {window}", { window: c.window })));
        return li;
      }),
    );
    if (state.recent.length === 0) list.append(el("li", "empty", _("None yet")));
    fitRecent(list);
  }

  // as many rows (two calls each) as the panel holds, at most five: a smaller screen
  // shows the newest calls only
  function fitRecent(list) {
    list.style.gridTemplateRows = "";
    const panel = list.parentElement;
    const first = list.firstElementChild;
    if (!first || panel.clientHeight === 0) return;
    const room = panel.getBoundingClientRect().bottom - list.getBoundingClientRect().top - 8;
    const rows = Math.max(1, Math.min(5, Math.floor(room / first.getBoundingClientRect().height)));
    list.style.gridTemplateRows = `repeat(${rows}, auto)`;
    while (list.children.length > rows * 2) list.lastElementChild.remove();
  }

  function renderWaiting(d) {
    $("waiting").replaceChildren(
      ...d.waiting.map((c) => {
        const li = el("li");
        const name = el("span", "name");
        name.append(el("b", "prefix", c.prefix), c.name);
        li.dataset.prefix = c.prefix;
        li.append(name, el("b", "count", String(c.waiting)));
        return li;
      }),
    );
    $("waiting-total").textContent = String(d.waiting_total);
  }

  const STATE_WORDS = { paused: _("paused"), idle: _("free"), closed: _("closed") };

  // every window of the board: calling or serving with its number, else its state
  function renderStrip(d) {
    $("strip").replaceChildren(
      ...d.strip.map((w) => {
        const li = el("li");
        li.dataset.window = String(w.window);
        li.dataset.state = w.state;
        li.append(el("b", "n", String(w.window)), el("span", "what", w.ticket || STATE_WORDS[w.state] || ""));
        return li;
      }),
    );
  }

  // today's missed numbers, newest first: as many as the line holds, then "and N more"
  function renderNoShows(d) {
    const list = $("no-show-list");
    list.replaceChildren(...d.no_shows.map((n) => el("li", "num", n.ticket)));
    $("no-show-count").textContent = String(d.no_show_count);
    const more = $("no-show-more");
    let hidden = d.no_show_count - d.no_shows.length;
    more.hidden = true;
    const fits = () => list.scrollWidth <= list.clientWidth + 1;
    while (list.lastChild && !fits()) {
      list.lastChild.remove();
      hidden += 1;
    }
    if (hidden > 0) {
      more.textContent = _("and {count} more", { count: hidden });
      more.hidden = false;
    }
    if (d.no_show_count === 0) list.replaceChildren(el("li", "empty", _("None")));
  }

  // the manager's notice: one line, made smaller (to 70%) before it is cut with an ellipsis
  function renderNotice(d) {
    const box = $("notice");
    const text = $("notice-text");
    box.hidden = !d.notice;
    text.textContent = d.notice || "";
    text.style.fontSize = "";
    for (let size = 100; d.notice && size > 70 && text.scrollWidth > text.clientWidth + 1; size -= 5) {
      text.style.fontSize = `${size - 5}%`;
    }
  }

  function render(fresh) {
    renderHeadline(fresh);
    renderCurrent();
    renderRecent();
  }

  // ------------------------------------------------------------------ data
  // One call, a recall included: its ticket, window and time (the event's "at", which
  // /api/display serves too), so the stream and a refetch name the same call alike.
  function callKey(c) {
    return `${c.ticket}@${c.window}@${Math.round(c.at * 1000)}`;
  }

  // true the first time: the call is now counted as announced
  function announce(c) {
    const key = callKey(c);
    if (state.announced.has(key)) return false;
    state.announced.add(key);
    state.announcedOrder.push(key);
    if (state.announcedOrder.length > 500) state.announced.delete(state.announcedOrder.shift());
    return true;
  }

  // The calls of a fetched board that the stream did not bring (made while the board was
  // disconnected or resyncing, or not yet through the stream): spoken, oldest first. On
  // the first load they are only noted: the page speaks the calls made after it opened.
  // A board read ahead of a live stream (which writes to boards in batches) waits a moment:
  // the stream brings those calls in their order, and only what it did not is spoken then.
  const CATCH_UP_MS = 1500;
  function catchUp(d) {
    const byKey = new Map();
    for (const c of [...d.current, ...d.recent]) {
      if (shows(c.window) && !byKey.has(callKey(c))) byKey.set(callKey(c), c);
    }
    const calls = [...byKey.values()].sort((a, b) => a.at - b.at);
    const first = !state.loaded;
    state.loaded = true;
    if (first) {
      calls.forEach(announce);
      return;
    }
    const streaming = document.documentElement.dataset.link === "up";
    if (streaming && d.version > state.lastId) {
      setTimeout(() => speakMissed(calls), CATCH_UP_MS);
      return;
    }
    speakMissed(calls);
  }

  function speakMissed(calls) {
    for (const c of calls) {
      if (!announce(c)) continue;
      const call = { ticket: c.ticket, window: c.window, at: c.at, recall: !!c.recall };
      state.shown.push({ ...call, shownAt: Date.now() });
      if (state.shown.length > 100) state.shown.shift();
      Speech.enqueue(call, c.at * 1000 - state.offset);
    }
  }

  function apply(d) {
    if (d.version < state.lastId) {
      setTimeout(refresh, 200); // read before a call already shown: read again
      return;
    }
    state.cfg = d;
    state.windows = new Set(d.windows);
    state.offset = d.now * 1000 - Date.now();
    Hall.applyLook(d.look);
    $("title").textContent = d.look.title;
    document.title = d.look.title + " · " + _("Calls");
    clock.tz = d.timezone;
    clock.tick(); // the hall's time now, not at the next second
    state.current = d.current;
    state.recent = d.recent;
    renderWaiting(d);
    renderNotice(d);
    renderStrip(d);
    renderNoShows(d);
    render(false);
    catchUp(d);
  }

  const refresh = Hall.reader("/api/display", apply);
  const refreshSoon = Hall.throttle(refresh, 250);

  function called(d) {
    if (!d.ticket || !d.window || !shows(d.window)) return;
    const call = { ticket: d.ticket, window: d.window, at: d.at, recall: d.kind === "recalled" };
    const other = (c) => c.ticket !== call.ticket && c.window !== call.window;
    state.current = [call, ...state.current.filter(other)];
    state.recent = [call, ...state.recent.filter((c) => c.ticket !== call.ticket)].slice(0, RECENT);
    render(true);
    if (!announce(call)) return; // already spoken from a refetch
    state.shown.push({ ...call, shownAt: Date.now() });
    if (state.shown.length > 100) state.shown.shift();
    Speech.enqueue(call);
  }

  function onEvent(name, d) {
    if (d.id) state.lastId = Math.max(state.lastId, d.id);
    if (name === "ticket_called") called(d);
    refreshSoon(); // counts, windows that began serving, no-shows, the notice, a closed day
  }

  // ------------------------------------------------------------------ clock
  const clock = Hall.hallClock(() => state.offset);

  function start() {
    clock.tick();
    setInterval(() => clock.tick(), 1000);
    Speech.start();
    Hall.live({
      events: [
        "ticket_called",
        "ticket_issued",
        "ticket_changed",
        "queue_changed",
        "window_changed",
        "day_closed",
        "notice_changed",
      ],
      onEvent,
      onSync: (snap) => {
        if (snap) state.lastId = snap.version || 0; // a new connection: the server's word
        refresh();
      },
    });
    refresh();
    setInterval(refresh, 30000); // also catches a stream that went quiet without an error
    window.hallDisplay = { state, speech: Speech, spokenText, onEvent };
  }

  start();
})();
