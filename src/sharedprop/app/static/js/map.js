// The map: Leaflet with SVG layers (one DOM element per community, so each carries test hooks).
import { _, N_ } from "./i18n.js";
import { count, el, pct, yuan } from "./format.js";

const L = window.L;
export const COLOURS = { firm: "#222222", resource: "#E69F00", uncovered: "#BBBBBB" };
export const CHANGE_COLOURS = {
  "changed package": "#CC6677",
  "changed firm": "#882255",
  "changed package and firm": "#AA4499",
  "newly covered": "#117733",
  "newly uncovered": "#222222",
};
// The change names the server sends (sharedprop.compare), for the translation catalog.
export const CHANGE_NAMES = [N_("changed package"), N_("changed firm"),
  N_("changed package and firm"), N_("newly covered"), N_("newly uncovered")];

export function radius(households) {
  return Math.max(3, Math.min(11, 2 + Math.sqrt(households || 0) / 3));
}

function rows(pairs) {
  return el("table", { class: "tooltip-table" },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v))));
}

export function tooltipFor(props, problems = []) {
  const body = tooltipBody(props);
  if (problems.length) body.append(el("ul", { class: "tooltip-broken" }, problems.map((m) => el("li", {}, m))));
  return body;
}

function tooltipBody(props) {
  const title = (text) => el("b", {}, text);
  switch (props.kind) {
    case "community":
      return el("div", {}, title(`${props.id} ${props.name}`), rows([
        [_("Street"), props.street],
        [_("Households"), count(props.households)],
        [_("Fee income (yuan/yr)"), yuan(props.fee_income)],
        [_("Package"), props.package_id || _("uncovered")],
        [_("Firm"), props.firm_name || ""],
      ]));
    case "package":
      return el("div", {}, title(`${_("Package")} ${props.id}`), rows([
        [_("Firm"), props.firm_name],
        [_("Members"), count(props.members.length)],
        [_("Households"), count(props.households)],
        [_("Cost (yuan/yr)"), yuan(props.cost)],
        [_("Revenue (yuan/yr)"), yuan(props.revenue)],
        [_("Subsidy (yuan/yr)"), yuan(props.subsidy)],
        [_("Margin"), pct(props.margin)],
      ]));
    case "firm":
      return el("div", {}, title(`${props.id} ${props.name}`), rows([
        [_("Households served"), count(props.households || 0)],
        [_("Capacity (households)"), count(props.capacity_households)],
        [_("Packages"), props.packages.join(", ")],
      ]));
    case "resource":
      return el("div", {}, title(`${props.id} ${props.name}`), rows([
        [_("Kind"), props.resource_kind],
        [_("Annual income (yuan)"), yuan(props.annual_income)],
        [_("Package"), props.package_id || _("not bundled")],
      ]));
    case "hub":
      return el("div", {}, title(`${_("Service point of")} ${props.package_id}`), `${props.id} ${props.name}`);
    default:
      return el("div", {}, props.id);
  }
}

function styleFor(props) {
  switch (props.kind) {
    case "package":
      return { color: props.stroke, weight: 2, fillColor: props.fill, fillOpacity: 0.12, dashArray: null };
    case "community":
      return { radius: radius(props.households), color: "#ffffff", weight: 1, fillColor: props.fill, fillOpacity: 0.9 };
    case "hub":
      return { radius: 3, color: "#000000", weight: 1.5, fillColor: "#ffffff", fillOpacity: 1 };
    case "firm":
      return { radius: 6, color: "#ffffff", weight: 1.5, fillColor: COLOURS.firm, fillOpacity: 1 };
    case "resource":
      return { radius: 5, color: "#ffffff", weight: 1, fillColor: COLOURS.resource, fillOpacity: 1 };
    default:
      return {};
  }
}

const ORDER = ["package", "community", "hub", "resource", "firm"];

function newMap(container, planar) {
  const options = planar ? { crs: L.CRS.Simple, minZoom: -12, zoomSnap: 0.25 } : { zoomSnap: 0.25 };
  const map = L.map(container, { ...options, preferCanvas: false });
  L.control.scale({ imperial: false }).addTo(map);
  return map;
}

export class PlanMap {
  constructor(container, { onCommunityClick }) {
    this.container = container;
    this.onCommunityClick = onCommunityClick;
    this.map = null;
    this.planar = null;
    this.groups = [];
    this.byCommunity = new Map();
    this.byPackage = new Map();
    this.base = null;
    this.fitted = false;
    this.selected = null;
    this.problems = new Map();
    this.legend = null;
  }

  ensure(planar) {
    if (this.map && this.planar === planar) return;
    if (this.map) this.map.remove();
    this.map = newMap(this.container, planar);
    this.legend = legend().addTo(this.map);
    this.planar = planar;
    this.fitted = false;
  }

  setBase(url) {
    if (this.base) this.base.remove();
    this.base = null;
    if (url && this.map) this.base = L.tileLayer(url, { maxZoom: 20 }).addTo(this.map).bringToBack();
  }

  // Draw every layer of the plan; broken = {community: Set, package: Set, firm: Set};
  // problems: "kind:id" -> the messages of the rules it breaks (shown in its tooltip).
  render(fc, broken, { refit = false, problems = new Map() } = {}) {
    const start = performance.now();
    this.problems = problems;
    this.ensure(Boolean(fc.sharedprop && fc.sharedprop.planar));
    for (const g of this.groups) g.remove();
    this.groups = [];
    this.byCommunity.clear();
    this.byPackage.clear();
    const groups = ORDER.map((kind) => L.geoJSON({
      type: "FeatureCollection", features: fc.features.filter((f) => f.properties.kind === kind),
    }, {
      style: (f) => styleFor(f.properties),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, styleFor(f.properties)),
      onEachFeature: (f, layer) => this.hook(f.properties, layer),
    }));
    // The view first: Leaflet defers adding layers to a map that has none yet.
    if (refit || !this.fitted) {
      const bounds = L.featureGroup(groups).getBounds();
      if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [20, 20] });
      else this.map.setView([0, 0], 1);
      this.fitted = true;
    }
    for (const group of groups) group.addTo(this.map);
    this.groups = groups;
    this.decorate(broken);
    return new Promise((resolve) =>
      requestAnimationFrame(() => {
        const ms = performance.now() - start;
        this.container.dataset.drawMs = ms.toFixed(1);
        resolve(ms);
      }));
  }

  hook(props, layer) {
    const problems = () => (this.problems.get(`${props.kind}:${props.id}`) || []);
    layer.bindTooltip(() => tooltipFor(props, problems()), { sticky: true });
    if (props.kind === "community") {
      this.byCommunity.set(props.id, layer);
      layer.on("click", () => this.onCommunityClick(props.id));
    } else if (props.kind === "package") {
      this.byPackage.set(props.id, layer);
    }
  }

  decorate(broken) {
    for (const [cid, layer] of this.byCommunity) {
      const node = layer.getElement();
      if (!node) continue;
      node.setAttribute("data-testid", "community");
      node.setAttribute("data-community-id", cid);
      node.setAttribute("data-package-id", layer.feature.properties.package_id || "");
      node.classList.toggle("broken-rule", broken.community.has(cid));
      node.classList.toggle("selected", cid === this.selected);
    }
    for (const [pid, layer] of this.byPackage) {
      const node = layer.getElement();
      if (!node) continue;
      node.setAttribute("data-testid", "package");
      node.setAttribute("data-package-id", pid);
      node.classList.toggle("broken-rule", broken.package.has(pid));
    }
  }

  select(cid) {
    this.selected = cid;
    for (const [id, layer] of this.byCommunity) {
      const node = layer.getElement();
      if (node) node.classList.toggle("selected", id === cid);
    }
  }

  focusPackage(pid) {
    const layer = this.byPackage.get(pid);
    if (layer) this.map.fitBounds(layer.getBounds(), { maxZoom: this.map.getZoom() + 2, padding: [40, 40] });
  }

  focusCommunity(cid) {
    const layer = this.byCommunity.get(cid);
    if (layer) this.map.panTo(layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter());
  }
}

function legend() {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const dot = (colour, ring) => {
      const d = el("span", { class: "legend-dot" });
      d.style.background = colour;
      if (ring) d.style.border = `2px solid ${ring}`;
      return d;
    };
    return el("div", { class: "legend" },
      el("div", {}, dot("#332288"), _("community (colour of its package)")),
      el("div", {}, dot(COLOURS.uncovered), _("uncovered")),
      el("div", {}, dot("#ffffff", "#000000"), _("service point")),
      el("div", {}, dot(COLOURS.firm), _("firm")),
      el("div", {}, dot(COLOURS.resource), _("resource")),
      el("div", {}, dot("#ffffff", "#c62828"), _("breaks a rule")));
  };
  return control;
}

// The comparison map: every community coloured by how it changed between two scenarios.
export function drawChanges(container, previous, fc, moves) {
  if (previous) previous.remove();
  const map = newMap(container, Boolean(fc.sharedprop && fc.sharedprop.planar));
  const change = new Map(moves.map((m) => [m.community_id, m.change]));
  const features = fc.features.filter((f) => f.properties.kind === "community");
  const layer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (f) => ({ color: "#fff", weight: 1, fillOpacity: 0.9,
      fillColor: CHANGE_COLOURS[change.get(f.properties.id)] || COLOURS.uncovered,
      radius: radius(f.properties.households) }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {}),
    onEachFeature: (f, l) => {
      const what = change.get(f.properties.id);
      l.bindTooltip(() => el("div", {}, `${f.properties.id} ${f.properties.name}`, el("br"),
        what ? _(what) : _("unchanged")));
    },
  });
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  else map.setView([0, 0], 1);
  layer.addTo(map);
  for (const l of layer.getLayers()) {
    const node = l.getElement();
    if (node) {
      node.setAttribute("data-testid", "changed-community");
      node.setAttribute("data-community-id", l.feature.properties.id);
      node.setAttribute("data-change", change.get(l.feature.properties.id) || "");
    }
  }
  return map;
}
