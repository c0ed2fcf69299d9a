// The playground page: the scenario editor evaluating as you type, and the views over the
// world loaded with -i. It talks only to this server's JSON API; everything it shows from an
// input is set with textContent (never parsed as markup).
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);

  // The prefilled example: a developer whose identity policy is broad and whose permissions
  // boundary is the ceiling; the SCP at the root is AWS's default FullAWSAccess.
  const EXAMPLE = {
    principal: "arn:aws:sts::111122223333:assumed-role/developer/maria",
    action: "s3:PutObject",
    resource: "arn:aws:s3:::first-reports/q1.csv",
    context: {},
    policies: {},
  };
  Object.assign(EXAMPLE.policies, {
    identity: {
      Version: "2012-10-17",
      Statement: [{ Sid: "DeveloperAccess", Effect: "Allow", Action: ["iam:*", "s3:*", "lambda:*"], Resource: "*" }],
    },
    boundary: {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Ceiling", Effect: "Allow", Action: ["s3:*", "lambda:*", "logs:*", "iam:Get*", "iam:List*"], Resource: "*" },
        { Sid: "NoRoleCreation", Effect: "Deny", Action: ["iam:CreateRole", "iam:AttachRolePolicy"], Resource: "*" },
      ],
    },
    scp: [[{ Version: "2012-10-17", Statement: [{ Sid: "FullAWSAccess", Effect: "Allow", Action: "*", Resource: "*" }] }]],
  });
  const POLICY_BOXES = [
    ["identity", "identity", "list"],
    ["boundary", "boundary", "one"],
    ["scp", "scp", "levels"],
    ["rcp", "rcp", "levels"],
    ["session", "session", "list"],
    ["resource_policy", "resource", "one"],
  ];

  // -- helpers --------------------------------------------------------------------------

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value === undefined || value === null ? "" : String(value);
    if (className) node.className = className;
    return node;
  }

  function table(headers, rows) {
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    for (const h of headers) head.appendChild(text("th", h));
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const cell of row) {
        const [value, cls] = Array.isArray(cell) ? cell : [cell, ""];
        tr.appendChild(text("td", value, cls));
      }
    }
    return t;
  }

  function showError(id, message) {
    const box = $(id);
    box.hidden = !message;
    box.textContent = message || "";
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    let data;
    try {
      data = await response.json();
    } catch (e) {
      data = { error: `the server answered ${response.status} without JSON` };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function parseBox(name, value, where) {
    if (!value.trim()) return undefined;
    try {
      return JSON.parse(value);
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${e.message})`);
    }
  }

  // -- the scenario editor --------------------------------------------------------------

  const form = $("#scenario-form");

  function fill() {
    form.principal.value = EXAMPLE.principal;
    form.action.value = EXAMPLE.action;
    form.resource.value = EXAMPLE.resource;
    form.context.value = "{}";
    for (const [field, key] of POLICY_BOXES) {
      const value = EXAMPLE.policies[key];
      form[field].value = value === undefined ? "" : JSON.stringify(value, null, 2);
    }
  }

  // The scenario in eval's format, from the boxes (a policy box holds a JSON document).
  function scenario() {
    const out = {
      name: "playground",
      principal: form.principal.value.trim(),
      action: form.action.value.trim(),
      resource: form.resource.value.trim() || "*",
    };
    const context = parseBox("context", form.context.value, "Context");
    if (context !== undefined) out.context = context;
    const policies = {};
    for (const [field, key, shape] of POLICY_BOXES) {
      const label = form[field].closest("label").firstChild.textContent.trim();
      const value = parseBox(field, form[field].value, label);
      if (value === undefined) continue;
      if (shape === "list" && Array.isArray(value)) {
        policies[key] = value.map((document, i) => ({ name: `${key}-${i + 1}`, document }));
      } else if (shape === "levels") {
        policies[key] = Array.isArray(value)
          ? value.map((level, i) => (Array.isArray(level) ? level.map((document, j) => ({ name: `${key}-level${i}-${j + 1}`, document })) : level))
          : value;
      } else {
        policies[key] = { name: key === "resource" ? "resource-policy" : key, document: value };
      }
    }
    out.policies = policies;
    return out;
  }

  let pending = 0;
  let timer = null;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(evaluate, 250);
  }

  async function evaluate() {
    const ticket = ++pending;
    const decision = $("#decision");
    let body;
    try {
      body = scenario();
    } catch (e) {
      showDecisionError(e.message);
      return;
    }
    $("#scenario-json").textContent = JSON.stringify(body, null, 2);
    let answer;
    try {
      answer = await post("/api/eval", body);
    } catch (e) {
      if (ticket === pending) showDecisionError(`the server did not answer (${e.message})`);
      return;
    }
    if (ticket !== pending) return; // a newer edit is on its way
    if (!answer.ok) {
      showDecisionError(answer.data.error || `HTTP ${answer.status}`);
      return;
    }
    showError("#scenario-error", "");
    renderDecision(answer.data, { decision, reason: $("#reason"), flowchart: $("#flowchart"), overlap: $("#overlap"), statements: $("#statements") });
  }

  function showDecisionError(message) {
    const decision = $("#decision");
    decision.textContent = "Error";
    decision.className = "decision Error";
    $("#reason").textContent = "";
    showError("#scenario-error", message);
  }

  function renderDecision(record, where) {
    where.decision.textContent = record.decision;
    where.decision.className = `decision ${record.decision}`;
    const extra = [];
    if (record.blocked_by) extra.push(`blocked by ${record.blocked_by}`);
    if (record.missing_context_keys && record.missing_context_keys.length) extra.push(`missing context keys: ${record.missing_context_keys.join(", ")}`);
    where.reason.textContent = [record.reason, ...extra].join(" — ");
    for (const note of record.notes || record.assumptions || []) where.reason.appendChild(text("div", `assumed: ${note}`, "hint"));
    IamsimPictures.flowchart(where.flowchart, record);
    IamsimPictures.overlap(where.overlap, record);
    where.statements.replaceChildren(statementsTable(record.statements || []));
  }

  function statementsTable(statements) {
    return table(
      ["policy type", "policy", "statement", "effect", "applied", "why not"],
      statements.map((s) => [
        s.level === undefined ? s.policy_type : `${s.policy_type} (level ${s.level})`,
        s.policy,
        s.statement,
        [s.effect, s.effect],
        s.applied ? ["applied", "applied"] : ["no", "skipped"],
        [s.not_applied_because, s.detail].filter(Boolean).join(": "),
      ]),
    );
  }

  form.addEventListener("input", schedule);

  // -- the views over the loaded world --------------------------------------------------

  function showView(name) {
    for (const button of document.querySelectorAll("#tabs button")) button.classList.toggle("active", button.dataset.view === name);
    for (const view of document.querySelectorAll(".view")) view.classList.toggle("active", view.id === `view-${name}`);
  }

  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showView(button.dataset.view));
  }

  async function loadWorld() {
    const response = await fetch("/api/world");
    const world = await response.json();
    for (const button of document.querySelectorAll("#tabs button.world")) button.hidden = !world.loaded;
    $("#world-status").textContent = world.loaded
      ? `${world.principals.length} principals, ${world.resources.length} resources, ${world.accounts.length} accounts loaded`
      : "no inputs loaded (iamsim serve -i PATH adds check, who-can, permissions and escalation)";
    for (const select of document.querySelectorAll("select.principals")) {
      if (select.classList.contains("optional")) select.appendChild(text("option", "every user and role"));
      if (select.classList.contains("optional")) select.firstChild.value = "";
      for (const arn of world.principals) select.appendChild(text("option", arn));
    }
    const list = $("#resources");
    for (const arn of world.resources) list.appendChild(text("option", arn));
  }

  function bind(id, path, build, render) {
    $(`#${id}-form`).addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = event.target.querySelector("button");
      button.disabled = true;
      try {
        const answer = await post(path, build(event.target));
        showError(`#${id}-error`, answer.ok ? "" : answer.data.error || `HTTP ${answer.status}`);
        if (answer.ok) render(answer.data);
      } catch (e) {
        showError(`#${id}-error`, e.message);
      } finally {
        button.disabled = false;
      }
    });
  }

  bind("check", "/api/check", (f) => {
    const body = { principal: f.principal.value, action: f.action.value, resource: f.resource.value || "*", full: true };
    const context = parseBox("context", f.context.value, "Context");
    if (context !== undefined) body.context = context;
    return body;
  }, (record) => renderDecision(record, { decision: $("#check-decision"), reason: $("#check-reason"), flowchart: $("#check-flowchart"), overlap: $("#check-overlap"), statements: $("#check-statements") }));

  bind("who-can", "/api/who-can", (f) => ({ action: f.action.value, resource: f.resource.value }), (result) => {
    const out = $("#who-can-result");
    out.replaceChildren(text("p", `${result.principals.length} principal(s) can perform ${result.actions.join(", ")} on ${result.resource}`));
    const rows = [];
    for (const p of result.principals) {
      for (const a of p.actions) rows.push([p.principal, p.kind, a.action, a.conditional ? "conditional" : "yes", a.reason, (a.granted_by || []).map(IamsimPictures.ref).join("\n")]);
    }
    out.appendChild(table(["principal", "kind", "action", "allowed", "reason", "granted by"], rows));
  });

  bind("permissions", "/api/permissions", (f) => {
    const body = { principal: f.principal.value };
    if (f.service.value.trim()) body.service = f.service.value.trim();
    return body;
  }, (result) => {
    const out = $("#permissions-result");
    const s = result.summary || {};
    out.replaceChildren(text("p", `${result.principal} (${result.kind}): ${s.allowed} allowed, ${s.conditional} conditional, ${s.cut} cut, ${s.denied} denied`));
    if (result.guardrails && result.guardrails.length) out.appendChild(text("p", `guardrails: ${result.guardrails.join("; ")}`, "hint"));
    for (const note of result.notes || []) out.appendChild(text("p", `note: ${note}`, "hint"));
    const cases = result.cases || [];
    out.appendChild(table(["action", "access level", "status", "resources and conditions"], (result.actions || []).map((a) => [
      a.action, a.access_level, [a.status, a.status === "allowed" ? "Allow" : a.status === "denied" || a.status === "cut" ? "Deny" : ""],
      a.case === undefined || !cases[a.case] ? "" : describeCase(cases[a.case]),
    ])));
  });

  // One case of the permissions result in words: where it is granted, under which conditions,
  // and what removed or may remove it.
  function describeCase(c) {
    const lines = [];
    for (const grant of c.grants || []) {
      let line = `on ${(grant.resources || []).join(", ")}`;
      if (grant.conditions) line += ` if ${JSON.stringify(grant.conditions)}`;
      for (const u of grant.unless_denied_by || []) line += `; unless ${IamsimPictures.ref(u.statement)} ${JSON.stringify(u.conditions || {})}`;
      lines.push(line);
    }
    for (const r of c.removed || []) {
      lines.push(`${r.whole ? "removed" : r.kind === "deny-if" ? "denied when its condition holds" : "narrowed"} by ${r.by}${r.conditions ? " " + JSON.stringify(r.conditions) : ""}`);
    }
    return lines.join("\n");
  }

  bind("escalation", "/api/escalation", (f) => (f.from.value ? { from: f.from.value } : {}), (report) => {
    IamsimPictures.escalationGraph($("#escalation-graph"), report);
    const out = $("#escalation-result");
    const s = report.summary || {};
    out.replaceChildren(text("p", `${s.principals} principals: ${s.already_at_goal} administrators, ${s.escalate} escalate, ${s.contained} contained`));
    for (const result of report.results || []) {
      const box = document.createElement("div");
      box.className = "path";
      box.appendChild(text("span", result.status, `tag ${result.status}`));
      box.appendChild(text("strong", result.label));
      for (const path of result.paths || []) {
        const list = document.createElement("ol");
        for (const step of path.steps || []) {
          const allowed = (step.steps || []).flatMap((x) => (x.allowed_by || []).map(IamsimPictures.ref));
          list.appendChild(text("li", `${step.name} (${step.technique}) → ${step.yields}${allowed.length ? "; allowed by " + allowed.join(", ") : ""}`));
        }
        box.appendChild(text("div", `reaches ${path.reaches}`, "hint"));
        box.appendChild(list);
      }
      out.appendChild(box);
    }
  });

  fill();
  loadWorld().catch((e) => { $("#world-status").textContent = `could not read the world: ${e.message}`; });
  evaluate();
})();
