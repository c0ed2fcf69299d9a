// The playground's pictures, drawn as SVG from the JSON the API answers. Every piece of text
// that comes from an input is set with textContent, never parsed as markup.
"use strict";

const IamsimPictures = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = { yes: "#1a7f37", no: "#cf222e", skip: "#8c959f", path: "#0969da" };

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(width, height, label) {
    const root = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
    root.appendChild(el("title", {}, label));
    const defs = el("defs");
    for (const [id, color] of [["arrow", "#57606a"], ["arrow-path", COLORS.path]]) {
      const marker = el("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      marker.appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
      defs.appendChild(marker);
    }
    root.appendChild(defs);
    return root;
  }

  function clip(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function ref(s) {
    const level = s.level === undefined || s.level === null ? "" : `[${s.level}]`;
    return `${s.policy_type}${level} ${s.policy}/${s.statement}`;
  }

  // -- the evaluation flowchart ---------------------------------------------------------

  // AWS's policy evaluation logic, in its order: the deny sweep, RCPs, SCPs, the resource-based
  // policy, identity-based policies, the permissions boundary, the session policy.
  const GATES = [
    ["rcp", "Do the RCPs allow it?"],
    ["scp", "Do the SCPs allow it?"],
    ["resource", "Does a resource-based policy allow it?"],
    ["identity", "Does an identity-based policy allow it?"],
    ["boundary", "Does the permissions boundary allow it?"],
    ["session", "Does the session policy allow it?"],
  ];

  function resultsByType(record) {
    const out = {};
    for (const r of record.policy_results || []) {
      const type = r.policy_type === "trust" ? "resource" : r.policy_type;
      (out[type] = out[type] || []).push(r);
    }
    return out;
  }

  // One gate's answer: "yes", "no" or "skip" (no policy of that type governs the request).
  function gateAnswer(results) {
    if (!results || !results.length) return "skip";
    const live = results.filter((r) => r.result !== "NotApplicable");
    if (!live.length) return "skip";
    return live.every((r) => r.result === "Allow") ? "yes" : "no";
  }

  // The steps this request went through, each {key, question, answer, taken}.
  function flowPath(record) {
    const byType = resultsByType(record);
    const denied = record.decision === "ExplicitDeny";
    const steps = [{ key: "deny", question: "Does any applicable policy explicitly deny it?", answer: denied ? "yes" : "no", taken: true }];
    let done = denied;
    let resourceAllowed = false;
    for (const [key, question] of GATES) {
      // Guardrails that are absent do not apply; an absent identity-based policy allows nothing.
      const answer = key === "identity" && !byType.identity ? "no" : gateAnswer(byType[key]);
      const step = { key, question, answer, taken: !done };
      steps.push(step);
      if (done) continue;
      if (key === "resource") {
        resourceAllowed = answer === "yes";
        // Within one account a resource-based policy that names the caller allows on its own
        // (the engine's decision says whether it did): the flow ends at Allow.
        const identity = byType.identity ? gateAnswer(byType.identity) : "no";
        if (resourceAllowed && record.decision === "Allow" && identity !== "yes") done = true;
        continue;
      }
      if (answer === "no") done = true;
    }
    return steps;
  }

  function flowchart(container, record) {
    container.replaceChildren();
    const steps = flowPath(record);
    const boxW = 300, boxH = 40, gap = 22, left = 20, endX = 420;
    const height = 30 + steps.length * (boxH + gap) + 50;
    const root = svg(620, height, `AWS evaluation flowchart: ${record.decision}`);
    let y = 14;
    const finalStep = [...steps].reverse().find((s) => s.taken);
    steps.forEach((step, index) => {
      const onPath = step.taken;
      const color = step.answer === "skip" ? COLORS.skip : onPath ? COLORS.path : "#afb8c1";
      const g = el("g", { "data-step": step.key, "data-answer": step.answer, class: onPath ? "on-path" : "off-path" });
      g.appendChild(el("rect", { x: left, y, width: boxW, height: boxH, rx: 6, fill: onPath ? "#ddf4ff" : "#f6f8fa", stroke: color, "stroke-width": onPath ? 2.5 : 1, "stroke-dasharray": step.answer === "skip" ? "5 4" : "" }));
      g.appendChild(el("text", { x: left + 10, y: y + 17, "font-size": 12, fill: "#1f2328" }, step.question));
      const answerText = step.answer === "skip" ? "none apply: skipped" : step.answer === "yes" ? "yes" : "no";
      g.appendChild(el("text", { x: left + 10, y: y + 32, "font-size": 11, fill: step.answer === "skip" ? COLORS.skip : step.answer === "yes" ? COLORS.yes : COLORS.no, "font-weight": 600 }, answerText));
      root.appendChild(g);
      // Exits to the side: a Deny (or the resource policy's Allow) ends the evaluation here.
      const exits = step.key === "deny" ? step.answer === "yes" : step.key === "resource" ? false : step.answer === "no";
      const resourceExit = step.key === "resource" && step === finalStep && record.decision === "Allow";
      if (onPath && (exits || resourceExit) && step === finalStep) {
        const cy = y + boxH / 2;
        root.appendChild(el("line", { x1: left + boxW, y1: cy, x2: endX - 4, y2: cy, stroke: COLORS.path, "stroke-width": 2.5, "marker-end": "url(#arrow-path)" }));
        root.appendChild(endNode(endX, cy - 18, record.decision));
      }
      if (index < steps.length - 1) {
        const next = steps[index + 1];
        const taken = onPath && next.taken;
        root.appendChild(el("line", { x1: left + boxW / 2, y1: y + boxH, x2: left + boxW / 2, y2: y + boxH + gap - 2, stroke: taken ? COLORS.path : "#afb8c1", "stroke-width": taken ? 2.5 : 1, "marker-end": taken ? "url(#arrow-path)" : "url(#arrow)" }));
      }
      y += boxH + gap;
    });
    const last = steps[steps.length - 1];
    if (last === finalStep && last.answer !== "no") {
      // Every gate passed: the flow reaches the bottom.
      root.appendChild(el("line", { x1: left + boxW / 2, y1: y - gap, x2: left + boxW / 2, y2: y - 2, stroke: COLORS.path, "stroke-width": 2.5, "marker-end": "url(#arrow-path)" }));
      root.appendChild(endNode(left + boxW / 2 - 90, y, record.decision));
    }
    container.appendChild(root);
    if (record.request && record.request.same_account === false) {
      const note = document.createElement("p");
      note.className = "hint";
      note.textContent = "Cross-account request: the caller's account must allow it (identity side) and the resource's policy must allow it too.";
      container.appendChild(note);
    }
  }

  function endNode(x, y, decision) {
    const color = decision === "Allow" ? COLORS.yes : decision === "ExplicitDeny" ? COLORS.no : "#9a6700";
    const g = el("g", { "data-end": decision });
    g.appendChild(el("rect", { x, y, width: 180, height: 36, rx: 18, fill: color }));
    g.appendChild(el("text", { x: x + 90, y: y + 23, "text-anchor": "middle", "font-size": 14, "font-weight": 700, fill: "#fff" }, decision));
    return g;
  }

  // -- the overlap picture --------------------------------------------------------------

  const LABELS = { identity: "identity-based", boundary: "permissions boundary", scp: "SCPs", rcp: "RCPs", session: "session policy", resource: "resource-based" };

  // Each policy type present: whether it lets the request through, and the statements that
  // decided (those that allowed, or the Deny that stopped it).
  function regions(record) {
    const byType = resultsByType(record);
    const statements = record.statements || [];
    const out = [];
    for (const key of ["identity", "boundary", "scp", "session", "rcp", "resource"]) {
      const results = byType[key] || [];
      if (!results.length && key !== "identity") continue;
      // The identity set is always drawn: without an identity-based policy it is empty.
      const answer = results.length ? gateAnswer(results) : "no";
      const type = key === "resource" ? ["resource", "trust"] : [key];
      const applied = statements.filter((s) => type.includes(s.policy_type) && s.applied);
      const lines = applied.map((s) => `${s.effect === "Deny" ? "Deny: " : ""}${s.level === undefined || s.level === null ? "" : `level ${s.level}: `}${s.policy}/${s.statement}`);
      const notes = results.filter((r) => r.note).map((r) => r.note);
      out.push({ key, answer, lines, notes, given: results.length > 0, denied: applied.some((s) => s.effect === "Deny") });
    }
    return out;
  }

  function overlap(container, record) {
    container.replaceChildren();
    const all = regions(record);
    const gates = all.filter((r) => r.key !== "resource");
    const resource = all.find((r) => r.key === "resource");
    const width = 860, height = 360, cx = 270, cy = 180, r = 120;
    const root = svg(width, height, "Overlap of the policy types");
    const spread = gates.length > 1 ? 58 : 0;
    gates.forEach((region, i) => {
      const angle = (2 * Math.PI * i) / gates.length - Math.PI / 2;
      region.x = cx + spread * Math.cos(angle);
      region.y = cy + spread * Math.sin(angle);
      region.angle = angle;
    });
    for (const region of gates) drawSet(root, region, r);
    const through = gates.every((g) => g.answer === "yes");
    // The request: in the middle when every policy type lets it through, else beside the
    // first type that does not.
    let px = cx, py = cy;
    const outside = gates.find((g) => g.answer !== "yes");
    if (outside && gates.length > 1) {
      // Opposite the failing set's centre: still inside the sets that let it through.
      px = cx - 80 * Math.cos(outside.angle);
      py = cy - 80 * Math.sin(outside.angle);
    } else if (outside) {
      px = cx - r - 30;
    }
    if (resource) {
      const rx = cx + 300;
      drawSet(root, Object.assign(resource, { x: rx, y: cy, angle: 0 }), 95);
      root.appendChild(el("text", { x: (cx + rx) / 2 + 30, y: cy + 8, "font-size": 28, "text-anchor": "middle", fill: "#57606a" }, "∪"));
      if (resource.answer === "yes" && record.decision === "Allow" && !through) { px = rx; py = cy; }
    }
    root.appendChild(el("circle", { cx: px, cy: py, r: 7, fill: record.decision === "Allow" ? COLORS.yes : COLORS.no, stroke: "#fff", "stroke-width": 2, "data-testid": "request-dot" }));
    // The legend, clear of the sets' own labels.
    root.appendChild(el("circle", { cx: 16, cy: 18, r: 6, fill: record.decision === "Allow" ? COLORS.yes : COLORS.no }));
    root.appendChild(el("text", { x: 28, y: 22, "font-size": 12, "font-weight": 700 }, `the request: ${record.decision}`));
    if (gates.length > 1) {
      root.appendChild(el("text", { x: cx, y: height - 6, "text-anchor": "middle", "font-size": 11, fill: "#57606a" }, "effective permissions = the region where every set overlaps"));
    }
    container.appendChild(root);
  }

  function drawSet(root, region, r) {
    const color = region.answer === "yes" ? COLORS.yes : region.answer === "skip" ? COLORS.skip : COLORS.no;
    const g = el("g", { "data-region": region.key, "data-answer": region.answer });
    g.appendChild(el("circle", { cx: region.x, cy: region.y, r, fill: color, "fill-opacity": 0.08, stroke: color, "stroke-width": 2, "stroke-dasharray": region.answer === "yes" ? "" : "6 4" }));
    // The label sits in the set's own outer part, away from the overlap.
    const lx = region.x + (r * 0.55) * Math.cos(region.angle);
    const ly = region.y + (r * 0.62) * Math.sin(region.angle) - 8;
    g.appendChild(el("text", { x: lx, y: ly, "text-anchor": "middle", "font-size": 12, "font-weight": 700, fill: color }, LABELS[region.key]));
    const empty = region.key === "identity" && !region.given ? "no identity-based policy" : region.answer === "skip" ? "does not govern this request" : "no statement allows the request";
    const lines = region.lines.length ? region.lines : [empty];
    lines.slice(0, 3).forEach((text, i) => {
      g.appendChild(el("text", { x: lx, y: ly + 14 + i * 13, "text-anchor": "middle", "font-size": 10, fill: "#1f2328" }, clip(text, 34)));
    });
    if (lines.length > 3) g.appendChild(el("text", { x: lx, y: ly + 14 + 3 * 13, "text-anchor": "middle", "font-size": 10, fill: "#57606a" }, `and ${lines.length - 3} more`));
    const title = el("title", {}, `${LABELS[region.key]}: ${lines.join("; ")}${region.notes.length ? " (" + region.notes.join("; ") + ")" : ""}`);
    g.appendChild(title);
    root.appendChild(g);
  }

  // -- the escalation graph -------------------------------------------------------------

  // Principals as nodes, technique steps as edges; paths laid out left to right by depth.
  function escalationGraph(container, report) {
    container.replaceChildren();
    const nodes = new Map();
    const edges = [];
    const seen = new Set(); // one edge per (from, to, technique), however many paths share it
    const admins = new Set((report.administrators || []).map(String));
    function node(label, depth) {
      const existing = nodes.get(label);
      if (existing) { existing.depth = Math.min(existing.depth, depth); return existing; }
      const made = { label, depth, row: 0 };
      nodes.set(label, made);
      return made;
    }
    for (const result of report.results || []) {
      if (result.status !== "escalates") continue;
      for (const path of result.paths || []) {
        let from = node(result.label, 0);
        (path.steps || []).forEach((step, i) => {
          const target = i === path.steps.length - 1 ? path.reaches : step.yields.replace(/^(becomes|changes) /, "");
          const to = node(target, i + 1);
          const allowed = (step.steps || []).flatMap((s) => (s.allowed_by || []).map(ref));
          const key = `${from.label}\u0000${to.label}\u0000${step.technique}`;
          if (!seen.has(key)) edges.push({ from, to, label: step.name || step.technique, technique: step.technique, allowed });
          seen.add(key);
          from = to;
        });
      }
    }
    for (const result of report.results || []) if (result.status === "goal") node(result.label, 0).goal = true;
    if (!nodes.size) {
      const p = document.createElement("p");
      p.textContent = "No principal escalates.";
      container.appendChild(p);
      return;
    }
    const columns = [];
    for (const n of nodes.values()) (columns[n.depth] = columns[n.depth] || []).push(n);
    const colW = 430, rowH = 80, nodeW = 270, nodeH = 46;
    const rows = Math.max(...columns.map((c) => (c ? c.length : 0)));
    const root = svg(40 + columns.length * colW, 40 + rows * rowH, "Escalation paths");
    columns.forEach((column, depth) => (column || []).forEach((n, row) => { n.x = 20 + depth * colW; n.y = 20 + row * rowH; }));
    edges.forEach((e) => {
      const x1 = e.from.x + nodeW, y1 = e.from.y + nodeH / 2, x2 = e.to.x, y2 = e.to.y + nodeH / 2;
      const g = el("g", { "data-technique": e.technique });
      const same = e.from === e.to;
      const d = same ? `M${x1 - 40},${e.from.y} C${x1},${e.from.y - 40} ${x1 + 30},${y1} ${x1},${y1}` : `M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2 - 3},${y2}`;
      g.appendChild(el("path", { d, fill: "none", stroke: "#cf222e", "stroke-width": 1.8, "marker-end": "url(#arrow)" }));
      // The technique's name just before the node it leads to, where edges do not cross.
      g.appendChild(el("text", { x: same ? x1 - 40 : x2 - 10, y: same ? e.from.y - 6 : y2 - 7, "text-anchor": "end", "font-size": 10, fill: "#1f2328" }, clip(e.label, 28)));
      g.appendChild(el("title", {}, `${e.label}: allowed by ${e.allowed.join(", ") || "(no statement listed)"}`));
      root.appendChild(g);
    });
    for (const n of nodes.values()) {
      const admin = n.goal || /administrator|AdministratorAccess|Allow \* on \*/.test(n.label) || admins.has(n.label);
      const g = el("g", { "data-node": n.label });
      g.appendChild(el("rect", { x: n.x, y: n.y, width: nodeW, height: nodeH, rx: 8, fill: admin ? "#ffebe9" : "#ddf4ff", stroke: admin ? "#cf222e" : "#0969da" }));
      const [head, ...rest] = n.label.split(" (");
      g.appendChild(el("text", { x: n.x + 8, y: n.y + 18, "font-size": 11, "font-weight": 700 }, clip(head, 40)));
      if (rest.length) g.appendChild(el("text", { x: n.x + 8, y: n.y + 34, "font-size": 10, fill: "#57606a" }, clip("(" + rest.join(" ("), 48)));
      g.appendChild(el("title", {}, n.label));
      root.appendChild(g);
    }
    container.appendChild(root);
  }

  return { flowchart, overlap, escalationGraph, flowPath, ref };
})();
