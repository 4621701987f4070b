// The data view: upload or open an instance, its validation problems and the offending cells,
// and the policy and objective form.
import { _, N_ } from "./i18n.js";
import { clear, count, el } from "./format.js";

export function renderProblems(app, inst) {
  const list = document.getElementById("validation-errors");
  clear(list);
  for (const p of inst.problems) {
    const where = [p.table, p.row !== null ? `${_("row")} ${p.row}` : null, p.column, p.value !== null ? `“${p.value}”` : null]
      .filter(Boolean).join(" · ");
    list.append(el("li", { "data-testid": "validation-error",
      dataset: { table: p.table || "", row: p.row ?? "", column: p.column || "" } },
    where ? el("span", { class: "where" }, where) : null, p.message));
  }
  renderTables(app, inst.tables);
}

function renderTables(app, tables) {
  const box = clear(document.getElementById("problem-tables"));
  for (const t of tables) {
    const table = el("table", { class: "grid", "data-testid": "problem-table", dataset: { table: t.name } });
    table.append(el("tr", {}, el("th", {}, _("row")), t.columns.map((c) => el("th", {}, c))));
    for (const r of t.rows) {
      const tr = el("tr", { dataset: { row: r.row }, title: r.problems.join("\n") }, el("td", {}, r.row));
      for (const c of t.columns) tr.append(cell(app, t.name, r, c));
      table.append(tr);
    }
    box.append(el("h3", {}, `${t.file}`), table);
  }
}

function cell(app, table, r, column) {
  const value = r.cells[column] ?? "";
  if (!r.marked.includes(column)) return el("td", {}, value);
  const input = el("input", { type: "text", value, "data-testid": "cell-input",
    dataset: { table, row: r.row, column }, "aria-label": `${table} ${r.row} ${column}` });
  input.addEventListener("change", () =>
    app.actInstance("POST", "/api/instance/cell", { table, row: r.row, column, value: input.value }));
  return el("td", { class: "bad", "data-testid": "bad-cell", dataset: { column } }, input);
}

export function renderSummary(inst) {
  const p = document.getElementById("instance-summary");
  if (inst.status === "empty") p.textContent = _("No instance yet: upload one or open a folder.");
  else if (inst.status === "invalid") p.textContent = _("{n} problems: fix them below or upload a corrected file. Nothing is solved until the data is valid.", { n: inst.problems.length });
  else p.textContent = _("{name}: {communities} communities, {firms} firms, {resources} resources, {households} households.", {
    name: inst.name, communities: count(inst.counts.communities), firms: count(inst.counts.firms),
    resources: count(inst.counts.resources), households: count(inst.counts.households) });
}

const LABELS = {
  package_max_households: N_("Most households in a package"),
  package_min_households: N_("Fewest households in a package"),
  package_max_radius_m: N_("Largest distance from a member to its service point"),
  link_max_m: N_("Communities closer than this may share staff"),
  require_contiguity: N_("A package's members must be linked"),
  cross_streets: N_("Packages may cross streets"),
  allow_uncovered: N_("Communities may stay uncovered"),
  fallback_cost_per_household: N_("Street office's cost per uncovered household"),
  min_coverage: N_("Least share of households in packages"),
  weight_public_money: N_("Weight of public money"),
  weight_total_cost: N_("Weight of total cost"),
};

const UNITS = {
  households: N_("households"), m: N_("m"), "yuan per household per year": N_("yuan per household per year"),
  "share of households, 0 to 1": N_("share of households, 0 to 1"), weight: N_("weight"),
};

export function renderSettings(app, inst) {
  const table = clear(document.getElementById("settings-table"));
  const enabled = inst.status === "valid";
  table.append(el("tr", {}, el("th", {}, _("Setting")), el("th", {}, _("Value")), el("th", {}, _("Unit")), el("th", {}, _("Default"))));
  for (const f of inst.settings) {
    let input;
    if (f.kind === "bool") {
      input = el("input", { type: "checkbox", name: f.name, dataset: { section: f.section, kind: "bool" } });
      input.checked = Boolean(f.value);
    } else {
      input = el("input", { type: "number", step: "any", min: "0", name: f.name, class: "short",
        value: f.value ?? "", placeholder: f.optional ? _("no limit") : "",
        dataset: { section: f.section, kind: "number", optional: f.optional ? "1" : "" } });
    }
    input.disabled = !enabled;
    const label = LABELS[f.name] ? _(LABELS[f.name]) : f.name;
    const unit = UNITS[f.unit] ? _(UNITS[f.unit]) : f.unit;
    const shown = f.default === null ? _("no limit") : f.kind === "bool" ? (f.default ? _("yes") : _("no")) : String(f.default);
    table.append(el("tr", {}, el("td", { title: f.name }, label), el("td", {}, input), el("td", {}, unit), el("td", {}, shown)));
  }
  document.getElementById("save-settings").disabled = !enabled;
}

export function readSettings() {
  const out = { policy: {}, objective: {} };
  for (const input of document.querySelectorAll("#settings-table input")) {
    const { section, kind, optional } = input.dataset;
    if (kind === "bool") out[section][input.name] = input.checked;
    else if (input.value === "" && optional) out[section][input.name] = null;
    else if (input.value !== "") out[section][input.name] = Number(input.value);
  }
  return out;
}
