// The hall's big screen (大屏): the line by domain, every window, today's figures against
// the hall's targets, today's 好差评 and the last 30 days, drawn with the vendored ECharts.
// Follows /api/events like the board: refetches /api/dashboard on every (re)connection and,
// throttled, after any change; while the stream is down the last figures stay, dimmed,
// under a notice, and the page comes back by itself.
"use strict";

(() => {
  const { $, el, _ } = Hall;
  const C = {
    glow: "#39c5ff",
    ok: "#46e08c",
    warn: "#ffc23d",
    alert: "#ff6470",
    text: "#dfe9f7",
    muted: "#93a8c6",
    grid: "rgba(147, 168, 198, 0.18)",
  };
  const LEVELS = [
    [5, _("very satisfied"), C.ok],
    [4, _("satisfied"), C.glow],
    [3, _("fairly satisfied"), "#8fa7c9"],
    [2, _("dissatisfied"), C.warn],
    [1, _("very dissatisfied"), C.alert],
  ];
  const STATES = {
    serving: _("serving"),
    calling: _("calling"),
    idle: _("idle"),
    paused: _("paused"),
    closed: _("closed"),
  };
  const DOMAINS_SHOWN = 8; // the domains with most waiting; the rest are in the count
  const state = { data: null, offset: 0, lastId: 0, charts: {} };

  // ------------------------------------------------------------------ figures
  // a size given for a 1080-line screen, at this screen's height (a 4K wall: twice)
  function px(n) {
    return Math.round((n * window.innerHeight) / 1080);
  }

  function minutes(x) {
    return x === null || x === undefined ? "—" : x.toFixed(1);
  }

  function percent(x) {
    return x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
  }

  function set(id, text) {
    $(id).textContent = String(text);
  }

  // ------------------------------------------------------------------ charts
  function chart(id) {
    if (!state.charts[id] && window.echarts) state.charts[id] = echarts.init($(id));
    return state.charts[id];
  }

  const axisText = () => ({ color: C.muted, fontSize: px(17) });
  const splitLine = () => ({ lineStyle: { color: C.grid } });

  function domainsOption(d) {
    const shown = d.domains.slice(0, DOMAINS_SHOWN).reverse(); // the most waiting on top
    return {
      animation: false,
      grid: { left: px(8), right: px(52), top: px(12), bottom: px(4), containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: axisText(), splitLine: splitLine() },
      yAxis: {
        type: "category",
        data: shown.map((x) => x.domain),
        axisLabel: { color: C.text, fontSize: px(20) },
        axisTick: { show: false },
      },
      series: [
        {
          type: "bar",
          barMaxWidth: px(30),
          data: shown.map((x) => ({
            value: x.waiting,
            itemStyle: { color: x.longest_wait_minutes > d.target_wait_minutes ? C.alert : C.glow },
          })),
          label: { show: true, position: "right", color: C.text, fontSize: px(20), fontWeight: "bold" },
        },
      ],
    };
  }

  function ratingsOption(d) {
    const r = d.today.ratings;
    const rate = "{v|" + percent(d.today.satisfied_rate) + "}\n{l|" + _("satisfaction rate") + "}";
    return {
      animation: false,
      graphic: d.today.rated // 满意率 in the ring's middle
        ? [
            {
              type: "text",
              left: "center",
              top: "middle",
              style: {
                text: rate,
                textAlign: "center",
                rich: {
                  v: { fill: C.text, fontSize: px(32), fontWeight: "bold", lineHeight: px(40) },
                  l: { fill: C.muted, fontSize: px(17), lineHeight: px(24) },
                },
              },
            },
          ]
        : [],
      series: [
        {
          type: "pie",
          radius: ["44%", "70%"],
          center: ["50%", "50%"],
          stillShowZeroSum: false,
          data: LEVELS.filter(([lv]) => r[lv] > 0).map(([lv, name, color]) => ({
            name,
            value: r[lv],
            itemStyle: { color },
          })),
          label: {
            color: C.text,
            fontSize: px(18),
            lineHeight: px(22),
            formatter: "{b}\n{c}",
            width: px(100),
            overflow: "break", // "very dissatisfied" on two lines rather than cut
          },
          labelLine: { length: px(12), length2: px(12) },
        },
      ],
    };
  }

  // the round number at or above x (1, 2 or 5 times a power of ten)
  function nice(x) {
    const step = 10 ** Math.floor(Math.log10(x));
    return [1, 2, 5, 10].map((m) => m * step).find((v) => v >= x);
  }

  function days(d) {
    return d.trend.map((t) => t.day.slice(5));
  }

  function trendOption(d) {
    const target = d.target_wait_minutes;
    return {
      animation: false,
      legend: {
        top: 0,
        right: px(8),
        itemWidth: px(25),
        itemGap: px(12),
        itemHeight: px(14),
        textStyle: { color: C.text, fontSize: px(17) },
      },
      grid: { left: px(8), right: px(8), top: px(44), bottom: px(4), containLabel: true },
      xAxis: { type: "category", data: days(d), axisLabel: axisText() },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: axisText(), splitLine: splitLine() },
        {
          type: "value",
          max: (v) => (v.max > target * 1.1 ? null : nice(target * 1.2)), // the target in sight
          axisLabel: axisText(),
          splitLine: { show: false },
        },
      ],
      series: [
        {
          name: _("Tickets served"),
          type: "bar",
          barMaxWidth: px(22),
          itemStyle: { color: C.glow },
          data: d.trend.map((t) => t.served),
        },
        {
          name: _("Mean wait (min)"),
          type: "line",
          yAxisIndex: 1,
          symbolSize: px(7),
          lineStyle: { width: px(3), color: C.warn },
          itemStyle: { color: C.warn },
          data: d.trend.map((t) => (t.mean_wait_minutes === null ? "-" : +t.mean_wait_minutes.toFixed(1))),
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: C.alert, type: "dashed", width: px(2) },
            label: {
              position: "insideEndTop",
              color: C.alert,
              fontSize: px(16),
              padding: [px(2), px(6)],
              borderRadius: px(4),
              backgroundColor: "rgba(3, 10, 28, 0.85)", // legible over a bar
              formatter: _("target {minutes} min", { minutes: target }),
            },
            data: [{ yAxis: target }],
          },
        },
      ],
    };
  }

  function badOption(d) {
    return {
      animation: false,
      grid: { left: px(8), right: px(16), top: px(16), bottom: px(4), containLabel: true },
      xAxis: { type: "category", data: days(d), axisLabel: axisText() },
      yAxis: {
        type: "value",
        max: (v) => (v.max >= 5 ? null : 5),
        axisLabel: { ...axisText(), formatter: "{value}%" },
        splitLine: splitLine(),
      },
      series: [
        {
          type: "line",
          symbolSize: px(7),
          lineStyle: { width: px(3), color: C.alert },
          itemStyle: { color: C.alert },
          areaStyle: { color: "rgba(255, 100, 112, 0.18)" },
          data: d.trend.map((t) => (t.bad_rate === null ? "-" : +(t.bad_rate * 100).toFixed(1))),
        },
      ],
    };
  }

  function drawCharts(d) {
    const font = getComputedStyle(document.body).fontFamily; // the page's, for the charts too
    const options = {
      "c-domains": domainsOption(d),
      "c-ratings": ratingsOption(d),
      "c-trend": trendOption(d),
      "c-bad": badOption(d),
    };
    for (const [id, option] of Object.entries(options)) {
      const c = chart(id);
      if (c) c.setOption({ ...option, textStyle: { fontFamily: font } }, true);
    }
    $("c-domains").closest(".panel").classList.toggle("is-empty", d.domains.length === 0);
    $("c-ratings").closest(".panel").classList.toggle("is-empty", d.today.rated === 0);
  }

  // ------------------------------------------------------------------ windows
  // as many columns as make the tiles largest (a tile about twice as wide as high)
  function layoutTiles(n) {
    const box = $("windows").getBoundingClientRect();
    let best = { cols: 1, rows: n, size: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const size = Math.min(box.width / cols, (box.height / rows) * 2);
      if (size > best.size) best = { cols, rows, size };
    }
    $("windows").style.setProperty("--cols", String(best.cols));
    $("windows").style.setProperty("--rows", String(best.rows));
  }

  function tile(w) {
    const t = el("div", "tile");
    t.dataset.state = w.state;
    t.dataset.window = String(w.number);
    t.title = w.name;
    const inner = el("div", "in");
    const said = STATES[w.state] || w.state;
    inner.append(el("b", "no", String(w.number)), el("span", "what", w.ticket || said));
    if (w.ticket) inner.append(el("span", "state", said));
    inner.append(el("span", "served", _("{count} served", { count: w.served })));
    t.append(inner);
    return t;
  }

  function renderWindows(d) {
    const n = { busy: 0, idle: 0, paused: 0, closed: 0 };
    for (const w of d.windows) {
      const key = w.state === "serving" || w.state === "calling" ? "busy" : w.state;
      if (key in n) n[key] += 1;
    }
    set(
      "w-summary",
      _("busy {busy} · idle {idle} · paused {paused} · closed {closed}", n),
    );
    $("windows").replaceChildren(...d.windows.map(tile));
    layoutTiles(d.windows.length);
  }

  // ------------------------------------------------------------------ figures
  function renderFigures(d) {
    const t = d.today;
    const target = d.target_wait_minutes;
    set("waiting", t.waiting);
    set("longest", minutes(t.longest_wait_minutes));
    set("issued", t.issued);
    set("cancelled", t.cancelled);
    set("served", t.served);
    set("no-shows", t.no_shows);
    set("mean-wait", minutes(t.mean_wait_minutes));
    set("p90-wait", minutes(t.p90_wait_minutes));
    set("within", percent(t.within_target_share));
    set("satisfied", percent(t.satisfied_rate));
    set("bad-rate", percent(t.bad_rate));
    set("rated", t.rated);
    for (const e of document.querySelectorAll(".kpi .target")) e.textContent = String(target);
    const judge = (id, x) => {
      $(id).classList.toggle("over", x !== null && x > target);
      $(id).classList.toggle("ok", x !== null && x <= target);
    };
    judge("k-waiting", t.longest_wait_minutes);
    judge("k-mean", t.mean_wait_minutes);
    judge("k-p90", t.p90_wait_minutes);
  }

  function apply(d) {
    if (d.version < state.lastId) {
      setTimeout(refresh, 200); // read before an event already seen: read again
      return;
    }
    state.data = d;
    state.offset = d.now * 1000 - Date.now();
    set("hall", d.hall);
    document.title = d.hall + " · " + _("Hall dashboard");
    clock.tz = d.timezone;
    clock.tick();
    set("as-of", clock.fmt.time.format(new Date(d.now * 1000)));
    renderFigures(d);
    renderWindows(d);
    drawCharts(d);
    document.documentElement.dataset.version = String(d.version);
  }

  // ------------------------------------------------------------------ data
  const refresh = Hall.reader("/api/dashboard", apply);
  const refreshSoon = Hall.throttle(refresh, 1000);

  function onEvent(name, d) {
    if (d.id) state.lastId = Math.max(state.lastId, d.id);
    refreshSoon();
  }

  // ------------------------------------------------------------------ clock
  const clock = Hall.hallClock(() => state.offset);

  function resized() {
    for (const c of Object.values(state.charts)) c.resize();
    if (state.data) {
      renderWindows(state.data);
      drawCharts(state.data); // sizes follow the screen's height
    }
  }

  function start() {
    clock.tick();
    setInterval(() => clock.tick(), 1000);
    Hall.live({
      events: [
        "ticket_issued",
        "ticket_called",
        "ticket_changed",
        "queue_changed",
        "window_changed",
        "hall_changed",
        "day_closed",
      ],
      onEvent,
      onSync: (snap) => {
        if (snap) state.lastId = snap.version || 0; // a new connection: the server's word
        refresh();
      },
    });
    refresh();
    setInterval(refresh, 30000); // the waits grow between events
    window.addEventListener("resize", Hall.throttle(resized, 200));
    window.hallDashboard = { state, refresh, onEvent };
  }

  start();
})();
