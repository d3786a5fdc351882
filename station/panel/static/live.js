// The station's pulse on the tablet: the page never shows a stale station.
// The live stream beats every second (station/panel/feed.py). Within LOST_MS of silence, or
// at once when a request cannot reach the station, every screen shows a banner, the controls
// are disabled, and the page asks the station every second until it answers; then it
// reconnects by itself and reloads everything it shows. A restart keeps the sign-in
// (station/panel/keep.py); the stream's boot id tells the page that the station restarted.
// Loaded after panel.js, whose openLive() and api() call watchLive() and stationLost().
"use strict";

const LIVE = { LOST_MS: 2000, ASK_MS: 1000, heard: 0, lost: false, boot: null, asking: false };
window.__live = { lostAt: 0, backAt: 0, restarts: 0 };   // stamps for the browser tests

const lostBanner = (() => {
  const b = document.createElement("div");
  b.id = "lost-banner"; b.className = "banner lost"; b.hidden = true;
  b.setAttribute("role", "alert");
  b.textContent = "The station is not answering — sound may have stopped. Reconnecting…";
  document.querySelector(".top").append(b);
  return b;
})();

// panel.js's openLive() hands each new stream here.
function watchLive(src) {
  LIVE.heard = Date.now();
  const heard = ev => {
    if (state.live !== src) return;               // an old stream, already replaced
    LIVE.heard = Date.now();
    if (ev.type === "message") return;
    const restarted = LIVE.boot !== null && ev.data !== LIVE.boot;
    LIVE.boot = ev.data;
    if (restarted) reloadAll(true);               // back within a second: still a new station
  };
  ["hello", "beat", "message"].forEach(kind => src.addEventListener(kind, heard));
  // CLOSED: the station answered the reconnect with a refusal; CONNECTING: it retries itself
  // and the watchdog below decides.
  src.addEventListener("error", () => { if (src.readyState === EventSource.CLOSED && state.live === src) stationLost(); });
}

let tick = Date.now();
setInterval(() => {
  const now = Date.now(), late = now - tick > 1000;
  tick = now;
  // This page itself was asleep or starved (its timer ran late): the stream's events may
  // still be queued behind it, so the stream gets its bound again rather than a false alarm.
  if (late) { LIVE.heard = now; return; }
  if (state.live && !LIVE.lost && now - LIVE.heard > LIVE.LOST_MS) stationLost();
}, 250);
// A tablet that slept hears nothing meanwhile: give the stream its bound again first.
document.addEventListener("visibilitychange", () => { if (!document.hidden) LIVE.heard = Date.now(); });

function controls() {
  return $$("main button, main input, main select, main textarea, .top button");
}

// panel.js's api() calls this when a request does not reach the station.
function stationLost() {
  if (LIVE.lost) return;
  LIVE.lost = true;
  LIVE.wasIn = !!state.csrf;     // signed in when it went: another screen's poll may sign out first
  window.__live.lostAt = Date.now();
  lostBanner.hidden = false;
  document.body.classList.add("lost");
  $("#session-line").textContent = "Not answering";   // no frozen session line or timer
  $("#timer").hidden = true;
  for (const c of controls()) if (!c.disabled) { c.disabled = true; c.dataset.lost = "1"; }
  $("main").inert = true; $("#tabs").inert = true;       // also what is drawn meanwhile
  if (state.live) { state.live.close(); state.live = null; }   // reopened when it answers
  ask();
}

// Ask the station (GET /api/me) every second until it answers.
async function ask() {
  if (!LIVE.lost || LIVE.asking) return;
  LIVE.asking = true;
  let res = null;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 3000);
  try {
    res = await fetch("/api/me", { credentials: "same-origin", cache: "no-store", signal: stop.signal });
  } catch (e) { res = null; }
  clearTimeout(timer);
  LIVE.asking = false;
  if (res && res.status === 200) {
    const me = await res.json().catch(() => ({}));
    stationBack();
    state.csrf = me.csrf;
    const restarted = LIVE.boot !== null && me.boot !== LIVE.boot;
    LIVE.boot = me.boot || null;
    reloadAll(restarted);
  } else if (res && res.status === 401) {          // answered, but this tablet is not signed in
    const wasIn = LIVE.wasIn || !!state.csrf;
    stationBack();
    signedOut();
    if (wasIn) $("#login-message").textContent = "The station is back, but it asks you to sign in again (the sign-in ended while it was away).";
  } else {
    setTimeout(ask, LIVE.ASK_MS);                  // no answer, or a busy one: again
  }
}

function stationBack() {
  LIVE.lost = false;
  window.__live.backAt = Date.now();
  lostBanner.hidden = true;
  document.body.classList.remove("lost");
  $("main").inert = false; $("#tabs").inert = false;
  for (const c of $$("[data-lost]")) { c.disabled = false; delete c.dataset.lost; }
}

// Everything the page shows, asked again: the layout, the live stream, the status and the
// open screen (panel.js's start() does exactly that).
async function reloadAll(restarted) {
  LIVE.heard = Date.now();
  try { await start(); } catch (e) { if (!e.status) stationLost(); return; }   // 401: signed out
  if (restarted) window.__live.restarts += 1;
  toast(restarted ? "The station is back after a restart: this screen shows what it has now."
    : "The station is answering again.");
}
