// OpenIDV review console. Plain DOM, no framework; all data is inserted with textContent.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let key = sessionStorage.getItem("openidv-key") || "";
  let current = null;

  const api = async (path, opts = {}) => {
    const headers = Object.assign({ "X-API-Key": key }, opts.headers || {});
    const r = await fetch(path, Object.assign({}, opts, { headers }));
    if (!r.ok) {
      let detail = r.statusText;
      try { detail = (await r.json()).detail; } catch (e) { /* not JSON */ }
      throw new Error(`${r.status}: ${detail}`);
    }
    return r;
  };
  const status = (text) => { $("status").textContent = text; };
  const guard = (fn) => (ev) => fn(ev).catch((e) => status(`error: ${e.message}`));
  const cell = (tr, text, cls) => {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  };

  async function loadQueue() {
    const body = await (await api("/v1/reviews?limit=200")).json();
    const tbody = $("queue").querySelector("tbody");
    tbody.replaceChildren();
    for (const item of body.items) {
      const tr = document.createElement("tr");
      tr.dataset.session = item.session_id;
      cell(tr, item.session_id.slice(0, 12));
      cell(tr, item.flow);
      cell(tr, item.country || "");
      cell(tr, item.reason_codes.join(", "));
      cell(tr, item.created_at.replace("T", " ").slice(0, 19));
      tr.addEventListener("click", guard(() => openCase(item.session_id, tr).catch((e) => { closeCase(); throw e; })));
      tbody.appendChild(tr);
    }
    $("queue-empty").hidden = body.items.length > 0;
    status(`${body.items.length} case(s) waiting`);
  }

  async function loadReasonCodes() {
    const body = await (await api("/v1/reason-codes")).json();
    const select = $("reason-codes");
    select.replaceChildren();
    for (const c of body.codes) {
      const opt = document.createElement("option");
      opt.value = c.code;
      opt.textContent = `${c.code} — ${c.internal_text}`;
      select.appendChild(opt);
    }
  }

  function closeCase() {
    current = null;
    $("case-pane").hidden = true;
  }

  // The case is built off-screen and swapped in whole: if anything fails on the way (an image that
  // does not load, a network error) the pane is closed, never left showing one case's checks under
  // another case's id - a decision recorded there would go to the wrong session.
  async function openCase(sessionId, row) {
    closeCase();
    document.querySelectorAll("#queue tr.selected").forEach((r) => r.classList.remove("selected"));
    if (row) row.classList.add("selected");
    const s = await (await api(`/v1/sessions/${encodeURIComponent(sessionId)}`)).json();
    const reasons = [];
    for (const r of (s.decision ? s.decision.internal_reasons : [])) {
      const li = document.createElement("li");
      li.textContent = `${r.code} (${r.severity}): ${r.text}`;
      reasons.push(li);
    }
    const images = [];
    for (const c of s.captures) {
      if (c.purged) continue;
      const blob = await (await api(`/v1/sessions/${encodeURIComponent(s.id)}/captures/${encodeURIComponent(c.id)}`)).blob();
      const img = document.createElement("img");
      img.alt = c.kind;
      img.title = `${c.kind} ${c.width}x${c.height}`;
      img.src = URL.createObjectURL(blob);
      images.push(img);
    }
    const rows = [];
    for (const ch of (s.decision ? s.decision.checks : [])) {
      const tr = document.createElement("tr");
      cell(tr, `${ch.check} ${ch.version}`);
      cell(tr, ch.outcome, `outcome-${ch.outcome}`);
      cell(tr, ch.score == null ? "" : ch.score.toFixed(3));
      cell(tr, ch.reason_codes.join(", "));
      cell(tr, ch.latency_ms.toFixed(1));
      const pre = document.createElement("pre");
      pre.textContent = JSON.stringify(ch.evidence, null, 1);
      cell(tr, "").appendChild(pre);
      rows.push(tr);
    }
    $("case-id").textContent = s.id;
    $("auto-decision").textContent = s.decision ? s.decision.decision : "(none)";
    $("policy").textContent = s.decision ? `${s.decision.policy} ${s.decision.policy_version}` : "";
    $("reasons").replaceChildren(...reasons);
    $("captures").replaceChildren(...images);
    $("checks").querySelector("tbody").replaceChildren(...rows);
    current = s;
    $("case-pane").hidden = false;
    status(`case ${s.id.slice(0, 12)} open`);
  }

  async function submitDecision(ev) {
    ev.preventDefault();
    if (!current) return;
    const codes = Array.from($("reason-codes").selectedOptions).map((o) => o.value);
    const payload = { decision: $("decision").value, label: $("label").value, reason_codes: codes,
                      notes: $("notes").value || null };
    await api(`/v1/reviews/${current.id}/decision`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    const done = current.id;
    closeCase();
    await loadQueue();
    status(`recorded ${payload.decision} (${payload.label}) for ${done.slice(0, 12)}`);
  }

  async function connect(ev) {
    if (ev) ev.preventDefault();
    key = $("api-key").value.trim() || key;
    sessionStorage.setItem("openidv-key", key);
    try {
      await loadReasonCodes();
      await loadQueue();
      document.body.dataset.connected = "yes";
    } catch (e) {
      status(`could not connect: ${e.message}`);
    }
  }


  window.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", connect);
    $("refresh").addEventListener("click", guard(loadQueue));
    $("decision-form").addEventListener("submit", guard(submitDecision));
    if (key) { $("api-key").value = key; connect(); }
  });
})();
