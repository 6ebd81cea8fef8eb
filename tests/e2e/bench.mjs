// Performance benchmark: the widget (release build, inline page) side by side with a
// careful plain-JavaScript page doing the same job (bench/baseline.*), in the same
// browser and run, against the simulator. Prints figures and widget/baseline ratios.
//   node bench.mjs            (scripts/bench.sh perf)   RUNS=9 BURSTS=1000,10000 BURST_RUNS=3
//                             PROTOCOLS=tutorial,genesys
//   DIST=<folder> measures another build than dist/
//   PROFILE=<file.json>       also takes a CPU profile of each page's first run of the
//                             largest burst and prints the top self times
//                             (scripts/bench.sh profile, on a build that keeps names)
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startSimulator, dist, root } from "./support.mjs";

// Start-up is short, so scheduling noise is a large share of it: nine runs per page.
const RUNS = Number(process.env.RUNS ?? 9);
const BURSTS = (process.env.BURSTS ?? "1000,10000").split(",").map(Number);
const BURST_RUNS = Number(process.env.BURST_RUNS ?? 3);
const PROTOCOLS = (process.env.PROTOCOLS ?? "tutorial,genesys").split(",");
const PROFILE = process.env.PROFILE;
// The simulator's default deployment.
const DEPLOYMENT = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const targets = {
  widget: { path: "/", files: ["index.html", "guest-chat-app.js", "guest-chat-app_bg.wasm"] },
  baseline: { path: "/bench/baseline.html", files: ["bench/baseline.html", "bench/baseline.js", "style.css"] },
};

// Marks taken inside the page: when "Connected" shows, when a probe frame leaves.
const instrument = () => {
  window.__marks = {};
  const original = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && data.includes("__probe")) window.__marks.sent = performance.now();
    return original.call(this, data);
  };
  addEventListener("TrunkApplicationStarted", (e) => (window.__wasm = e.detail.wasm));
  new MutationObserver(() => {
    if (!window.__marks.connected && document.querySelector(".gc-status")?.textContent === "Connected") {
      window.__marks.connected = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
};

function bytes(files) {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const b = readFileSync(join(dist, f));
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gzip };
}

async function open(browser, sim, target, protocol) {
  const context = await browser.newContext({ viewport: { width: 520, height: 760 } });
  const page = await context.newPage();
  const host = new URL(sim.url).host;
  await page.route((url) => url.pathname === "/" || url.pathname.endsWith(".html"), async (route) => {
    const response = await route.fetch();
    let body = (await response.text()).replaceAll("127.0.0.1:8787", host);
    if (protocol === "genesys") {
      body = body.replace(/data-session-url=("[^"]*"|[^ >]*)/, `data-deployment-id="${DEPLOYMENT}" data-api-base="${sim.url}"`);
    }
    body = body
      .replace('data-guest-name="Demo visitor"', `data-guest-name="bench-${Math.random()}" data-storage="none"`)
      .replace('data-guest-name="Baseline visitor"', `data-guest-name="bench-${Math.random()}"`);
    await route.fulfill({ response, body });
  });
  await page.addInitScript(instrument);
  await page.goto(sim.url + targets[target].path);
  await page.waitForFunction(() => window.__marks.connected);
  if (protocol === "genesys") {
    // Each page opens a session of its own, one after another: the newest is this one.
    const [session] = await sim.control("/control/genesys/sessions");
    return { context, page, burstUrl: `${sim.url}/control/genesys/sessions/${session.token}/burst` };
  }
  const guestName = await page.evaluate(() => document.getElementById("guest-chat").dataset.guestName);
  const [session] = await sim.control(`/control/sessions?guest_name=${encodeURIComponent(guestName)}`);
  return { context, page, burstUrl: `${sim.url}/control/sessions/${session.id}/burst` };
}

/** Triggers agent messages from inside the page and waits until the last is in the DOM. */
async function timeUntilShown(page, url, count, prefix) {
  return page.evaluate(
    async ({ url, count, prefix }) => {
      const log = document.querySelector(".gc-transcript");
      const last = `${prefix}${count - 1}`;
      const started = performance.now();
      fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ count, prefix }) });
      await new Promise((resolve) => {
        const check = () => {
          const node = log.lastElementChild;
          if (node && node.textContent.includes(last)) resolve();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      return performance.now() - started;
    },
    { url, count, prefix },
  );
}

// Main-thread time as Chromium counts it (CDP Performance.getMetrics, in seconds): what a
// phone's CPU and battery pay, which "last message shown" hides behind the network.
const CPU = ["TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"];
async function cpuTimes(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(CPU.map((name) => [name, metrics.find((m) => m.name === name)?.value ?? 0]));
}

// Every DOM node the page holds (CDP's count takes in text and comment nodes too), and
// what one message costs in the transcript, by kind of node.
async function memory(page, cdp, count) {
  const inPage = await page.evaluate((count) => {
    if (window.gc) window.gc();
    const log = document.querySelector(".gc-transcript");
    const kinds = { element: 0, text: 0, comment: 0 };
    const walker = document.createTreeWalker(log, NodeFilter.SHOW_ALL);
    while (walker.nextNode()) {
      const type = walker.currentNode.nodeType;
      if (type === Node.ELEMENT_NODE) kinds.element++;
      else if (type === Node.TEXT_NODE) kinds.text++;
      else if (type === Node.COMMENT_NODE) kinds.comment++;
    }
    const shown = log.querySelectorAll(".gc-agent, .gc-msg.gc-agent").length || count;
    return {
      perMessage: `${(kinds.element / shown).toFixed(1)} el, ${(kinds.text / shown).toFixed(1)} text, ${(kinds.comment / shown).toFixed(1)} comment`,
      nodes: document.getElementsByTagName("*").length,
      heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
      // Export names are minified in release builds: the memory is found by its type.
      wasm: Object.values(window.__wasm ?? {}).find((v) => v instanceof WebAssembly.Memory)?.buffer.byteLength ?? 0,
    };
  }, count);
  const { metrics } = await cdp.send("Performance.getMetrics");
  return { ...inPage, allNodes: metrics.find((m) => m.name === "Nodes")?.value ?? 0 };
}

// Self time by function in a CDP CPU profile, largest first.
function topSelfTimes(profile, n = 15) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]).callFrame;
    const file = frame.url.split("/").pop() || "(native)";
    const name = `${frame.functionName || "(anonymous)"} [${file}]`;
    self.set(name, (self.get(name) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = ["(idle)", "(program)", "(garbage collector)"];
  return {
    total,
    top: [...self.entries()]
      .filter(([name]) => !idle.some((i) => name.startsWith(i)))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n),
    gc: [...self.entries()].filter(([name]) => name.startsWith("(garbage collector)")).reduce((a, [, v]) => a + v, 0),
  };
}

async function oneMore(page, url, tag) {
  const times = [];
  for (let i = 0; i < 15; i++) times.push(await timeUntilShown(page, url, 1, `${tag}${i}-`));
  return median(times);
}

async function keypressToWire(page) {
  const times = [];
  for (let i = 0; i < 10; i++) {
    times.push(
      await page.evaluate(async (i) => {
        window.__marks.sent = 0;
        const input = document.querySelector(".gc-input");
        input.value = `__probe ${i}`;
        const started = performance.now();
        input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
        while (!window.__marks.sent) await new Promise((r) => setTimeout(r, 0));
        return window.__marks.sent - started;
      }, i),
    );
  }
  return median(times);
}

const sim = await startSimulator(["--agent", "none"]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-features=LocalNetworkAccessChecks",
    "--enable-precise-memory-info", "--js-flags=--expose-gc",
  ],
});
const results = Object.fromEntries(PROTOCOLS.map((p) => [p, { widget: {}, baseline: {} }]));
const profiles = {};
try {
  for (const protocol of PROTOCOLS) {
    const result = results[protocol];
    for (const target of ["widget", "baseline"]) result[target].bytes = bytes(targets[target].files);
    // Alternate the two pages run by run so that machine noise hits both alike.
    const connected = { widget: [], baseline: [] };
    const wire = { widget: [], baseline: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const target of ["widget", "baseline"]) {
        const { context, page } = await open(browser, sim, target, protocol);
        connected[target].push(await page.evaluate(() => window.__marks.connected));
        wire[target].push(await keypressToWire(page));
        await context.close();
      }
    }
    for (const target of ["widget", "baseline"]) {
      result[target].connected = median(connected[target]);
      result[target].connectedAll = connected[target];
      result[target].wire = median(wire[target]);
    }
    // A burst is one long measurement that machine noise can stretch: each runs
    // BURST_RUNS times per page, alternating, and the median is reported.
    for (const count of BURSTS) {
      const runs = { widget: [], baseline: [] };
      for (let run = 0; run < BURST_RUNS; run++) {
        for (const target of ["widget", "baseline"]) {
          const { context, page, burstUrl } = await open(browser, sim, target, protocol);
          console.error(`${protocol}: ${target}, burst of ${count}, run ${run + 1}`);
          const small = await timeUntilShown(page, burstUrl, 100, "w");
          const at100 = await oneMore(page, burstUrl, "s");
          const cdp = await context.newCDPSession(page);
          await cdp.send("Performance.enable");
          const profiling = PROFILE && run === 0 && count === Math.max(...BURSTS);
          if (profiling) {
            await cdp.send("Profiler.enable");
            await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
            await cdp.send("Profiler.start");
          }
          const before = await cpuTimes(cdp);
          const burst = await timeUntilShown(page, burstUrl, count, "b");
          const after = await cpuTimes(cdp);
          if (profiling) profiles[`${protocol} ${target}`] = (await cdp.send("Profiler.stop")).profile;
          const cpu = Object.fromEntries(CPU.map((name) => [name, (after[name] - before[name]) * 1000]));
          const mem = await memory(page, cdp, count);
          const atN = await oneMore(page, burstUrl, "n");
          runs[target].push({ ms: burst, ...mem, ...cpu, at100, atN, warmup: small });
          await context.close();
        }
      }
      for (const target of ["widget", "baseline"]) {
        const all = runs[target];
        const pick = (key) => median(all.map((r) => r[key]));
        result[target][`burst${count}`] = {
          ms: pick("ms"), nodes: pick("nodes"), allNodes: pick("allNodes"), perMessage: all[0].perMessage,
          heap: pick("heap"), wasm: pick("wasm"), at100: pick("at100"), atN: pick("atN"), all: all.map((r) => r.ms),
          ...Object.fromEntries(CPU.map((name) => [name, pick(name)])),
          cpuAll: all.map((r) => r.TaskDuration),
          scriptAll: all.map((r) => r.ScriptDuration),
        };
      }
    }
  }
} finally {
  await browser.close();
  await sim.stop();
}

const row = (name, wv, bv, unit = "") =>
  console.log(
    `${name.padEnd(44)} ${String(wv).padStart(12)}${unit} ${String(bv).padStart(12)}${unit}   ${bv > 0 ? (wv / bv).toFixed(2) + "x" : "n/a (baseline below timer resolution)"}`,
  );
const ms = (x) => Number(x.toFixed(2));
const every = (xs) => xs.map((x) => x.toFixed(0)).join(" ");
for (const protocol of PROTOCOLS) {
  const w = results[protocol].widget;
  const b = results[protocol].baseline;
  console.log(`\n== ${protocol} protocol ==`);
  console.log(`${"".padEnd(44)} ${"widget".padStart(12)} ${"baseline".padStart(12)}   ratio`);
  row("bytes loaded, raw", w.bytes.raw, b.bytes.raw, " B");
  row("bytes loaded, gzip", w.bytes.gzip, b.bytes.gzip, " B");
  // The one-tag embed loads the loader, glue and wasm (its styles are inside the wasm).
  const embed = bytes(JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8")).files);
  row("bytes loaded by the one-tag embed, gzip", embed.gzip, b.bytes.gzip, " B");
  row(`navigation to Connected (median of ${RUNS})`, ms(w.connected), ms(b.connected), " ms");
  const sorted = (xs) => every([...xs].sort((p, q) => p - q));
  console.log(`${"  every run, sorted".padEnd(44)} ${sorted(w.connectedAll)} | ${sorted(b.connectedAll)} ms`);
  row("keypress to frame on the wire (median)", ms(w.wire), ms(b.wire), " ms");
  for (const count of BURSTS) {
    const wb = w[`burst${count}`];
    const bb = b[`burst${count}`];
    row(`burst of ${count}: last message shown (median of ${BURST_RUNS})`, ms(wb.ms), ms(bb.ms), " ms");
    console.log(`${"  every run".padEnd(44)} ${every(wb.all)} | ${every(bb.all)} ms`);
    row(`burst of ${count}: main-thread time (median)`, ms(wb.TaskDuration), ms(bb.TaskDuration), " ms");
    console.log(`${"  every run".padEnd(44)} ${every(wb.cpuAll)} | ${every(bb.cpuAll)} ms`);
    row(`burst of ${count}: script time (median)`, ms(wb.ScriptDuration), ms(bb.ScriptDuration), " ms");
    console.log(`${"  every run".padEnd(44)} ${every(wb.scriptAll)} | ${every(bb.scriptAll)} ms`);
    row(`burst of ${count}: layout time (median)`, ms(wb.LayoutDuration), ms(bb.LayoutDuration), " ms");
    row(`burst of ${count}: style time (median)`, ms(wb.RecalcStyleDuration), ms(bb.RecalcStyleDuration), " ms");
    row(`burst of ${count}: DOM elements`, wb.nodes, bb.nodes);
    row(`burst of ${count}: DOM nodes (CDP, all kinds)`, wb.allNodes, bb.allNodes);
    console.log(`${`  per message in the transcript`.padEnd(44)} ${wb.perMessage} | ${bb.perMessage}`);
    row(`burst of ${count}: JS heap`, wb.heap, bb.heap, " B");
    console.log(`${`burst of ${count}: wasm memory`.padEnd(44)} ${String(wb.wasm).padStart(12)} B`);
    row(`one more message at 100 (median)`, ms(wb.at100), ms(bb.at100), " ms");
    row(`one more message at ${count + 100} (median)`, ms(wb.atN), ms(bb.atN), " ms");
    console.log(`${`  growth at ${count + 100} vs 100`.padEnd(44)} ${(wb.atN / wb.at100).toFixed(2).padStart(11)}x ${(bb.atN / bb.at100).toFixed(2).padStart(11)}x`);
  }
}
if (PROFILE) {
  writeFileSync(PROFILE, JSON.stringify(profiles));
  for (const [name, profile] of Object.entries(profiles)) {
    const { total, top, gc } = topSelfTimes(profile);
    console.log(`\n== CPU profile, ${name}: burst of ${Math.max(...BURSTS)} (self time, ms; ${total.toFixed(0)} ms sampled, GC ${gc.toFixed(0)} ms) ==`);
    for (const [fn, t] of top) console.log(`${t.toFixed(1).padStart(9)}  ${fn.slice(0, 140)}`);
  }
}
