// After a restart the station resumes the session it was running (station.service.resume).
// This box on the Session screen says so, and lets the therapist close that session and
// start a new one instead. It reads the status panel.js keeps (state.status) and uses its
// api/act helpers; it changes nothing of panel.js.
"use strict";

(function () {
  function box() {
    let b = document.getElementById("resume-box");
    if (b) return b;
    const anchor = document.getElementById("session-toggle");
    if (!anchor) return null;
    b = el("div", { id: "resume-box", class: "box", role: "status", hidden: true },
      el("h2", { text: "The session went on after a restart" }),
      el("p", { id: "resume-text" }),
      el("button", { type: "button", id: "resume-close", class: "plain",
        text: "Close it and start a new session", onclick: closePrevious }),
      el("p", { class: "hint", text: "Closing it ends that session where it is and starts a " +
        "new one with the clients as they are seated now. The plan and its music stop." }));
    anchor.before(b);
    return b;
  }

  function words(r) {
    const off = r.gap_s >= 60 ? `${Math.round(r.gap_s / 60)} min` : `${Math.round(r.gap_s)} s`;
    const back = (r.restored || []).filter(w => w !== "session")
      .map(w => ({ seats: "the clients in their seats", plan: "the plan's phase",
        turns: "the turn mode", backing: "the backing music at its tempo",
        "master volume": "the volume", "all quiet": "all quiet" }[w] || w));
    return `Session ${r.session} went on after the station was off for ${off}. ` +
      (back.length ? `Put back: ${back.join(", ")}.` : "");
  }

  async function closePrevious() {
    const btn = document.getElementById("resume-close");
    btn.disabled = true;
    try {
      const before = (((state.status || {}).resume || {}).resumed || {}).session;
      await act("POST", "/api/session", { op: "close_previous" },
        () => `Session ${before} is closed. A new session has started.`);
    } finally { btn.disabled = false; }
  }

  function paint() {
    const b = box();
    if (!b) return;
    const r = ((state.status || {}).resume || {}).resumed;
    b.hidden = !r;
    if (r) document.getElementById("resume-text").textContent = words(r);
  }

  document.addEventListener("DOMContentLoaded", () => { paint(); setInterval(paint, 1000); });
})();
