// marsad review desk: the article view's actions. Small, no dependencies, nothing external.
// Offsets are computed on the server (Python str indices); the only offsets made here are those
// of a selection, counted in code points from a segment's data-s (JS strings count UTF-16 units).
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function toast(message, bad) {
  const t = document.getElementById("toast");
  t.textContent = message;  // textContent: a server message may quote untrusted text
  t.className = "show" + (bad ? " bad" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ""; }, 4000);
}

async function post(url, body) {
  const res = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const why = data && data.detail ? (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail)) : res.statusText;
    throw new Error((res.status === 409 ? "conflict: " : "") + why);
  }
  return data;
}

const path = (id) => encodeURIComponent(id).replace(/%2F/g, "/");
const cards = () => Array.from(document.querySelectorAll("section.event"));
let selected = 0;

function select(i, scroll) {
  const all = cards();
  if (!all.length) return;
  selected = Math.max(0, Math.min(i, all.length - 1));
  all.forEach((c, j) => c.classList.toggle("selected", j === selected));
  const idx = all[selected].dataset.index;
  document.querySelectorAll("#text .seg").forEach((s) => {
    s.classList.toggle("focus", (s.dataset.ev || "").split(" ").includes(idx));
  });
  if (scroll) all[selected].scrollIntoView({block: "nearest"});
}

function reloadAt(id) {
  sessionStorage.setItem("marsad-selected", id);
  location.reload();
}

async function act(card, what) {
  const id = card.dataset.id, version = Number(card.dataset.version);
  try {
    if (what === "save") {
      const changes = {};
      card.querySelectorAll("[data-field]").forEach((el) => {
        if (el.dataset.field === "type") {
          if (el.value !== el.dataset.initial) {
            const [t, s] = el.value.split("|");
            changes.event_type = t; changes.sub_event_type = s;
          }
        } else if (el.value !== el.dataset.initial) {
          changes[el.dataset.field] = el.value;
        }
      });
      if (!Object.keys(changes).length) { toast("nothing changed"); return; }
      await post("/event/edit/" + path(id), {version, changes});
    } else if (what === "undo") {
      await post("/event/undo/" + path(id), {version});
    } else if (what === "split") {
      const made = await post("/event/split/" + path(id), {version});
      reloadAt(made.event_id);
      return;
    } else if (what === "merge") {
      const other = card.querySelector("select[data-merge]").selectedOptions[0];
      await post("/event/merge/" + path(id), {version, other: other.value, other_version: Number(other.dataset.version)});
    } else {
      await post("/event/state/" + path(id), {version, state: what});
    }
    reloadAt(id);
  } catch (err) {
    toast(err.message, true);
  }
}

// a selection inside the article -> [start, end) in code points of the document text
function selectionOffsets() {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const at = (node, offset) => {
    const el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const seg = el && el.closest ? el.closest("#text .seg") : null;
    if (!seg) return null;
    const units = node.nodeType === Node.TEXT_NODE ? offset : (offset ? seg.textContent.length : 0);
    return Number(seg.dataset.s) + Array.from(seg.textContent.slice(0, units)).length;
  };
  const a = at(range.startContainer, range.startOffset), b = at(range.endContainer, range.endOffset);
  if (a === null || b === null || a === b) return null;
  return [Math.min(a, b), Math.max(a, b)];
}

async function lookup(input) {
  const kind = input.dataset.lookup, q = input.value.trim();
  if (q.length < 2) return;
  const res = await fetch("/search/" + (kind === "actor" ? "actors" : "places") + "?q=" + encodeURIComponent(q),
                          {credentials: "same-origin"});
  if (!res.ok) return;
  const found = await res.json();
  const list = document.getElementById(input.getAttribute("list"));
  list.replaceChildren(...found.map((f) => {
    const o = document.createElement("option");
    o.value = f.name;
    if (kind === "place") {
      o.label = [f.name, f.admin1, f.country, f.feature].filter(Boolean).join(", ");
    }
    return o;
  }));
  input.lookupResults = found;
}

function placeChosen(input) {
  const found = (input.lookupResults || []).find((f) => f.name === input.value);
  if (!found) return;
  const card = input.closest("section.event");
  for (const key of ["country", "admin1", "admin2", "latitude", "longitude", "geonameid"]) {
    const el = card.querySelector('[data-field="' + key + '"]');
    if (el) el.value = found[key] === null || found[key] === undefined ? "" : String(found[key]);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const all = cards();
  if (!all.length && !document.getElementById("add-event")) return;
  document.querySelectorAll("[data-field]").forEach((el) => { el.dataset.initial = el.value; });
  all.forEach((card, i) => {
    card.addEventListener("click", () => select(i, false));
    card.querySelectorAll("button[data-act]").forEach((b) => b.addEventListener("click", (e) => {
      e.stopPropagation(); select(i, false); act(card, b.dataset.act);
    }));
  });
  let timer = null;
  document.querySelectorAll("input[data-lookup]").forEach((input) => {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => lookup(input), 150);
      if (input.dataset.lookup === "place") placeChosen(input);
    });
    input.addEventListener("change", () => { if (input.dataset.lookup === "place") placeChosen(input); });
  });
  const want = sessionStorage.getItem("marsad-selected") || decodeURIComponent(location.hash.replace(/^#ev-/, ""));
  sessionStorage.removeItem("marsad-selected");
  const at = all.findIndex((c) => c.dataset.id === want);
  select(at >= 0 ? at : 0, at >= 0);
  const add = document.getElementById("add-event");
  if (add) add.addEventListener("click", async () => {
    const span = selectionOffsets();
    if (!span) { toast("select the words of the event in the article first", true); return; }
    const [t, s] = document.getElementById("add-type").value.split("|");
    try {
      const made = await post("/add/" + path(document.getElementById("desk").dataset.doc),
                              {start: span[0], end: span[1], fields: {event_type: t, sub_event_type: s}});
      reloadAt(made.event_id);
    } catch (err) { toast(err.message, true); }
  });
  document.addEventListener("keydown", (e) => {
    const tag = (e.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea"].includes(tag) || e.ctrlKey || e.metaKey || e.altKey) return;
    const card = cards()[selected];
    if (e.key === "j") select(selected + 1, true);
    else if (e.key === "k") select(selected - 1, true);
    else if (!card || !card.querySelector("button[data-act]")) return;
    else if (e.key === "a") act(card, "approved");
    else if (e.key === "r") act(card, "rejected");
    else if (e.key === "u") act(card, "undo");
  });
});
