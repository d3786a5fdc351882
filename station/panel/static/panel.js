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
const PHASE_WORDS = { "warm-up": "Warm-up", warm_up: "Warm-up", main: "Main activity",
  reflection: "Reflection" };
const phaseWords = name => PHASE_WORDS[name] ||
  String(name || "").replace(/_/g, " ").replace(/^./, c => c.toUpperCase());
const levelWords = level => level > 0 ? `+${level}` : String(level);
const count = (n, one, many) => `${n} ${n === 1 ? one : many || one + "s"}`;

const state = { csrf: null, layout: null, status: null, screen: "now", seatAt: 1,
  live: null, pads: {}, statusTimer: null, detail: null, busy: new Set(), goalsKey: null,
  rated: {} };
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
  catch (e) {
    if (window.stationLost) stationLost();       // live.js: the banner, until it answers
    throw new Error("The station does not answer. Is it on, and is this tablet on its network?");
  }
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

// One request at a time per control: a double tap on a tablet must not skip a phase.
async function once(key, fn) {
  if (state.busy.has(key)) return null;
  state.busy.add(key);
  try { return await fn(); } finally { state.busy.delete(key); }
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
  // not while live.js says the station is away: it asks by itself, and no requests pile up
  state.statusTimer = setInterval(() => { if (!document.hidden && !document.body.classList.contains("lost")) refresh(); }, 1000);
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
  if (window.watchLive) watchLive(src);          // live.js: the heartbeat watchdog
  src.onmessage = ev => {
    const items = JSON.parse(ev.data);
    const changed = [];
    for (const [kind, player, pad] of items) {
      window.__panel.events += 1;
      if (kind === "s") { refreshSoon(); continue; }
      if (kind === "m") { window.dispatchEvent(new CustomEvent("station-message", { detail: pad })); continue; }
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
        el("button", { type: "button", class: "plain seat-here", text: "Change client",
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
  paintBar(s); paintStrip(s); paintPlayers(s); paintSession(s);
  // The journal writes in batches: the list follows until it shows what the station says.
  if (state.screen === "reports" && state.listedRunning !== undefined
      && state.listedRunning !== !!(s.session || {}).active) loadSessions();
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
    line.textContent = `Session ${sess.session}` + (sess.phase ? ` · ${phaseWords(sess.phase)}` : "");
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
    $(".seat-here", card).textContent = p.client ? "Change client" : "Seat a client";
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
$("#quiet").addEventListener("click", () => once("quiet", async () => {
  const paused = state.status && state.status.paused;
  await act("POST", "/api/quiet", { on: !paused }, paused ? "Playing again." : "All quiet: the pads are paused.");
  refresh();
}));

function setMaster(percent) {
  const v = Math.max(0, Math.min(100, percent));
  $("#master").value = v; $("#master-out").textContent = `${v} %`;
  act("POST", "/api/volume", { master: v / 100 }, `Master volume: ${v} %.`);
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
  $$("#client-list button.seat").forEach(b => { b.textContent = `Seat at player ${state.seatAt}`; });
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
    if (c.valid && !c.journal) who.firstChild.append(el("span", { class: "tag", title: c.consent,
      text: "no journal consent: counts only" }));
    list.append(el("li", { "data-client": c.id }, who,
      el("button", { type: "button", class: "big seat", text: `Seat at player ${state.seatAt}`, onclick: () => seat(c) }),
      el("button", { type: "button", text: "Settings", onclick: () => openDetail(c.id) }),
      seatedAt[c.id] && c.valid ? el("button", { type: "button", text: "Tune from this session",
        title: "Propose touch settings from this client's play in this session (nothing changes until you accept)",
        onclick: () => tune(c, Number(seatedAt[c.id][0])) }) : null));
  }
  const ex = data.examples_left_out || [];       // shipped examples: not clients (docs/panel.md)
  if (ex.length) list.append(el("li", { class: "hint" }, `${count(ex.length, "example profile")} (${ex.join(", ")}) not listed: to use one, copy its file to a name of your own, or name it in the station's roster.`));
}

// "Tune from this session": the station's proposal in words, its replay, Accept or Keep.
async function tune(c, player) {
  const box = $("#tune-result");
  box.hidden = false;
  box.replaceChildren(el("p", { text: `Looking at how ${c.name} touched the pads this session…` }));
  let p;
  try { p = await api("POST", `/api/clients/${encodeURIComponent(c.id)}/tune`, { player }); }
  catch (e) { box.replaceChildren(el("div", { class: "result refused", text: e.message })); return; }
  const row = (name, a, b) => el("tr", {}, el("th", { text: name }), el("td", { text: a }), el("td", { text: b }));
  const table = el("table", {}, el("tr", {}, el("th", { text: "" }), el("th", { text: "now" }), el("th", { text: "proposed" })),
    row("notes that sound", p.current.notes, p.proposed.notes),
    row("touches joined into a note", p.current.joined, p.proposed.joined),
    row("touches ignored", p.current.ignored, p.proposed.ignored),
    row("longest wait before a note (ms)", p.current.longest_wait_ms, p.proposed.longest_wait_ms));
  const done = el("div", { class: "result", hidden: true });
  const buttons = el("div", { class: "row" });
  if (p.offered) buttons.append(
    el("button", { type: "button", class: "big", text: "Accept", onclick: async () => {
      try {
        const r = await api("POST", `/api/clients/${encodeURIComponent(c.id)}/tune/accept`, { version: p.version, changes: p.changes });
        done.className = "result"; done.textContent = `Saved. ${c.name} plays with these settings within a second; the previous file is kept as ${r.kept}.`;
        toast(`Saved: ${c.name}'s new touch settings.`);
      } catch (e) { done.className = "result refused"; done.textContent = `Not saved: ${e.message}`; toast(done.textContent, true); }
      done.hidden = false; buttons.hidden = true;
    } }));
  buttons.append(el("button", { type: "button", class: "plain", text: p.offered ? "Keep" : "Close", onclick: () => {
    box.hidden = true; if (p.offered) toast("Kept the current settings.");
  } }));
  const verdict = !Object.keys(p.changes).length ? "No change proposed: the current settings already suit these touches."
    : p.offered ? `Proposed: ${Object.entries(p.changes).map(([k, v]) => `${k} ${v}`).join(", ")}. It loses none of the touches that sound now.`
    : `Not offered: it would silence ${p.lost} ordinary touch(es) that sound now. Keep the current settings, or choose by hand.`;
  box.replaceChildren(el("h2", { text: `Tune ${c.name} from session ${p.session} (${p.from_s}–${p.to_s} s, ${p.contacts} contacts)` }),
    el("ul", {}, ...p.reasons.map(r => el("li", { text: r }))), table, el("p", { text: verdict }), buttons, done);
  box.scrollIntoView({ behavior: "smooth" });
}

async function seat(c) {
  const box = $("#seat-result");
  const data = await act("POST", "/api/seat", { player: state.seatAt, client: c.id });
  if (!data) return;
  box.hidden = false;
  if (data.seated) {
    box.className = "result";
    box.replaceChildren(`${data.name || c.name} now plays at player ${data.player}.`);
    toast(box.textContent);
  } else {
    box.className = "result refused";
    const kept = data.kept ? `${data.kept} keeps playing at player ${data.player}.` : `Player ${data.player} stays empty.`;
    box.replaceChildren(`The profile of ${c.name} was refused; ${kept} What to fix in ${c.id}.yaml:`,
      el("ul", {}, ...data.problems.map(p => el("li", { text: p }))));
    toast(`The profile of ${c.name} was refused; the reasons are on the screen.`, true);
  }
  await refresh(); await loadClients();
  box.scrollIntoView({ block: "center" });       // seated from low in the list: still seen
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
  for (const [name, c] of Object.entries(ch)) {   // the editable keys, as the station declares
    if (c.min === undefined || !f[name]) continue;  // a list (filled above), no field
    f[name].min = c.min; f[name].max = c.max; f[name].value = d.settings[name];
  }
  if (d.volume_max !== undefined) f.volume.max = d.volume_max;
  paintOutputs();
  $("#per-pad-hint").hidden = !(d.per_pad && d.per_pad.length);
  box.scrollIntoView({ behavior: "smooth" });
}
function paintOutputs() {
  const f = $("#settings-form");
  const pct = v => `${Math.round(Number(v) * 100)} %`;
  for (const o of $$("output[data-for]", f))
    o.textContent = pct(f[o.dataset.for].value) + (o.dataset.for === "volume" ? ` (at most ${pct(f.volume.max)})` : "");
  const t = (state.detail?.choices.timbre || []).find(t => t.name === f.timbre.value);
  $("#timbre-hint").textContent = t ? t.description : "";
}
$("#settings-form").addEventListener("input", paintOutputs);
$("#detail-close").addEventListener("click", () => { $("#client-detail").hidden = true; });
$("#settings-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const f = ev.target, d = state.detail, changes = {};
  for (const [name, c] of Object.entries(d.choices)) {
    if (!f[name] || f[name].disabled) continue;
    const v = c.min !== undefined ? Number(f[name].value) : f[name].value;   // a range: a number
    if (v !== d.settings[name]) changes[name] = v;
  }
  const box = $("#save-result");
  if (!Object.keys(changes).length) { toast("Nothing changed."); return; }
  try {
    const r = await api("POST", `/api/clients/${encodeURIComponent(d.id)}`, { version: d.version, changes });
    box.className = "result"; box.hidden = false;
    box.textContent = `Saved. ${d.name} plays like this within a second if seated; the previous file is kept as ${d.id}.yaml.bak.`;
    d.version = r.version; d.settings = r.settings;
    toast(`Saved: ${d.name}'s settings.`);
  } catch (e) {
    box.className = "result refused"; box.hidden = false;
    box.replaceChildren("Not saved: ", el("span", { text: e.message }));
    toast(`Not saved: ${e.message}`, true);
  }
});

// -- session -----------------------------------------------------------------------------
function playerName(n) {
  const p = ((state.status || {}).players || {})[String(n)] || {};
  return p.name || p.client || `player ${n}`;
}

// What plays under and around the clients now, in words (the plan status's backing and echo).
function musicWords(p) {
  const parts = [];
  const b = p && p.backing;
  if (b) {
    const who = playerName(b.follow_player);
    let w = `${{ drone: "Drone", pulse: "Pulse", ostinato: "Ostinato", progression: "Chords", bass: "Bass line", call: "Calls to answer" }[b.style] || b.style}${b.pattern_name ? ` (${b.pattern_name})` : ""} in ${b.key}`;
    if (b.tempo_bpm) {
      w += ` at ${Math.round(b.tempo_bpm)} BPM`;
      if (b.ramp_to_bpm && Math.round(b.tempo_bpm) !== Math.round(b.ramp_to_bpm)) w += `, moving to ${Math.round(b.ramp_to_bpm)}`;
    }
    parts.push(w + ".");
    if (b.tempo_source === "follow") parts.push(`It began at ${who}'s own tempo.`);
    if (b.waiting === "all_quiet") parts.push("Silent until you tap Play again.");
    else if (b.waiting === "audio") parts.push("Waiting for the sound to come back.");
    else if (b.meeting) parts.push(`Easing to ${who}'s own tempo.`);
    else if (b.holding) parts.push(`Waiting until ${who} is with the beat.`);
  }
  for (const [n, e] of Object.entries((p && p.echo) || {}))
    parts.push(`Echo of ${playerName(n)}'s phrases (${String(e.timbre).replace(/_/g, " ")}): ${e.echoes} so far${e.playing ? ", echoing now" : ""}.`);
  return parts.join(" ") || "No backing music in this phase.";
}

function nextWords(p) {
  const phases = p.phases || [];
  return p.index + 1 < phases.length ? `Next: ${phaseWords(phases[p.index + 1])}` : "Finish: end the session";
}

function phaseTime(p) {
  const due = p.suggested_s && p.phase_elapsed_s >= p.suggested_s;
  return { due, of: !p.suggested_s ? "" : due ? `(about ${clock(p.suggested_s)} suggested: move on when it suits)` : `of about ${clock(p.suggested_s)}` };
}

// The Now screen's strip: the plan's phase, its timer and music, and Next phase.
function paintStrip(s) {
  const strip = $("#strip"), p = s.plan || {}, sess = s.session || {};
  const planning = !!p.plan;
  strip.hidden = !planning && sess.active;      // a session without a plan: the bar says it
  $("#strip-next").hidden = !planning;
  $("#strip-go").hidden = planning;
  strip.classList.toggle("idle", !planning);
  if (planning) {
    const t = phaseTime(p);
    $("#strip-step").textContent = `Phase ${p.index + 1} of ${(p.phases || []).length} ·`;
    $("#strip-name").textContent = phaseWords(p.phase);
    $("#strip-time").textContent = clock(p.phase_elapsed_s || 0);
    $("#strip-of").textContent = t.of;
    strip.classList.toggle("due", !!t.due);
    $("#strip-about").textContent = p.description || "";
    $("#strip-music").textContent = musicWords(p);
    $("#strip-next").textContent = nextWords(p);
  } else {
    $("#strip-step").textContent = ""; $("#strip-time").textContent = ""; $("#strip-of").textContent = "";
    $("#strip-name").textContent = "No session is running.";
    strip.classList.remove("due");
    $("#strip-about").textContent = (state.layout.features.plan ? "Start it with a plan, or without one, on the Session screen." : "Start it on the Session screen.")
      + (sess.auto_start ? " A first touch on a pad also starts one." : "");
    $("#strip-music").textContent = "";
  }
}

function stepPlan() {
  return once("plan", () => act("POST", "/api/plan", { op: "next" }, r => r.plan
    ? `Now: ${phaseWords(r.phase)} (phase ${r.index + 1} of ${r.phases.length}).`
    : "The plan is done and the session has ended. Its report is on the Reports screen.")
    .then(r => { if (r) { paintPlan(r); loadGoals(); } }));
}
$("#strip-next").addEventListener("click", stepPlan);
$("#strip-go").addEventListener("click", () => show("session"));

function buildPhases() {
  $("#phase-buttons").replaceChildren(...state.layout.phases.map(p => el("button", {
    type: "button", "data-phase": p, text: phaseWords(p),
    onclick: () => act("POST", "/api/phase", { name: p }, `Phase marked: ${phaseWords(p)}.`) })));
}

function paintSession(s) {
  const sess = s.session || {};
  const planning = !!(s.plan && s.plan.plan);
  const btn = $("#session-toggle");
  const withPlans = state.layout.features.plan;
  btn.textContent = sess.active ? "End session" : withPlans ? "Start a session without a plan" : "Start session";
  btn.classList.toggle("big", !planning && (sess.active || !withPlans));   // the plan leads
  $("#session-status").textContent = sess.active
    ? `Session ${sess.session} is running (${clock(sess.elapsed_s || 0)})` + (sess.phase ? `, phase: ${phaseWords(sess.phase)}.` : ".")
    : "No session is running." + (sess.auto_start ? " The first touch starts one." : "");
  $("#phase-box").hidden = planning;             // the plan marks its own phases
  $$("#phase-buttons button").forEach(b => b.classList.toggle("on", sess.active && b.dataset.phase === sess.phase));
  const j = s.journal || {};
  const line = $("#journal-line");
  line.className = "status-line " + (j.ok ? "ok" : "problem");
  line.textContent = j.ok ? `Journal: recording (${j.written || 0} events saved).`
    : `Journal: PROBLEM — ${j.error || "events are not being saved"} (${j.lost || 0} lost). Check the station's disk.`;
  if (withPlans) paintPlan(s.plan);
  const seated = Object.values(s.players || {}).map(p => p.client || "").join(",");
  const key = `${sess.session}:${sess.active}:${seated}`;
  if (state.screen === "session" && key !== state.goalsKey) loadGoals();
}

$("#session-toggle").addEventListener("click", () => once("session", () => {
  const active = state.status && state.status.session && state.status.session.active;
  return act("POST", "/api/session", { op: active ? "stop" : "start" },
    active ? "Session ended. Its report is on the Reports screen." : "Session started.");
}));
$("#phase-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const name = $("#phase-name").value.trim();
  if (!name) { toast("Write the phase's name first.", true); return; }
  act("POST", "/api/phase", { name }, `Phase marked: ${name}.`).then(r => { if (r) $("#phase-name").value = ""; });
});
$("#note-form").addEventListener("submit", ev => {
  ev.preventDefault();
  const text = $("#note-text").value.trim();
  if (!text) { toast("Write the note first.", true); return; }
  const session = parseInt($("#note-session").value, 10);      // a session named: after a day
  const body = Number.isInteger(session) && session > 0 ? { text, session } : { text };
  once("note", () => act("POST", "/api/note", body, "Note saved in the session's journal; the report lists it.")
    .then(r => { if (r) { $("#note-text").value = ""; $("#note-session").value = ""; } }));
});

async function loadPlan() {
  try {
    const list = await api("GET", "/api/plans");
    const sel = $("#plan-name"), keep = sel.value;
    state.plans = (list.plans || []).filter(p => !p.error);
    sel.replaceChildren(...state.plans.map(p => el("option", { value: p.name, text: p.title || p.name })));
    if (keep) sel.value = keep;
    const broken = (list.plans || []).filter(p => p.error);
    $("#plan-broken").hidden = !broken.length;         // why a plan file is not offered
    $("#plan-broken").replaceChildren(...broken.map(p => el("li", { text: `Plan ${p.name} is not offered, its file has a mistake: ${p.error}` })));
    paintPlanChoice();
    paintPlan(await api("GET", "/api/plan"));
  } catch (e) { if (e.status === 409) $("#plan-box").hidden = true; }
}
function paintPlanChoice() {
  const p = (state.plans || []).find(x => x.name === $("#plan-name").value);
  $("#plan-about").textContent = !p ? "This station has no plans yet (the plans folder, e.g. configs/plans/)."
    : [p.description, `Phases: ${p.phases.map(phaseWords).join(" → ")}.`].filter(Boolean).join(" ");
}
$("#plan-name").addEventListener("change", paintPlanChoice);

function paintPlan(p) {
  const running = !!(p && p.plan);
  $("#plan-choose").hidden = running; $("#plan-running").hidden = !running;
  if (!running) return;
  const phases = p.phases || [];
  $("#plan-phases").replaceChildren(...phases.map((name, i) => el("li", {
    class: i < p.index ? "done" : i === p.index ? "now" : "", text: phaseWords(name) })));
  const t = phaseTime(p);
  $("#plan-status").textContent = `${p.title || p.plan}: ${phaseWords(p.phase)}, ${clock(p.phase_elapsed_s || 0)} ${t.of}`.trim() + ".";
  $("#plan-music").textContent = [p.description, musicWords(p)].filter(Boolean).join(" ");
  $("#plan-next").textContent = nextWords(p);
}
$("#plan-start").addEventListener("click", () => {
  const name = $("#plan-name").value;
  if (!name) { toast("This station has no plans yet (the plans folder, e.g. configs/plans/).", true); return; }
  once("plan", () => act("POST", "/api/plan", { op: "start", name },
    r => `${r.title || r.plan} started: ${phaseWords(r.phase)} (phase 1 of ${r.phases.length}).`)
    .then(r => { if (r) { paintPlan(r); loadGoals(); } }));
});
$("#plan-next").addEventListener("click", stepPlan);
$("#plan-stop").addEventListener("click", () => once("plan", () =>
  act("POST", "/api/plan", { op: "stop" }, "Plan stopped; the session goes on.").then(r => r && paintPlan(r))));

// Goal ratings: one card per goal of each seated client, the level words visible (no hover
// on a tablet), the current rating of this session shown.
async function loadGoals() {
  let data;
  try { data = await api("GET", "/api/goals"); } catch (e) { $("#goals-box").hidden = true; return; }
  const s = state.status || {}, sess = s.session || {};
  state.goalsKey = `${sess.session}:${sess.active}:${Object.values(s.players || {}).map(p => p.client || "").join(",")}`;
  $("#goals-box").hidden = !data.players.length || !data.session;
  $("#goals-title").textContent = data.active ? `Rate the goals of session ${data.session}`
    : `Rate the goals of session ${data.session} (the last one)`;
  $("#goal-list").replaceChildren(...data.players.flatMap(p => p.goals.map(g => goalCard(p, g, data.session))));
}

function goalCard(p, g, session) {
  const head = el("p", { text: `Player ${p.player} · ${p.name}: ${g.text}` });
  if (!p.ratable) return el("div", { class: "goal", "data-goal": g.id, "data-player": p.player }, head,
    el("p", { class: "hint", text: `${p.name} did not consent to the journal, so the station keeps no ratings of theirs. Keep this one in your own notes.` }));
  const key = `${session}:${p.player}:${g.id}`;
  const words = el("p", { class: "level-words" });
  const show = level => {
    words.textContent = level === null || level === undefined ? "Not rated yet in this session."
      : `Rated ${levelWords(level)}` + (g.levels[String(level)] ? `: ${g.levels[String(level)]}.` : ".");
  };
  let current = state.rated[key] ?? g.level;
  const buttons = [-2, -1, 0, 1, 2].map(level => el("button", {
    type: "button", class: level === current ? "on" : "", "data-level": level, text: levelWords(level),
    "aria-label": `${levelWords(level)}${g.levels[String(level)] ? ": " + g.levels[String(level)] : ""}`,
    onclick: () => once(`rate:${key}`, async () => {
      const r = await act("POST", "/api/rate", { goal: g.id, level, player: p.player },
        `${p.name}: "${g.text}" rated ${levelWords(level)}.`);
      if (!r) return;
      state.rated[key] = current = level;
      buttons.forEach(b => b.classList.toggle("on", Number(b.dataset.level) === level));
      show(level);
    }) }));
  show(current);
  const legend = Object.entries(g.levels || {}).sort((a, b) => a[0] - b[0])
    .map(([lv, w]) => `${levelWords(Number(lv))} ${w}`).join(" · ");
  return el("div", { class: "goal", "data-goal": g.id, "data-player": p.player }, head,
    el("div", { class: "choices" }, ...buttons), words, legend ? el("p", { class: "hint legend", text: legend }) : null);
}

// -- reports -----------------------------------------------------------------------------
async function loadSessions() {
  let data;
  try { data = await api("GET", "/api/sessions"); } catch (e) { toast(e.message, true); return; }
  const list = $("#session-list");
  state.listedRunning = data.sessions.some(x => x.running);
  if (!data.sessions.length) { list.replaceChildren(el("li", { text: "No sessions recorded yet." })); return; }
  list.replaceChildren(...data.sessions.map(s => {
    const when = new Date(s.started_at.endsWith("Z") || s.started_at.includes("+") ? s.started_at : s.started_at + "Z");
    const length = s.running ? "running now" : `${s.minutes} min`;
    const who = s.clients.length ? s.clients.join(", ") : "nobody seated";
    const base = `/api/sessions/${s.id}`;
    return el("li", { "data-session": s.id },
      el("div", { class: "who" }, el("b", { text: `Session ${s.id} · ${when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}` }),
        el("span", { text: `${length} · ${who} · ${count(s.touches, "touch", "touches")} · ${count(s.phases, "phase")} · ${count(s.notes, "written note")}` })),
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
    const fix = r.checks.filter(c => !c.ok).length;
    toast(fix ? `Checked: ${count(fix, "thing")} to fix, listed below.` : `Checked: all ${r.checks.length} checks are fine.`, !!fix);
  } catch (e) { list.replaceChildren(el("li", { class: "problem", text: e.message })); toast(e.message, true); }
});
$("#sign-out").addEventListener("click", async () => { await act("POST", "/api/logout", {}); signedOut(); });

document.addEventListener("visibilitychange", () => { if (!document.hidden && state.csrf) refresh(); });
boot();
