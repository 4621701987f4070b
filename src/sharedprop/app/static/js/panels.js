// The side panels of the map view: one community, the packages, broken rules and locks.
import { _ } from "./i18n.js";
import { append, clear, count, el, option, pct, yuan } from "./format.js";

function firmName(app, fid) {
  const f = app.instance.firms.find((x) => x.id === fid);
  return f ? `${f.name} (${f.id})` : fid;
}

export function brokenSets(evaluation) {
  const out = { community: new Set(), package: new Set(), firm: new Set(), resource: new Set() };
  for (const v of evaluation.broken) out[v.kind].add(v.subject);
  return out;
}

export function renderPackages(app, table) {
  const ev = app.plan.evaluation;
  const broken = brokenSets(ev);
  clear(table).append(el("tr", {},
    el("th", {}, _("Package")), el("th", {}, _("Firm")), el("th", { class: "num" }, _("Members")),
    el("th", { class: "num" }, _("Households")), el("th", { class: "num" }, _("Subsidy (yuan/yr)")),
    el("th", { class: "num" }, _("Margin"))));
  for (const p of ev.packages) {
    const colour = app.colours.get(p.id) || "#999";
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colour;
    table.append(el("tr", {
      "data-testid": "package-row", dataset: { packageId: p.id },
      class: broken.package.has(p.id) ? "broken" : null,
      on: { click: () => app.map.focusPackage(p.id) },
    }, el("td", {}, swatch, p.id), el("td", { class: "name", title: p.firm_name }, p.firm_name),
    el("td", { class: "num" }, count(p.members.length)), el("td", { class: "num" }, count(p.households)),
    el("td", { class: "num", "data-value": Math.round(p.subsidy) }, yuan(p.subsidy)),
    el("td", { class: "num" }, pct(p.margin))));
  }
}

export function renderBroken(app, list) {
  clear(list);
  const broken = app.plan.evaluation.broken;
  if (!broken.length) list.append(el("li", { class: "ok" }, _("No rule is broken.")));
  for (const v of broken) {
    list.append(el("li", {
      "data-testid": "broken-rule", dataset: { rule: v.rule, subject: v.subject },
      on: { click: () => (v.kind === "community" ? app.map.focusCommunity(v.subject)
        : v.kind === "package" ? app.map.focusPackage(v.subject) : null) },
    }, `${v.rule}: ${v.message}`));
  }
}

export function renderLocks(app, list) {
  clear(list);
  if (!app.plan.locks.length) list.append(el("li", {}, _("No locks.")));
  for (const lk of app.plan.locks) {
    const text = lk.rule === "must"
      ? _("{community} must be served by {firm}", { community: lk.community_id, firm: firmName(app, lk.firm_id) })
      : _("{community} must not be served by {firm}", { community: lk.community_id, firm: firmName(app, lk.firm_id) });
    list.append(el("li", { "data-testid": "lock-row", dataset: { communityId: lk.community_id, firmId: lk.firm_id, rule: lk.rule } },
      text, " ", el("button", { type: "button", "data-testid": "unlock",
        on: { click: () => app.act("DELETE", `/api/locks?community_id=${encodeURIComponent(lk.community_id)}&firm_id=${encodeURIComponent(lk.firm_id)}`) } },
      _("Unlock"))));
  }
}

function figures(pairs) {
  return el("table", { class: "grid" }, pairs.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, v))));
}

function moveControls(app, cid, pkg) {
  const target = el("select", { "data-testid": "move-target" });
  for (const p of app.plan.evaluation.packages) {
    if (pkg && p.id === pkg.id) continue;
    target.append(option(`package:${p.id}`, `${p.id} — ${p.firm_name}`));
  }
  if (pkg) target.append(option("uncovered", _("uncovered (the street office carries it)")));
  for (const f of app.instance.firms) target.append(option(`new:${f.id}`, _("a new package run by {firm}", { firm: `${f.name} (${f.id})` })));
  const go = () => {
    const [kind, id] = target.value.split(/:(.*)/s);
    if (kind === "package") app.act("POST", "/api/plan/move", { community_id: cid, package_id: id });
    else if (kind === "uncovered") app.act("POST", "/api/plan/move", { community_id: cid, package_id: null });
    else app.act("POST", "/api/plan/new-package", { community_id: cid, firm_id: id });
  };
  return el("div", {}, el("label", {}, _("Move to"), " ", target), " ",
    el("button", { type: "button", "data-testid": "move", on: { click: go } }, _("Move")));
}

function lockControls(app, cid, pkg) {
  const firms = el("select", { "data-testid": "lock-firm" });
  for (const f of app.instance.firms) firms.append(option(f.id, `${f.name} (${f.id})`, pkg && f.id === pkg.firm_id));
  const lock = (rule) => app.act("POST", "/api/locks", { community_id: cid, firm_id: firms.value, rule });
  return el("div", {}, el("label", {}, _("Firm"), " ", firms), " ",
    el("button", { type: "button", "data-testid": "lock", on: { click: () => lock("must") } }, _("Lock to this firm")), " ",
    el("button", { type: "button", "data-testid": "forbid", on: { click: () => lock("forbid") } }, _("Forbid this firm")));
}

function firmControls(app, pkg) {
  const firms = el("select", { "data-testid": "package-firm" });
  for (const f of app.instance.firms) firms.append(option(f.id, `${f.name} (${f.id})`, f.id === pkg.firm_id));
  return el("div", {}, el("label", {}, _("Let this firm run {package}", { package: pkg.id }), " ", firms), " ",
    el("button", { type: "button", on: { click: () => app.act("POST", "/api/plan/firm", { package_id: pkg.id, firm_id: firms.value }) } }, _("Change firm")));
}

export function renderCommunity(app, panel, cid) {
  clear(panel);
  if (!cid) { panel.hidden = true; return; }
  const feature = app.features.get(cid);
  if (!feature) { panel.hidden = true; return; }
  const c = feature.properties;
  const ev = app.plan.evaluation;
  const pkg = ev.packages.find((p) => p.members.includes(cid)) || null;
  const locks = app.plan.locks.filter((lk) => lk.community_id === cid);
  panel.hidden = false;
  panel.dataset.communityId = cid;
  append(panel, [
    el("h3", {}, `${c.id} ${c.name}`),
    el("p", { class: "muted" }, `${c.street} / ${c.neighbourhood}`),
    figures([
      [_("Households"), count(c.households)],
      [_("Fee income (yuan/yr)"), yuan(c.fee_income)],
      [_("Package"), pkg ? pkg.id : _("uncovered")],
      [_("Firm"), pkg ? pkg.firm_name : "—"],
      [_("Package subsidy (yuan/yr)"), pkg ? yuan(pkg.subsidy) : "—"],
      [_("Package households"), pkg ? count(pkg.households) : "—"],
    ]),
    el("div", { class: "actions" }, moveControls(app, cid, pkg), lockControls(app, cid, pkg), pkg ? firmControls(app, pkg) : null),
    locks.length ? el("p", {}, _("Locks"), ": ", locks.map((lk) => `${lk.rule} ${lk.firm_id}`).join(", ")) : null,
    el("h4", {}, _("Explanation")),
    el("pre", { id: "explain", "data-testid": "explain" }, _("Computing the explanation…")),
  ]);
}

export function showExplanation(panel, cid, answer) {
  const pre = panel.querySelector("#explain");
  if (!pre || panel.dataset.communityId !== cid) return;
  pre.textContent = answer.state === "ready" ? answer.text
    : answer.state === "failed" ? `${_("The explanation failed")}: ${answer.text}` : _("Computing the explanation…");
}
