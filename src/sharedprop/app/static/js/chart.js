// The small chart of objective and bound over time, drawn as SVG polylines.
import { yuan } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const PAD = { left: 4, right: 4, top: 12, bottom: 4 };

// Points [[seconds, objective, bound], ...] -> SVG path strings scaled into width x height.
export function chartPaths(trace, width, height) {
  const values = trace.flatMap(([, o, b]) => [o, b]).filter((v) => v !== null);
  const times = trace.map(([t]) => t);
  if (!values.length) return { objective: "", bound: "", low: null, high: null };
  const low = Math.min(...values);
  const high = Math.max(...values);
  const t1 = Math.max(...times, 1e-9);
  const x = (t) => PAD.left + (t / t1) * (width - PAD.left - PAD.right);
  const span = high - low || 1;
  const y = (v) => PAD.top + (1 - (v - low) / span) * (height - PAD.top - PAD.bottom);
  const path = (k) =>
    trace
      .filter((p) => p[k] !== null)
      .map((p, i) => `${i ? "L" : "M"}${x(p[0]).toFixed(1)},${y(p[k]).toFixed(1)}`)
      .join("");
  return { objective: path(1), bound: path(2), low, high };
}

export function drawChart(svg, trace, labels) {
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const paths = chartPaths(trace || [], width, height);
  for (const key of ["bound", "objective"]) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", paths[key]);
    p.setAttribute("class", key);
    svg.append(p);
  }
  if (paths.high !== null) {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "4");
    text.setAttribute("y", "9");
    text.textContent = `${labels.objective} — ${labels.bound} ┆ ${yuan(paths.low)}–${yuan(paths.high)}`;
    svg.append(text);
  }
}
