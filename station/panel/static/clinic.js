// The clinic on the panel (docs/clinic.md): the replication state on the Station screen,
// and the report across rooms on the Reports screen. Shown only when the station has a
// clinic: section; uses panel.js's el() and the same-origin, signed-in session.
"use strict";

(() => {
  const get = async path => {
    const res = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    if (!res.ok) throw new Error(`The station refused (${res.status}).`);
    return res.json();
  };
  const ago = ns => {
    const s = Math.max(0, (Date.now() * 1e6 - ns) / 1e9);
    return s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  };

  // -- Station screen: connected, rows pending, the oldest pending age, the last error --
  async function showReplication() {
    const box = document.getElementById("clinic-facts");
    let s;
    try { s = await get("/api/station"); } catch (e) { return; }
    const c = s.clinic;
    box.hidden = !c;
    if (!c) return;
    const row = (k, v, ok = true) => [el("dt", { text: k }), el("dd", { class: ok ? "" : "problem", text: v })];
    const pending = c.pending === null || c.pending === undefined ? "?" : c.pending;
    const oldest = c.oldest_pending_unix_ns && c.pending ? `, the oldest from ${ago(c.oldest_pending_unix_ns)} ago` : "";
    const conflicts = Object.keys(c.conflicts || {});
    box.replaceChildren(
      ...row("Clinic", c.connected ? `connected (station ${c.station_id})` : `NOT CONNECTED (station ${c.station_id}): the station plays on and keeps what is not sent`, !!c.connected),
      ...row("Rows pending", `${pending}${oldest}`, !(c.pending > 0 && !c.connected)),
      ...row("Last error", c.error || "none", !c.error),
      ...row("Shared texts", `${c.shared || 0} kept here` + (conflicts.length ? `; NOT SHARED, changed in another room since: ${conflicts.join(", ")}` : "")
        + ((c.held || []).length ? `; local files kept apart: ${c.held.join(", ")}` : ""), !conflicts.length),
      ...(c.forget_waiting ? row("Forget requests", `${c.forget_waiting} wait for the link`, false) : []));
  }

  // -- Reports screen: the clinic's report and metrics, made by the station on request --
  async function showClinicReports() {
    const box = document.getElementById("clinic-reports");
    let info;
    try { info = await get("/api/clinic"); } catch (e) { box.hidden = true; return; }
    box.hidden = !info.enabled;
    if (!info.enabled) return;
    box.replaceChildren(
      el("h2", { text: "The clinic" }),
      el("p", { class: "hint", text: `Every session of ${info.rooms} in the clinic's database, with clients as pseudonyms. It takes a while to gather.` }),
      el("a", { class: "button report", href: "/api/clinic/report", target: "_blank", rel: "noopener", text: "Open the clinic's report" }),
      el("a", { class: "button", href: "/api/clinic/metrics", download: "clinic-metrics.csv", text: "Clinic metrics" }));
  }

  const tab = name => document.querySelector(`#tabs button[data-screen="${name}"]`);
  tab("station")?.addEventListener("click", showReplication);
  tab("reports")?.addEventListener("click", showClinicReports);
  setInterval(() => {
    if (!document.hidden && !document.getElementById("station").hidden) showReplication();
  }, 2000);
})();
