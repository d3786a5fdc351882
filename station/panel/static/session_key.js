// The session key control on the Session screen (below the plan): set the key and mode the
// whole session plays in, see which seated client's scale clashes with it (or with the
// backing), and move that client into it. Uses panel.js's api(), el(), $() and toast().
"use strict";

(() => {
  const ROOTS = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
  const MODES = ["major", "minor", "dorian", "mixolydian"];
  let box = null;

  function build() {
    const plan = $("#plan-box");
    if (!plan || box) return;
    const root = el("select", { id: "key-root", "aria-label": "Key" },
      ...ROOTS.map(r => el("option", { value: r, text: r })));
    const mode = el("select", { id: "key-mode", "aria-label": "Mode" },
      ...MODES.map(m => el("option", { value: m, text: m })));
    box = el("div", { id: "key-box", class: "box" },
      el("h2", { text: "Session key" }),
      el("p", { id: "key-now", class: "status-line", text: "No session key yet." }),
      el("label", { for: "key-root", text: "Key " }), root, " ", mode, " ",
      el("button", { type: "button", id: "key-set", class: "plain", text: "Play in this key",
        onclick: () => change({ op: "set", root: root.value, mode: mode.value }) }),
      el("ul", { id: "key-clashes", class: "hint problems" }),
      el("p", { class: "hint", text: "The backing, the welcome and goodbye songs, and " +
        "clients whose profile says key: session play in the session key." }));
    plan.after(box);
  }

  async function change(body) {
    try { show(await api("POST", "/api/session_key", body)); toast("Session key set."); }
    catch (e) { toast(e.message, true); }
  }

  function show(s) {
    if (!box || !s) return;
    $("#key-now").textContent = s.words ? `The session plays in ${s.words}.` :
      "No session key yet" + (s.against ? ` (the backing plays in ${s.against}).` : ".");
    const list = $("#key-clashes");
    list.replaceChildren(...(s.clashes || []).map(c => el("li", {},
      `Player ${c.player} plays in ${c.client_key}: ${c.notes.join(", ")} ` +
      `${c.notes.length === 1 ? "is" : "are"} not in ${s.words || s.against}. `,
      s.words ? el("button", { type: "button", class: "plain",
        text: "Follow the session key",
        onclick: () => change({ op: "follow", player: c.player }) }) : null)));
  }

  async function refresh() {
    build();
    if (!box || document.hidden) return;
    try { show(await api("GET", "/api/session_key")); box.hidden = false; }
    catch (e) { if (e.status === 409) box.hidden = true; }
  }

  document.addEventListener("DOMContentLoaded", () => { refresh(); setInterval(refresh, 3000); });
})();
