// The group board: every site's chairs and listed alarms, read from /api/group every 2 s.
// Read-only. Every text from a site goes in as textContent, never as markup.
"use strict";

const POLL_MS = 2000;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function age(s) {
  if (s < 90) return s + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  return Math.round(s / 3600) + " h";
}

function alarmItem(a) {
  const li = el("li", "prio-" + (a.priority || "none"));
  const state = a.latched ? "latched" : a.state;
  li.textContent = (a.priority || "").toUpperCase() + " · " + (a.text || a.condition) +
    (state ? " (" + state + ")" : "");
  return li;
}

// "dosing · 12 min since dose · HR 88 · BP 131/82 · SpO2 97" from the chair's state topic.
function stateLine(st, now) {
  const parts = [st.open ? st.phase : "no open session"];
  if (st.open && st.dose_start) {
    const since = Math.max(0, Math.round((now - Date.parse(st.dose_start)) / 1000));
    parts.push(age(since) + " since dose");
  }
  const v = st.values || {};
  const val = s => (v[s] && v[s].value !== undefined ? v[s].value : null);
  if (st.open && val("hr") !== null) parts.push("HR " + val("hr"));
  if (st.open && val("sbp") !== null && val("dbp") !== null) parts.push("BP " + val("sbp") + "/" + val("dbp"));
  if (st.open && val("spo2") !== null) parts.push("SpO2 " + val("spo2"));
  return parts.join(" · ");
}

function chairTile(c, now) {
  const tile = el("section", "gchair" + (c.highest ? " prio-" + c.highest : ""));
  tile.dataset.chair = c.chair;
  tile.appendChild(el("h3", null, c.chair));
  if (c.state) tile.appendChild(el("p", "gstate", stateLine(c.state, now)));
  const ul = el("ul");
  if (c.alarms.length === 0) ul.appendChild(el("li", "none", "no alarm listed"));
  for (const a of c.alarms) ul.appendChild(alarmItem(a));
  tile.appendChild(ul);
  return tile;
}

function instanceText(site) {
  const parts = site.instances.map(i => i.instance + ": " + i.state + (i.role ? " " + i.role : ""));
  return parts.length ? "instances " + parts.join(", ") : "";
}

function siteSection(site, now) {
  const s = el("section", "site" + (site.stale ? " stale" : ""));
  s.dataset.site = site.name;
  const head = el("div", "site-head");
  head.appendChild(el("h2", null, site.name));
  head.appendChild(el("span", "site-state " + site.state, site.state));
  if (site.active_instance) head.appendChild(el("span", null, "active: " + site.active_instance));
  const inst = instanceText(site);
  if (inst) head.appendChild(el("span", null, inst));
  if (site.status_age_s !== undefined)
    head.appendChild(el("span", null, "status " + age(site.status_age_s) + " ago"));
  if (site.stale)
    head.appendChild(el("span", "site-stale", "NOT CURRENT: " + site.stale_reason +
      "; the alarms below are the last known"));
  s.appendChild(head);
  const grid = el("div", "site-chairs");
  const chairs = site.chairs.slice().sort((a, b) => b.count - a.count || a.chair.localeCompare(b.chair));
  for (const c of chairs) grid.appendChild(chairTile(c, now));
  if (chairs.length === 0) grid.appendChild(el("p", "none", "no chair has reported yet"));
  s.appendChild(grid);
  return s;
}

function render(data) {
  const link = document.getElementById("link");
  link.textContent = data.connected ? "broker connected" : "broker NOT connected";
  link.className = "link " + (data.connected ? "link-ok" : "link-lost");
  const sites = document.getElementById("sites");
  const now = Date.parse(data.ts);
  sites.replaceChildren(...data.sites.map(s => siteSection(s, now)));
}

function lost(why) {
  const link = document.getElementById("link");
  link.textContent = "group board unreachable (" + why + "): nothing shown is current";
  link.className = "link link-lost";
  for (const s of document.querySelectorAll(".site")) s.classList.add("stale");
}

async function poll() {
  try {
    const r = await fetch("/api/group", { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) { location.href = "/login"; return; }
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (e) {
    lost(e.message);
  }
  setTimeout(poll, POLL_MS);
}

document.addEventListener("DOMContentLoaded", poll);
