// The therapist's panel. Plain JavaScript, no framework, nothing fetched from elsewhere.
// Every action is one request to the station's /api/; the station answers in plain words.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
};

const MODE_WORDS = { free: "Everyone plays", round_robin: "One at a time",
  therapist: "I pass the turn", call_response: "Call and answer" };
const LIGHT_WORDS = { on: "light on", off: "light off", ready: "light pulsing: next to play",
  breathe: "light breathing: waiting for a touch", choose: "light blinking: being chosen",
  fault: "light flashing: the board is not answering", refused: "light flashing: a profile was refused" };
const PHASE_WORDS = { "warm-up": "Warm-up", main: "Main activity", reflection: "Reflection" };

const state = { csrf: null, layout: null, status: null, screen: "now", seatAt: 1,
  live: null, pads: {}, statusTimer: null, detail: null, busyQuiet: false };
window.__panel = { lit: {}, events: 0 };   // touch-to-screen stamps for the browser tests

// -- talking to the station --------------------------------------------------------
async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin", cache: "no-store" };
  if (method !== "GET") {
    opts.headers["Content-Type"] = "application/json";
    if (state.csrf) opts.headers["X-CSRF-Token"] = state.csrf;
    opts.body = JSON.stringify(body || {});
  }
  let res;
  try { res = await fetch(path, opts); }
  catch (e) { throw new Error("The station does not answer. Is it on, and is this tablet on its network?"); }
  let data = {};
  try { data = await res.json(); } catch (e) { data = {}; }
  if (res.status === 401 && path !== "/api/login") { signedOut(); }
  if (!res.ok) {
    const err = new Error(data.error || `The station refused (${res.status}).`);
    err.status = res.status; err.data = data;
    throw err;
  }
  return data;
}

function toast(text, bad = false) {
  const t = $("#toast");
  t.textContent = text;
  t.className = "toast" + (bad ? " bad" : "");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, bad ? 7000 : 3000);
}

async function act(method, path, body, done) {
  try {
    const data = await api(method, path, body);
    if (done) toast(typeof done === "function" ? done(data) : done);
    refreshSoon();
    return data;
  } catch (e) {
    if (e.status !== 401) toast(e.message, true);
    return null;
  }
}

// -- signing in ------------------------------------------------------------------------
function signedOut() {
  state.csrf = null;
  if (state.live) { state.live.close(); state.live = null; }
  clearInterval(state.statusTimer);
  $$(".screen").forEach(s => { s.hidden = s.id !== "login"; });
  $("#tabs").hidden = true; $("#quiet").hidden = true; $("#paused-banner").hidden = true;
  $("#pin").focus();
}

$("#login-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const msg = $("#login-message");
  msg.textContent = "";
  try {
    const data = await api("POST", "/api/login", { pin: $("#pin").value });
    $("#pin").value = "";
    state.csrf = data.csrf;
    await start();
  } catch (e) { msg.textContent = e.message; }
});

async function boot() {
  try {
    const me = await api("GET", "/api/me");
    state.csrf = me.csrf;
    await start();
  } catch (e) { signedOut(); }
}

async function start() {
  state.layout = await api("GET", "/api/layout");
  $("#station-name").textContent = state.layout.station;
  $("#login").hidden = true; $("#tabs").hidden = false; $("#quiet").hidden = false;
  buildPlayers(); buildSeatChoices(); buildPhases();
  $("#plan-box").hidden = !state.layout.features.plan;
  show(state.screen);
  openLive();
  await refresh();
  clearInterval(state.statusTimer);
  state.statusTimer = setInterval(() => { if (!document.hidden) refresh(); }, 1000);
}

// -- screens ----------------------------------------------------------------------------
function show(name) {
  state.screen = name;
  $$("#tabs button").forEach(b => b.classList.toggle("on", b.dataset.screen === name));
  $$(".screen").forEach(s => { s.hidden = s.id !== name; });
  if (name === "clients") loadClients();
  if (name === "reports") loadSessions();
  if (name === "station") loadStation();
  if (name === "session") { if (state.layout.features.plan) loadPlan(); loadGoals(); }
}
$$("#tabs button").forEach(b => b.addEventListener("click", () => show(b.dataset.screen)));

// -- the live pads ---------------------------------------------------------------------
function openLive() {
  if (state.live) state.live.close();
  const src = new EventSource("/api/live");
  state.live = src;
  src.onmessage = ev => {
    const items = JSON.parse(ev.data);
    const changed = [];
    for (const [kind, player, pad] of items) {
      window.__panel.events += 1;
      if (kind === "s") { refreshSoon(); continue; }
      const p = $(`.pad[data-player="${player}"][data-pad="${pad}"]`);
      if (!p) continue;
      if (kind === "t") p.classList.add("touched");
      else if (kind === "r") p.classList.remove("touched", "held");
      else if (kind === "on") p.classList.add("sounding");
      else if (kind === "off") p.classList.remove("sounding");
      else if (kind === "x") p.classList.add("held");
      state.pads[`${player}:${pad}`] = Date.now();
      if (kind === "t" || kind === "on") changed.push(`${player}:${pad}`);
    }
    if (changed.length) requestAnimationFrame(() => {
      const now = performance.timeOrigin + performance.now();
      for (const key of changed) window.__panel.lit[key] = now;
    });
  };
  src.addEventListener("reload", () => { $$(".pad").forEach(p => p.classList.remove("touched", "held")); refreshSoon(); });
  src.addEventListener("signedout", () => signedOut());
}

function buildPlayers() {
  const box = $("#players");
  box.replaceChildren();
  for (const pl of state.layout.players) {
    const pads = el("div", { class: "pads" });
    for (let i = 0; i < pl.pads; i++)
      pads.append(el("div", { class: "pad", "data-player": pl.player, "data-pad": i, text: String(i + 1) }));
    if (pl.switch)
      pads.append(el("div", { class: "pad switch", "data-player": pl.player, "data-pad": pl.pads,
        text: "●", title: "the player's own button" }));
    const card = el("article", { class: "player", "data-player": pl.player },
      el("header", {}, el("span", { class: "light", "data-pattern": "off" }),
        el("h2", { text: `Player ${pl.player}` }), el("span", { class: "badge", hidden: true, text: "Their turn" })),
      pads,
      el("p", { class: "light-words", text: "" }),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "give", text: "Give them the turn",
          onclick: () => act("POST", "/api/turn", { op: "set", player: pl.player }, `Player ${pl.player} has the turn.`) }),
        el("button", { type: "button", class: "plain", text: "Change client",
          onclick: () => { state.seatAt = pl.player; buildSeatChoices(); show("clients"); } })));
    box.append(card);
  }
}

// -- status -----------------------------------------------------------------------------
let soon = null;
function refreshSoon() { clearTimeout(soon); soon = setTimeout(refresh, 80); }

async function refresh() {
  let s;
  try { s = await api("GET", "/api/status"); } catch (e) { return; }
  state.status = s;
  paintBar(s); paintPlayers(s); paintSession(s);
}

function clock(seconds) {
  const t = Math.max(0, Math.floor(seconds));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(sec).padStart(2, "0")}`;
}

function paintBar(s) {
  const sess = s.session || {};
  const line = $("#session-line"), timer = $("#timer");
  if (sess.active) {
    line.textContent = `Session ${sess.session}` + (sess.phase ? ` · ${PHASE_WORDS[sess.phase] || sess.phase}` : "");
    timer.hidden = false; timer.textContent = clock(sess.elapsed_s || 0);
  } else { line.textContent = "No session"; timer.hidden = true; }
  const q = $("#quiet");
  q.classList.toggle("paused", !!s.paused);
  q.textContent = s.paused ? "Play again" : "All quiet";
  $("#paused-banner").hidden = !s.paused;
  const master = Math.round((s.master_volume ?? 1) * 100);
  if (document.activeElement !== $("#master")) { $("#master").value = master; }
  $("#master-out").textContent = `${master} %`;
}

function paintPlayers(s) {
  const turns = s.turns || {};
  const mode = turns.mode || s.turn_mode || "free";
  $$(".modes button").forEach(b => b.classList.toggle("on", b.dataset.mode === mode));
  $("#next-turn").hidden = mode === "free";
  const lights = Object.values(s.lights || {});
  const now = Date.now();
  for (const card of $$(".player")) {
    const n = card.dataset.player;
    const p = (s.players || {})[n] || {};
    const name = p.client ? `${p.name || p.client}` : "nobody seated";
    $("h2", card).textContent = `Player ${n} · ${name}` + (p.role === "therapist" ? " (therapist)" : "");
    const light = lights.find(l => String(l.player) === n);
    const pattern = light ? light.pattern : "off";
    $(".light", card).dataset.pattern = pattern;
    const myTurn = mode !== "free" && String(turns.turn) === n;
    card.classList.toggle("turn", myTurn);
    $(".badge", card).hidden = !myTurn;
    let words = light ? (LIGHT_WORDS[pattern] || pattern) : "no light";
    if (mode !== "free" && String(turns.next) === n) words += " · next";
    $(".light-words", card).textContent = words[0].toUpperCase() + words.slice(1);
    $(".give", card).hidden = mode === "free" || myTurn || !p.client && p.role !== "therapist";
    const sounding = new Set((p.sounding || []).map(String));
    for (const pad of $$(".pad", card)) {  // the feed leads; the status corrects what it missed
      const key = `${n}:${pad.dataset.pad}`;
      if (now - (state.pads[key] || 0) > 1500) {
        pad.classList.toggle("sounding", sounding.has(pad.dataset.pad));
        if (!sounding.has(pad.dataset.pad)) pad.classList.remove("held");
      }
    }
  }
}

$$(".modes button").forEach(b => b.addEventListener("click", () =>
  act("POST", "/api/turn", { op: "mode", mode: b.dataset.mode }, `Turns: ${MODE_WORDS[b.dataset.mode]}.`)));
$("#next-turn").addEventListener("click", () => act("POST", "/api/turn", { op: "next" }, "The turn passed on."));
$("#quiet").addEventListener("click", async () => {
  if (state.busyQuiet) return;
  state.busyQuiet = true;
  const paused = state.status && state.status.paused;
  await act("POST", "/api/quiet", { on: !paused }, paused ? "Playing again." : "All quiet: the pads are paused.");
  state.busyQuiet = false;
  refresh();
});

function setMaster(percent) {
  const v = Math.max(0, Math.min(100, percent));
  $("#master").value = v; $("#master-out").textContent = `${v} %`;
  act("POST", "/api/volume", { master: v / 100 });
}
$("#master").addEventListener("change", () => setMaster(Number($("#master").value)));
$("#master").addEventListener("input", () => { $("#master-out").textContent = `${$("#master").value} %`; });
$("#vol-down").addEventListener("click", () => setMaster(Number($("#master").value) - 10));
$("#vol-up").addEventListener("click", () => setMaster(Number($("#master").value) + 10));

// -- clients ----------------------------------------------------------------------------
function buildSeatChoices() {
  const box = $("#seat-players");
  box.replaceChildren(...state.layout.players.map(pl => el("button", {
    type: "button", class: pl.player === state.seatAt ? "on" : "", text: `Player ${pl.player}`,
    onclick: () => { state.seatAt = pl.player; buildSeatChoices(); } })));
}

async function loadClients() {
  let data;
  try { data = await api("GET", "/api/clients"); } catch (e) { toast(e.message, true); return; }
  const seatedAt = {};
  for (const [n, p] of Object.entries((state.status || {}).players || {}))
    if (p.client) (seatedAt[p.client] = seatedAt[p.client] || []).push(n);
  const list = $("#client-list");
  list.replaceChildren();
  for (const c of data.clients) {
    const who = el("div", { class: "who" }, el("b", { text: c.name }),
      el("span", { text: c.valid ? `${c.sound} · file ${c.id}.yaml` : `file ${c.id}.yaml has mistakes` }));
    if (seatedAt[c.id]) who.firstChild.append(el("span", { class: "tag seated", text: `playing at ${seatedAt[c.id].join(", ")}` }));
    if (!c.valid) who.firstChild.append(el("span", { class: "tag bad", text: "has mistakes" }));
    list.append(el("li", { "data-client": c.id }, who,
      el("button", { type: "button", class: "big seat", text: "Seat here", onclick: () => seat(c) }),
      el("button", { type: "button", text: "Settings", onclick: () => openDetail(c.id) })));
  }
}

async function seat(c) {
  const box = $("#seat-result");
  const data = await act("POST", "/api/seat", { player: state.seatAt, client: c.id });
  if (!data) return;
  box.hidden = false;
  if (data.seated) {
    box.className = "result";
    box.replaceChildren(`${data.name || c.name} now plays at player ${data.player}.`);
  } else {
    box.className = "result refused";
    const kept = data.kept ? `${data.kept} keeps playing at player ${data.player}.` : `Player ${data.player} stays empty.`;
    box.replaceChildren(`The profile of ${c.name} was refused; ${kept} What to fix in ${c.id}.yaml:`,
      el("ul", {}, ...data.problems.map(p => el("li", { text: p }))));
  }
  await refresh(); loadClients();
}

async function openDetail(id) {
  let d;
  try { d = await api("GET", `/api/clients/${encodeURIComponent(id)}`); } catch (e) { toast(e.message, true); return; }
  state.detail = d;
  const box = $("#client-detail");
  box.hidden = false;
  $("#detail-title").textContent = `Settings of ${d.name}`;
  $("#detail-text").textContent = d.text;
  $("#save-result").hidden = true;
  const probs = $("#detail-problems");
  probs.hidden = d.valid;
  if (!d.valid) probs.replaceChildren(`This profile has mistakes; fix them in ${d.file}:`,
    el("ul", {}, ...d.problems.map(p => el("li", { text: p }))));
  const f = $("#settings-form");
  f.hidden = !d.valid;
  if (!d.valid) { box.scrollIntoView({ behavior: "smooth" }); return; }
  const ch = d.choices;
  const opts = (sel, items, value) => {
    sel.replaceChildren(...items.map(i => el("option", { value: i.name ?? i, text: (i.name ?? i).replace(/_/g, " ") })));
    sel.value = value ?? "";
  };
  opts(f.timbre, ch.timbre, d.settings.timbre);
  opts(f.key, ch.key, d.settings.key);
  opts(f.scale, ch.scale, d.settings.scale);
  f.scale.disabled = d.mode !== "scale" || d.settings.scale === null;
  f.key.disabled = d.mode === "drums" || d.mode === "song";
  for (const name of ["volume", "sensitivity", "dwell_ms", "release_grace_ms", "retrigger_ms"]) {
    f[name].min = ch[name].min; f[name].max = ch[name].max; f[name].value = d.settings[name];
  }
  paintOutputs();
  $("#per-pad-hint").hidden = !(d.per_pad && d.per_pad.length);
  box.scrollIntoView({ behavior: "smooth" });
}
function paintOutputs() {
  const f = $("#settings-form");
  for (const o of $$("output[data-for]", f)) o.textContent = `${Math.round(Number(f[o.dataset.for].value) * 100)} %`;
  const t = (state.detail?.choices.timbre || []).find(t => t.name === f.timbre.value);
  $("#timbre-hint").textContent = t ? t.description : "";
}
$("#settings-form").addEventListener("input", paintOutputs);
$("#detail-close").addEventListener("click", () => { $("#client-detail").hidden = true; });
$("#settings-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const f = ev.target, d = state.detail, changes = {};
  const numbers = { volume: parseFloat, sensitivity: parseFloat, dwell_ms: Number, release_grace_ms: Number, retrigger_ms: Number };
  for (const name of ["timbre", "key", "scale", "volume", "sensitivity", "dwell_ms", "release_grace_ms", "retrigger_ms"]) {
    if (f[name].disabled) continue;
    const v = numbers[name] ? numbers[name](f[name].value) : f[name].value;
    if (v !== d.settings[name]) changes[name] = v;
  }
  const box = $("#save-result");
  if (!Object.keys(changes).length) { toast("Nothing changed."); return; }
  try {
    const r = await api("POST", `/api/clients/${encodeURIComponent(d.id)}`, { version: d.version, changes });
    box.className = "result"; box.hidden = false;
    box.textContent = `Saved. ${d.name} plays like this within a second if seated; the previous file is kept as ${d.id}.yaml.bak.`;
    d.version = r.version; d.settings = r.settings;
  } catch (e) {
    box.className = "result refused"; box.hidden = false;
    box.replaceChildren("Not saved: ", el("span", { text: e.message }));
  }
});

// -- session -----------------------------------------------------------------------------
function buildPhases() {
  $("#phase-buttons").replaceChildren(...state.layout.phases.map(p => el("button", {
    type: "button", "data-phase": p, text: PHASE_WORDS[p] || p,
    onclick: () => act("POST", "/api/phase", { name: p }, `Phase marked: ${PHASE_WORDS[p] || p}.`) })));
}

function paintSession(s) {
  const sess = s.session || {};
  const btn = $("#session-toggle");
  btn.textContent = sess.active ? "End session" : "Start session";
  btn.classList.toggle("on", !!sess.active);
  $("#session-status").textContent = sess.active
    ? `Session ${sess.session} is running (${clock(sess.elapsed_s || 0)})` + (sess.phase ? `, phase: ${PHASE_WORDS[sess.phase] || sess.phase}.` : ".")
    : "No session is running." + (sess.auto_start ? " The first touch starts one." : "");
  $$("#phase-buttons button").forEach(b => b.classList.toggle("on", sess.active && b.dataset.phase === sess.phase));
  const j = s.journal || {};
  const line = $("#journal-line");
  line.className = "status-line " + (j.ok ? "ok" : "problem");
  line.textContent = j.ok ? `Journal: recording (${j.written || 0} events saved).`
    : `Journal: PROBLEM — ${j.error || "events are not being saved"} (${j.lost || 0} lost). Check the station's disk.`;
  if (s.plan) paintPlan(s.plan);
}

$("#session-toggle").addEventListener("click", () => {
  const active = state.status && state.status.session && state.status.session.active;
  act("POST", "/api/session", { op: active ? "stop" : "start" }, active ? "Session ended." : "Session started.");
});
$("#phase-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const name = $("#phase-name").value.trim();
  if (!name) return;
  act("POST", "/api/phase", { name }, `Phase marked: ${name}.`).then(r => { if (r) $("#phase-name").value = ""; });
});
$("#note-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const text = $("#note-text").value.trim();
  if (!text) { toast("Write the note first.", true); return; }
  act("POST", "/api/note", { text }, "Note saved.").then(r => { if (r) $("#note-text").value = ""; });
});

async function loadPlan() {
  try {
    const list = await api("GET", "/api/plans");
    const sel = $("#plan-name"), keep = sel.value;
    sel.replaceChildren(...(list.plans || []).filter(p => !p.error).map(p =>
      el("option", { value: p.name, text: p.title ? `${p.title} (${p.name})` : p.name })));
    if (keep) sel.value = keep;
    paintPlan(await api("GET", "/api/plan"));
  } catch (e) { if (e.status === 501) $("#plan-box").hidden = true; }
}

async function loadGoals() {
  let data;
  try { data = await api("GET", "/api/goals"); } catch (e) { $("#goals-box").hidden = true; return; }
  const box = $("#goal-list");
  $("#goals-box").hidden = !data.players.length;
  box.replaceChildren(...data.players.flatMap(p => p.goals.map(g => {
    const words = el("div", { class: "level-words" });
    const buttons = [-2, -1, 0, 1, 2].map(level => el("button", { type: "button",
      text: level > 0 ? `+${level}` : String(level), title: g.levels[String(level)] || "",
      onclick: async ev => {
        const r = await act("POST", "/api/rate", { goal: g.id, level, player: p.player },
          `${p.name}: "${g.text}" rated ${level > 0 ? "+" : ""}${level}.`);
        if (r) { $$("button", ev.target.parentNode).forEach(b => b.classList.toggle("on", b === ev.target));
                 words.textContent = g.levels[String(level)] || ""; }
      } }));
    return el("div", { class: "goal", "data-goal": g.id, "data-player": p.player },
      el("p", { text: `Player ${p.player} · ${p.name}: ${g.text}` }), el("div", { class: "choices" }, ...buttons), words);
  })));
}
function paintPlan(p) {
  if (!p || !p.plan) { $("#plan-status").textContent = "No plan running."; return; }
  const phases = p.phases || [];
  const name = phases[p.index] ? (phases[p.index].name || phases[p.index]) : p.phase;
  const left = p.suggested_s ? ` of about ${clock(p.suggested_s)}` : "";
  const b = p.backing, backing = b && (typeof b === "object" ? (b.style || b.kind || "") : String(b));
  $("#plan-status").textContent = `Plan ${p.plan}: phase ${(p.index ?? 0) + 1} of ${phases.length}, ${name} (${clock(p.phase_elapsed_s || 0)}${left})`
    + (backing ? `, backing: ${backing}` : "") + ".";
}
$("#plan-start").addEventListener("click", () => {
  const name = $("#plan-name").value;
  if (!name) { toast("This station has no plans yet (configs/plans/).", true); return; }
  act("POST", "/api/plan", { op: "start", name }, `Plan ${name} started.`).then(r => r && paintPlan(r));
});
$("#plan-next").addEventListener("click", () => act("POST", "/api/plan", { op: "next" }, "Next phase.").then(r => r && paintPlan(r)));
$("#plan-stop").addEventListener("click", () => act("POST", "/api/plan", { op: "stop" }, "Plan stopped.").then(r => r && paintPlan(r)));

// -- reports -----------------------------------------------------------------------------
async function loadSessions() {
  let data;
  try { data = await api("GET", "/api/sessions"); } catch (e) { toast(e.message, true); return; }
  const list = $("#session-list");
  if (!data.sessions.length) { list.replaceChildren(el("li", { text: "No sessions recorded yet." })); return; }
  list.replaceChildren(...data.sessions.map(s => {
    const when = new Date(s.started_at.endsWith("Z") || s.started_at.includes("+") ? s.started_at : s.started_at + "Z");
    const length = s.running ? "running now" : `${s.minutes} min`;
    const who = s.clients.length ? s.clients.join(", ") : "nobody seated";
    const base = `/api/sessions/${s.id}`;
    return el("li", { "data-session": s.id },
      el("div", { class: "who" }, el("b", { text: `Session ${s.id} · ${when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}` }),
        el("span", { text: `${length} · ${who} · ${s.touches} touches · ${s.notes} notes` })),
      el("a", { class: "button report", href: `${base}/report`, target: "_blank", rel: "noopener", text: "Open report" }),
      el("a", { class: "button", href: `${base}/csv`, download: `session-${s.id}.csv`, text: "CSV" }),
      el("a", { class: "button", href: `${base}/midi`, download: `session-${s.id}.mid`, text: "MIDI" }),
      state.layout.files.includes("metrics")
        ? el("a", { class: "button", href: `${base}/metrics`, download: `session-${s.id}-metrics.csv`, text: "Metrics" }) : null);
  }));
}

// -- station -----------------------------------------------------------------------------
async function loadStation() {
  let s;
  try { s = await api("GET", "/api/station"); } catch (e) { toast(e.message, true); return; }
  const facts = $("#station-facts");
  const row = (k, v, ok = true) => [el("dt", { text: k }), el("dd", { class: ok ? "" : "problem", text: v })];
  const boards = Object.entries(s.boards || {});
  const online = boards.filter(([, b]) => b.online).length;
  const a = s.audio || {};
  const audio = a.state === "playing" ? `playing (${a.latency_ms} ms buffer)` : a.state === "off" ? `off: ${a.error}` : `NOT PLAYING: ${a.error || "?"}`;
  const j = s.journal || {};
  const d = s.disk || {};
  const p = s.panel || {};
  facts.replaceChildren(
    ...row("Boards", `${online} of ${boards.length} online` + boards.filter(([, b]) => !b.online).map(([addr]) => `; ${addr} not answering`).join(""), online === boards.length),
    ...row("Sound", audio, a.state === "playing" || a.state === "off"),
    ...row("Journal", j.ok ? `recording, ${j.written || 0} events saved` : `PROBLEM: ${j.error || ""} (${j.lost || 0} lost)`, !!j.ok),
    ...row("Disk", d.free_gb === null ? "unknown" : `${d.free_gb} GB free (${d.free_percent} %)`, !(d.free_percent < 5)),
    ...row("Up for", clock(s.uptime_s || 0)),
    ...row("Panel", p.tls ? "HTTPS" : "plain HTTP (see docs/panel.md)", true));
  const faults = $("#fault-list");
  faults.replaceChildren(...(s.faults.length ? s.faults.map(f => el("li", {
    text: `${new Date(f.at * 1000).toLocaleTimeString()}: board ${f.board || "?"} ${String(f.detail || "").replace(/_/g, " ")}` }))
    : [el("li", { text: "No faults since the station started." })]));
}
$("#doctor-run").addEventListener("click", async () => {
  const list = $("#doctor-list");
  list.replaceChildren(el("li", { text: "Checking…" }));
  try {
    const r = await api("GET", "/api/doctor");
    list.replaceChildren(...r.checks.map(c => el("li", {},
      el("span", { class: c.ok ? "ok" : "problem", text: c.ok ? "OK" : "FIX" }), ` ${c.name}: ${c.found}` + (c.fix ? ` — ${c.fix}` : ""))));
  } catch (e) { list.replaceChildren(el("li", { class: "problem", text: e.message })); }
});
$("#sign-out").addEventListener("click", async () => { await act("POST", "/api/logout", {}); signedOut(); });

document.addEventListener("visibilitychange", () => { if (!document.hidden && state.csrf) refresh(); });
boot();
