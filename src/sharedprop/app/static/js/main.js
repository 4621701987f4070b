// The page: state shared by the views, polling the server, and wiring of the controls.
import { getJson, send } from "./api.js";
import { drawChart } from "./chart.js";
import { digits, pct, seconds, yuan } from "./format.js";
import { _, loadCatalog } from "./i18n.js";
import { PlanMap } from "./map.js";
import { readSettings, renderProblems, renderSettings, renderSummary } from "./data.js";
import { brokenSets, renderBroken, renderCommunity, renderLocks, renderPackages, showExplanation } from "./panels.js";
import { compare, refreshScenarios, saveScenario } from "./scenarios.js";

const POLL_MS = 700;
const $ = (id) => document.getElementById(id);

const app = {
  version: null, instance: null, plan: null, fc: null, features: new Map(), colours: new Map(),
  selected: null, system: "wgs84", solve: { state: "idle" }, map: null, compareMap: null,
  get: getJson,
  say(text, error = false) {
    const box = $("message");
    box.textContent = text;
    box.classList.toggle("error", error);
    box.hidden = !text;
  },
  // A change to the plan or locks: send it, then show the new plan at once.
  async act(method, path, body) {
    try {
      const plan = await send(method, path, body);
      this.say("");
      if (plan && plan.evaluation) await showPlan(plan);
      return plan;
    } catch (err) {
      this.say(err.message, true);
      return null;
    }
  },
  async actInstance(method, path, body) {
    try {
      const inst = await send(method, path, body);
      this.say("");
      await showInstance(inst);
    } catch (err) {
      this.say(err.message, true);
    }
  },
};

async function showInstance(inst) {
  const wasValid = app.instance && app.instance.status === "valid";
  app.instance = inst;
  $("instance-name").textContent = inst.name || "";
  renderSummary(inst);
  renderProblems(app, inst);
  renderSettings(app, inst);
  const valid = inst.status === "valid";
  for (const id of ["solve", "solve-rest", "undo"]) $(id).disabled = !valid || app.solve.state === "running";
  if (valid && !wasValid) showView("map");
  if (valid) await refreshPlan(true);
  else clearPlan();
  app.version = inst.version;
}

function clearPlan() {
  app.plan = null;
  $("public-money").textContent = "—";
  $("public-money").dataset.value = "";
  $("coverage").textContent = "—";
}

async function refreshPlan(refit = false) {
  const [plan, fc] = await Promise.all([getJson("/api/plan"), getJson(`/api/map?system=${app.system}`)]);
  app.fc = fc;
  app.features = new Map(fc.features.filter((f) => f.properties.kind === "community").map((f) => [f.properties.id, f]));
  app.colours = new Map(fc.features.filter((f) => f.properties.kind === "package").map((f) => [f.properties.id, f.properties.fill]));
  await showPlan(plan, { refit, drawn: true });
}

async function showPlan(plan, { refit = false, drawn = false } = {}) {
  if (!drawn) {
    const fc = await getJson(`/api/map?system=${app.system}`);
    app.fc = fc;
    app.features = new Map(fc.features.filter((f) => f.properties.kind === "community").map((f) => [f.properties.id, f]));
    app.colours = new Map(fc.features.filter((f) => f.properties.kind === "package").map((f) => [f.properties.id, f.properties.fill]));
  }
  app.plan = plan;
  app.version = plan.version;
  const ev = plan.evaluation;
  $("public-money").textContent = yuan(ev.public_money);
  $("public-money").dataset.value = digits(ev.public_money);
  $("coverage").textContent = pct(ev.coverage);
  const problems = new Map();
  for (const v of ev.broken) {
    const key = `${v.kind}:${v.subject}`;
    problems.set(key, [...(problems.get(key) || []), v.message]);
  }
  await app.map.render(app.fc, brokenSets(ev), { refit, problems });
  window.sharedpropMapDrawMs = Number($("map").dataset.drawMs);
  renderPackages(app, $("packages"));
  renderBroken(app, $("broken"));
  renderLocks(app, $("locks"));
  if (app.selected) selectCommunity(app.selected);
}

function selectCommunity(cid) {
  app.selected = cid;
  app.map.select(cid);
  renderCommunity(app, $("community-panel"), cid);
  pollExplanation(cid, app.version);
}

async function pollExplanation(cid, version) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (app.selected !== cid || app.version !== version) return;
    try {
      const answer = await getJson(`/api/explain/${encodeURIComponent(cid)}`);
      showExplanation($("community-panel"), cid, answer);
      if (answer.state !== "pending") return;
    } catch (err) {
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function showSolve(s) {
  app.solve = s;
  const status = $("status");
  const names = { idle: _("idle"), running: _("running"), done: _("done"), stopped: _("stopped"), failed: _("failed") };
  let text = `${_("Solve")}: ${names[s.state] || s.state}`;
  if (s.state === "running") text += ` ${seconds(s.elapsed)} / ${seconds(s.time_limit)}`;
  if (s.status) text += ` (${s.status})`;
  status.textContent = text;
  status.dataset.state = s.state;
  status.className = `status ${s.state}`;
  const running = s.state === "running";
  const valid = app.instance && app.instance.status === "valid";
  $("stop").disabled = !running;
  for (const id of ["solve", "solve-rest"]) $(id).disabled = running || !valid;
  if (s.state !== "idle") {
    $("solve-figures").textContent = `${_("objective")} ${yuan(s.objective)} · ${_("bound")} ${yuan(s.bound)} · ${_("gap")} ${pct(s.gap)}`
      + (s.message ? ` · ${s.message}` : "") + (s.reasons && s.reasons.length ? ` · ${s.reasons.join(" ")}` : "");
  }
  if (s.trace) drawChart($("chart"), s.trace, { objective: _("objective"), bound: _("bound") });
}

async function poll() {
  try {
    const st = await getJson("/api/state");
    if (st.solve.state === "running" || st.solve.state !== app.solve.state) showSolve(await getJson("/api/solve"));
    if (st.version !== app.version) {
      if (!app.instance || st.instance.status !== app.instance.status || st.instance.name !== app.instance.name) {
        await showInstance(await getJson("/api/instance"));
      } else if (st.instance.status === "valid") {
        await refreshPlan();
      }
      app.version = st.version;
    }
  } catch (err) {
    app.say(err.message, true);
  }
  setTimeout(poll, POLL_MS);
}

async function startSolve(mode) {
  const limit = Number($("time-limit").value) || 60;
  try {
    showSolve(await send("POST", "/api/solve", { mode, time_limit: limit }));
    app.say("");
  } catch (err) {
    app.say(err.message, true);
  }
}

async function upload(file) {
  app.say(_("Uploading {name}…", { name: file.name }));
  await app.actInstance("POST", `/api/instance/upload?filename=${encodeURIComponent(file.name)}`, file);
}

function showView(name) {
  for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.view === name);
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${name}`;
  if (name === "map" && app.map.map) app.map.map.invalidateSize();
  if (name === "scenarios") refreshScenarios(app);
}

function wire() {
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showView(b.dataset.view));
  $("solve").addEventListener("click", () => startSolve("all"));
  $("solve-rest").addEventListener("click", () => startSolve("rest"));
  $("stop").addEventListener("click", () => send("POST", "/api/solve/stop").catch((e) => app.say(e.message, true)));
  $("undo").addEventListener("click", () => app.act("POST", "/api/plan/undo"));
  $("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  $("open-path").addEventListener("submit", (e) => { e.preventDefault(); app.actInstance("POST", "/api/instance/open", { path: $("path").value }); });
  $("settings").addEventListener("submit", (e) => { e.preventDefault(); app.actInstance("PUT", "/api/instance/settings", readSettings()); });
  $("scenario-form").addEventListener("submit", (e) => { e.preventDefault(); saveScenario(app); });
  $("compare-form").addEventListener("submit", (e) => { e.preventDefault(); compare(app).catch((err) => app.say(err.message, true)); });
  $("basemap").addEventListener("submit", async (e) => {
    e.preventDefault();
    app.system = $("tile-system").value;
    await refreshPlan();
    app.map.setBase($("tile-url").value.trim());
  });
}

async function start() {
  await loadCatalog(getJson);
  app.map = new PlanMap($("map"), { onCommunityClick: selectCommunity });
  wire();
  showSolve(await getJson("/api/solve"));
  await showInstance(await getJson("/api/instance"));
  if (app.instance.status !== "valid") showView("data");
  document.body.dataset.ready = "1";
  setTimeout(poll, POLL_MS);
}

start().catch((err) => app.say(String(err), true));
