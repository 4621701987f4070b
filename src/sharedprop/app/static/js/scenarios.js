// Scenarios: save the current plan under a name, open one, compare two side by side.
import { _, N_ } from "./i18n.js";
import { clear, count, el, option, pct, yuan } from "./format.js";
import { drawChanges } from "./map.js";

// The row labels sharedprop.compare sends, for the translation catalog.
export const METRIC_LABELS = [N_("public money (yuan/yr)"), N_("package subsidies"),
  N_("fallback for uncovered"), N_("total cost (yuan/yr)"), N_("revenue (yuan/yr)"), N_("objective"),
  N_("households covered"), N_("coverage (households)"), N_("communities covered"), N_("packages"),
  N_("firms used"), N_("broken rules")];

export async function refreshScenarios(app) {
  const list = await app.get("/api/scenarios");
  const table = clear(document.getElementById("scenarios"));
  table.append(el("tr", {}, el("th", {}, _("Scenario")), el("th", { class: "num" }, _("Public money (yuan/yr)")),
    el("th", { class: "num" }, _("Coverage")), el("th", { class: "num" }, _("Broken rules")), el("th", {}, "")));
  for (const s of list) {
    table.append(el("tr", { "data-testid": "scenario-row", dataset: { scenarioId: s.id, name: s.name } },
      el("td", {}, s.name), el("td", { class: "num" }, yuan(s.figures.public_money)),
      el("td", { class: "num" }, pct(s.figures.coverage)), el("td", { class: "num" }, count(s.figures.broken)),
      el("td", {},
        el("button", { type: "button", on: { click: () => app.act("POST", `/api/scenarios/${encodeURIComponent(s.id)}/open`) } }, _("Open")), " ",
        el("button", { type: "button", on: { click: async () => { await app.act("DELETE", `/api/scenarios/${encodeURIComponent(s.id)}`); refreshScenarios(app); } } }, _("Delete")))));
  }
  for (const [id, pick] of [["compare-a", 0], ["compare-b", 1]]) {
    const select = clear(document.getElementById(id));
    select.append(option("current", _("current plan")));
    list.forEach((s, i) => select.append(option(s.id, s.name, i === Math.max(0, list.length - 2 + pick))));
  }
}

export async function saveScenario(app) {
  const input = document.getElementById("scenario-name");
  const name = input.value.trim();
  if (!name) { app.say(_("Give the scenario a name."), true); return; }
  await app.act("POST", "/api/scenarios", { name });
  input.value = "";
  await refreshScenarios(app);
  app.say(_("Saved “{name}”.", { name }));
}

function metricCell(m, i) {
  const v = m.values[i];
  const money = !["packages", "firms_used", "broken_rules", "coverage_households", "communities_covered", "coverage"].includes(m.key);
  const text = m.key === "coverage" ? pct(v) : money ? yuan(v) : count(v);
  if (i === 0 || m.lower_is_better === null || m.values[0] === v) return el("td", { class: "num" }, text);
  const better = m.lower_is_better ? v < m.values[0] : v > m.values[0];
  return el("td", { class: `num ${better ? "better" : "worse"}`, "data-value": Math.round(v) }, text);
}

export async function compare(app) {
  const a = document.getElementById("compare-a").value;
  const b = document.getElementById("compare-b").value;
  const data = await app.get(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  const metrics = clear(document.getElementById("compare-metrics"));
  metrics.append(el("tr", {}, el("th", {}, ""), data.names.map((n) => el("th", { class: "num" }, n))));
  for (const m of data.metrics) {
    metrics.append(el("tr", { "data-testid": "compare-metric", dataset: { key: m.key } }, el("td", {}, _(m.label)), metricCell(m, 0), metricCell(m, 1)));
  }
  const pk = clear(document.getElementById("compare-packages"));
  pk.append(el("tr", {}, el("th", {}, data.names[0]), el("th", {}, _("Firm")), el("th", { class: "num" }, _("Households")), el("th", { class: "num" }, _("Subsidy (yuan/yr)")),
    el("th", {}, data.names[1]), el("th", {}, _("Firm")), el("th", { class: "num" }, _("Households")), el("th", { class: "num" }, _("Subsidy (yuan/yr)"))));
  const side = (s) => s ? [el("td", {}, s.id), el("td", {}, s.firm_id), el("td", { class: "num" }, count(s.households)), el("td", { class: "num" }, yuan(s.subsidy))]
    : [el("td", {}, "—"), el("td", {}), el("td", {}), el("td", {})];
  for (const row of data.packages) pk.append(el("tr", { "data-testid": "compare-package" }, side(row.a), side(row.b)));
  const moves = clear(document.getElementById("compare-moves"));
  if (!data.moves.length) moves.append(el("li", {}, _("No community changes package or firm.")));
  for (const m of data.moves) {
    const from = m.from_package ? `${m.from_package} / ${m.from_firm}` : _("uncovered");
    const to = m.to_package ? `${m.to_package} / ${m.to_firm}` : _("uncovered");
    moves.append(el("li", { "data-testid": "compare-move", dataset: { communityId: m.community_id } },
      `${m.community_id} ${m.name}: ${from} → ${to} (${_(m.change)})`));
  }
  const box = document.getElementById("compare-map");
  box.hidden = false;
  app.compareMap = drawChanges(box, app.compareMap, app.fc, data.moves);
}
