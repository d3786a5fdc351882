// The Play screen: the therapist's own pads, in the session's key, on the tablet.
// A press sounds the pad at once (POST /api/play {op: "on"}), a lift ends it; the station
// journals every note as the therapist's (position 7, role therapist), never a client's.
// Also shows the station's plain-word messages from the live feed (the iso loop meeting
// a client again), which panel.js passes on as "station-message" events.
"use strict";

const play = { layout: null, down: new Map(), chain: Promise.resolve() };
window.__play = { sent: 0 };              // requests answered, for the browser tests

async function loadPlay() {
  let data;
  try { data = await api("GET", "/api/play"); }
  catch (e) {
    if (e.status === 409) $("#tabs button[data-screen=play]").hidden = true;
    else toast(e.message, true);
    return;
  }
  play.layout = data;
  $("#play-key").textContent = `${data.key} ${data.mode}`;
  const pick = $("#play-timbre");
  pick.replaceChildren(...data.timbres.map(t =>
    el("option", { value: t, selected: t === data.timbre, text: t.replace(/_/g, " ") })));
  const box = $("#play-pads");
  box.replaceChildren(...data.pads.map(p => {
    const b = el("button", { type: "button", class: "play-pad", "data-pad": p.pad,
      "aria-label": `Play ${p.name}`, text: p.name });
    b.addEventListener("pointerdown", ev => { ev.preventDefault(); press(p.pad, b); });
    for (const end of ["pointerup", "pointerleave", "pointercancel"])
      b.addEventListener(end, () => lift(p.pad, b));
    b.addEventListener("keydown", ev => { if (ev.key === " " || ev.key === "Enter") { ev.preventDefault(); if (!ev.repeat) press(p.pad, b); } });
    b.addEventListener("keyup", ev => { if (ev.key === " " || ev.key === "Enter") lift(p.pad, b); });
    return b;
  }));
}

// One request at a time, in order: a lift never overtakes its press on a slow network.
function send(body) {
  play.chain = play.chain.then(async () => {
    try { await api("POST", "/api/play", body); window.__play.sent += 1; }
    catch (e) { toast(e.message, true); }
  });
  return play.chain;
}

function press(pad, button) {
  if (play.down.has(pad)) return;
  play.down.set(pad, true);
  button.classList.add("sounding");
  send({ op: "on", pad });
}

function lift(pad, button) {
  if (!play.down.has(pad)) return;
  play.down.delete(pad);
  button.classList.remove("sounding");
  send({ op: "off", pad });
}

$("#tabs button[data-screen=play]").addEventListener("click", loadPlay);
$("#play-timbre").addEventListener("change", async ev => {
  try { await api("POST", "/api/play", { op: "timbre", timbre: ev.target.value }); toast("Your sound is changed."); }
  catch (e) { toast(e.message, true); }
});
window.addEventListener("station-message", ev => {
  $("#music-message").textContent = ev.detail;
  $("#music-message").hidden = false;
  toast(ev.detail);
});
