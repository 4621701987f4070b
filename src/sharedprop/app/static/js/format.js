// Numbers as a planner reads them, and DOM building that never parses data as HTML.

export function yuan(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const whole = Math.round(value);
  return (Object.is(whole, -0) ? 0 : whole).toLocaleString("en-US");
}

export function digits(value) {
  // The figure as plain digits (a sign if negative): what data-value attributes hold.
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  return String(Math.round(value));
}

export function pct(share, places = 1) {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(places)} %`;
}

export function count(value) {
  return Number.isFinite(value) ? value.toLocaleString("en-US") : "—";
}

export function seconds(value) {
  return Number.isFinite(value) ? `${value.toFixed(1)} s` : "—";
}

// el("td", {class: "num", dataset: {id: "P1"}}, "text", child): text children become text nodes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function option(value, label, selected = false) {
  const o = el("option", { value }, label);
  o.selected = selected;
  return o;
}
