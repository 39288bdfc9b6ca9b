// Shared by the display board, the big screen and the status page: the page's words, the
// hall's look, JSON reads, the hall's clock, and the live connection to /api/events that
// reconnects by itself. No dependencies, no build.
"use strict";

const Hall = (() => {
  function $(id) {
    return document.getElementById(id);
  }

  // The page's words in its language: the server puts the translation of each _(msgid)
  // of the scripts into #strings (pybabel extracts them into the catalogs).
  const STRINGS = (() => {
    try {
      return JSON.parse($("strings").textContent);
    } catch (e) {
      return {};
    }
  })();
  const lang = document.documentElement.lang || "zh-CN"; // for dates and times
  // The hall's path on the server: "" or /halls/<code> when one server serves several.
  const root = document.documentElement.dataset.root || "";

  // _("Window {window}") is the translation; _("Window {window}", {window: 5}) filled in
  function _(msgid, params) {
    const text = STRINGS[msgid] || msgid;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  }

  // a translation as nodes, each {name} replaced by params[name] (an element, say)
  function fill(text, params) {
    return text
      .split(/(\{\w+\})/)
      .filter((s) => s !== "")
      .map((s) => {
        const key = s.slice(1, -1);
        return /^\{\w+\}$/.test(s) && key in params ? params[key] : s;
      });
  }

  function applyLook(look) {
    const page = document.documentElement;
    page.dataset.theme = look.theme || "dark";
    if (look.accent) page.style.setProperty("--accent", look.accent);
    else page.style.removeProperty("--accent");
  }

  async function getJSON(url) {
    const r = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    return { ok: r.ok, status: r.status, body };
  }

  // fn once, ms after the first of a burst of calls (a busy hall sends many events)
  function throttle(fn, ms) {
    let timer = null;
    return () => {
      if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          fn();
        }, ms);
      }
    };
  }

  // A read of the hall's ``path`` handed to apply(body); one at a time: asked again while
  // one runs, it reads once more after it. A failed read shows the page offline.
  function reader(path, apply) {
    let running = false;
    let again = false;
    async function read() {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const r = await getJSON(`${root}${path}`);
        if (r.ok) apply(r.body);
      } catch (e) {
        showLink(false);
      } finally {
        running = false;
        if (again) {
          again = false;
          read();
        }
      }
    }
    return read;
  }

  // The hall's date and time in #date and #clock, in the hall's zone (clock.tz), on the
  // server's clock (offset(): the server's minus this one's, ms).
  function hallClock(offset) {
    return {
      tz: undefined,
      fmt: null,
      fmtTz: null,
      tick() {
        if (!this.fmt || this.fmtTz !== this.tz) {
          this.fmt = clockParts(this.tz);
          this.fmtTz = this.tz;
        }
        const now = new Date(Date.now() + offset());
        $("date").textContent = this.fmt.date.format(now);
        $("clock").textContent = this.fmt.time.format(now);
      },
    };
  }

  // The connection indicator: hidden while connected, "Reconnecting…" otherwise.
  function showLink(connected) {
    const el = $("link");
    if (!el) return;
    el.classList.toggle("off", !connected);
    el.textContent = connected ? _("Connected") : _("Reconnecting…");
    document.documentElement.dataset.link = connected ? "up" : "down";
  }

  // Follow /api/events. onSync(snapshot) runs on every (re)connection and on a resync, so
  // the page refetches what it shows; onEvent(name, data) for each listed event.
  // EventSource retries a dropped connection by itself (the server says retry: 2000); if
  // it gives up (CLOSED: an error status, say, from a restarting server or a proxy), a
  // new one is opened with back-off, and with jitter, so boards refused together do not
  // come back together. EventSource hides the answer it gave up on: a plain request tells
  // whether it was 503 (too many streams open) and how long its Retry-After asks to wait.
  function live({ events, onEvent, onSync }) {
    let es = null;
    let timer = null;
    let backoff = 1000;
    let stopped = false;

    function open() {
      if (stopped) return;
      es = new EventSource(`${root}/api/events`);
      es.addEventListener("snapshot", (e) => {
        backoff = 1000;
        showLink(true);
        onSync(parse(e.data));
      });
      es.addEventListener("resync", () => onSync(null));
      for (const name of events) {
        es.addEventListener(name, (e) => onEvent(name, parse(e.data)));
      }
      es.onerror = () => {
        showLink(false);
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          clearTimeout(timer);
          retryAfter().then((ms) => {
            if (stopped) return;
            timer = setTimeout(open, Math.max(ms, backoff) * (1 + Math.random() / 2));
            backoff = Math.min(backoff * 2, 15000);
          });
        }
      };
    }

    // The milliseconds a refused stream's Retry-After asks for (0: none). The request is
    // cut as soon as its answer starts: a stream it opens is closed at once.
    async function retryAfter() {
      const ctl = new AbortController();
      try {
        const r = await fetch(`${root}/api/events`, { cache: "no-store", signal: ctl.signal });
        ctl.abort();
        const seconds = parseInt(r.headers.get("Retry-After") || "", 10);
        return r.status === 503 && seconds > 0 ? seconds * 1000 : 0;
      } catch (e) {
        return 0;
      }
    }

    function parse(text) {
      try {
        return JSON.parse(text);
      } catch (e) {
        return {};
      }
    }

    open();
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
        if (es) es.close();
      },
    };
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // "A023 to window 5", the number and the window in the accent colour
  function callLine(ticket, win) {
    const p = el("span", "call-line");
    const text = _("{number} to window {window}");
    p.append(...fill(text, { number: el("b", "num", ticket), window: el("b", "win", String(win)) }));
    return p;
  }

  function clockParts(tz) {
    const opts = (o) => {
      try {
        return new Intl.DateTimeFormat(lang, { ...o, timeZone: tz });
      } catch (e) {
        return new Intl.DateTimeFormat(lang, o);
      }
    };
    return {
      date: opts({ year: "numeric", month: "long", day: "numeric", weekday: "long" }),
      time: opts({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
    };
  }

  return {
    $, _, fill, lang, root, applyLook, getJSON, reader, throttle, showLink, live, el, callLine,
    clockParts, hallClock,
  };
})();
