// The 好差评 choice, shared by the 评价器 (/rate/<n>) and the status page (/t/<token>):
// the five national levels as big buttons; for 不满意 and 非常不满意 the reasons to pick
// (several) and a submit button. The levels and reasons come from the server, in the page's
// language (#rating, from queue_app.domain.rating). No dependencies, no build.
"use strict";

const Rating = (() => {
  const { el, _ } = Hall;
  const CHOICES = (() => {
    try {
      return JSON.parse(document.getElementById("rating").textContent);
    } catch (e) {
      return { levels: [], poor: [], reasons: [] };
    }
  })();

  function label(level) {
    const found = CHOICES.levels.find((l) => l.level === level);
    return found ? found.label : String(level);
  }

  function reasonLabel(code) {
    const found = CHOICES.reasons.find((r) => r.code === code);
    return found ? found.label : code;
  }

  // The choice in ``box``: submit(level, reasons) is called once the citizen has chosen
  // (a promise: while it runs the buttons are disabled; it rejects to let them choose
  // again). reset() shows the levels again.
  function choice(box, submit) {
    const levels = el("div", "levels");
    const why = el("div", "reasons");
    why.hidden = true;
    let chosen = null;
    let busy = false;

    for (const { level, label: text } of CHOICES.levels) {
      const b = el("button", `level level-${level}`);
      b.type = "button";
      b.dataset.level = String(level);
      b.append(el("span", "face", "★".repeat(level)), el("span", "word", text));
      b.addEventListener("click", () => pick(level));
      levels.append(b);
    }
    const title = el("p", "reasons-title");
    const picks = el("div", "picks");
    for (const { code, label: text } of CHOICES.reasons) {
      const b = el("button", "reason", text);
      b.type = "button";
      b.dataset.reason = code;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => {
        const on = b.getAttribute("aria-pressed") !== "true";
        b.setAttribute("aria-pressed", on ? "true" : "false");
        send.disabled = busy || !picked().length;
      });
      picks.append(b);
    }
    const back = el("button", "back", _("Back"));
    back.type = "button";
    back.addEventListener("click", reset);
    const send = el("button", "send", _("Submit"));
    send.type = "button";
    send.disabled = true;
    send.addEventListener("click", () => go(chosen, picked()));
    why.append(title, picks, el("div", "actions"));
    why.lastChild.append(back, send);
    box.replaceChildren(levels, why);

    function picked() {
      return [...picks.querySelectorAll('[aria-pressed="true"]')].map((b) => b.dataset.reason);
    }

    function pick(level) {
      if (busy) return;
      chosen = level;
      if (!CHOICES.poor.includes(level)) {
        go(level, []);
        return;
      }
      title.textContent = _("{level}: what went wrong? Pick one or more", { level: label(level) });
      levels.hidden = true;
      why.hidden = false;
      send.disabled = !picked().length;
    }

    async function go(level, reasons) {
      busy = true;
      for (const b of box.querySelectorAll("button")) b.disabled = true;
      try {
        await submit(level, reasons);
      } catch (e) {
        /* the page said why; they may choose again */
      } finally {
        busy = false;
        for (const b of box.querySelectorAll("button")) b.disabled = false;
        send.disabled = !picked().length;
      }
    }

    function reset() {
      chosen = null;
      for (const b of picks.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
      levels.hidden = false;
      why.hidden = true;
    }

    return { reset };
  }

  // "满意" or "不满意 · 服务态度差、其他": a rating given, as a line
  function given(rating) {
    const words = label(rating.level);
    if (!rating.reasons || !rating.reasons.length) return words;
    const listed = rating.reasons.map(reasonLabel).reduce((a, b) => _("{first}, {next}", { first: a, next: b }));
    return `${words} · ${listed}`;
  }

  return { choice, given, label };
})();
