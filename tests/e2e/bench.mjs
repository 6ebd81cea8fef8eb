// Performance benchmark: the widget (release build, inline page) side by side with a
// careful plain-JavaScript page doing the same job (bench/baseline.*), in the same
// browser and run, against the simulator. Prints figures and widget/baseline ratios.
//   node bench.mjs            (scripts/bench.sh perf)   RUNS=9 BURSTS=1000,10000 BURST_RUNS=3
//   DIST=<folder> measures another build than dist/
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startSimulator, dist, root } from "./support.mjs";

// Start-up is short, so scheduling noise is a large share of it: nine runs per page.
const RUNS = Number(process.env.RUNS ?? 9);
const BURSTS = (process.env.BURSTS ?? "1000,10000").split(",").map(Number);
const BURST_RUNS = Number(process.env.BURST_RUNS ?? 3);
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

async function open(browser, sim, target) {
  const context = await browser.newContext({ viewport: { width: 520, height: 760 } });
  const page = await context.newPage();
  const host = new URL(sim.url).host;
  await page.route((url) => url.pathname === "/" || url.pathname.endsWith(".html"), async (route) => {
    const response = await route.fetch();
    const body = (await response.text())
      .replaceAll("127.0.0.1:8787", host)
      .replace('data-guest-name="Demo visitor"', `data-guest-name="bench-${Math.random()}" data-storage="none"`)
      .replace('data-guest-name="Baseline visitor"', `data-guest-name="bench-${Math.random()}"`);
    await route.fulfill({ response, body });
  });
  await page.addInitScript(instrument);
  await page.goto(sim.url + targets[target].path);
  await page.waitForFunction(() => window.__marks.connected);
  const guestName = await page.evaluate(() => document.getElementById("guest-chat").dataset.guestName);
  const [session] = await sim.control(`/control/sessions?guest_name=${encodeURIComponent(guestName)}`);
  return { context, page, session };
}

/** Triggers agent messages from inside the page and waits until the last is in the DOM. */
async function timeUntilShown(page, sim, session, count, prefix) {
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
    { url: `${sim.url}/control/sessions/${session.id}/burst`, count, prefix },
  );
}

// Main-thread time as Chromium counts it (CDP Performance.getMetrics, in seconds): what a
// phone's CPU and battery pay, which "last message shown" hides behind the network.
const CPU = ["TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"];
async function cpuTimes(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(CPU.map((name) => [name, metrics.find((m) => m.name === name)?.value ?? 0]));
}

async function memory(page) {
  return page.evaluate(() => {
    if (window.gc) window.gc();
    return {
      nodes: document.getElementsByTagName("*").length,
      heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
      // Export names are minified in release builds: the memory is found by its type.
      wasm: Object.values(window.__wasm ?? {}).find((v) => v instanceof WebAssembly.Memory)?.buffer.byteLength ?? 0,
    };
  });
}

async function oneMore(page, sim, session, tag) {
  const times = [];
  for (let i = 0; i < 15; i++) times.push(await timeUntilShown(page, sim, session, 1, `${tag}${i}-`));
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
const results = { widget: {}, baseline: {} };
try {
  for (const target of ["widget", "baseline"]) results[target].bytes = bytes(targets[target].files);
  // Alternate the two pages run by run so that machine noise hits both alike.
  const connected = { widget: [], baseline: [] };
  const wire = { widget: [], baseline: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const target of ["widget", "baseline"]) {
      const { context, page } = await open(browser, sim, target);
      connected[target].push(await page.evaluate(() => window.__marks.connected));
      wire[target].push(await keypressToWire(page));
      await context.close();
    }
  }
  for (const target of ["widget", "baseline"]) {
    results[target].connected = median(connected[target]);
    results[target].connectedAll = connected[target];
    results[target].wire = median(wire[target]);
  }
  // A burst is one long measurement that machine noise can stretch: each runs
  // BURST_RUNS times per page, alternating, and the median is reported.
  for (const count of BURSTS) {
    const runs = { widget: [], baseline: [] };
    for (let run = 0; run < BURST_RUNS; run++) {
      for (const target of ["widget", "baseline"]) {
        const { context, page, session } = await open(browser, sim, target);
        const small = await timeUntilShown(page, sim, session, 100, "w");
        const at100 = await oneMore(page, sim, session, "s");
        const cdp = await context.newCDPSession(page);
        await cdp.send("Performance.enable");
        const before = await cpuTimes(cdp);
        const burst = await timeUntilShown(page, sim, session, count, "b");
        const after = await cpuTimes(cdp);
        const cpu = Object.fromEntries(CPU.map((name) => [name, (after[name] - before[name]) * 1000]));
        const mem = await memory(page);
        const atN = await oneMore(page, sim, session, "n");
        runs[target].push({ ms: burst, ...mem, ...cpu, at100, atN, warmup: small });
        await context.close();
      }
    }
    for (const target of ["widget", "baseline"]) {
      const all = runs[target];
      const pick = (key) => median(all.map((r) => r[key]));
      results[target][`burst${count}`] = {
        ms: pick("ms"), nodes: pick("nodes"), heap: pick("heap"), wasm: pick("wasm"),
        at100: pick("at100"), atN: pick("atN"), all: all.map((r) => r.ms),
        ...Object.fromEntries(CPU.map((name) => [name, pick(name)])),
        cpuAll: all.map((r) => r.TaskDuration),
      };
    }
  }
} finally {
  await browser.close();
  await sim.stop();
}

const w = results.widget;
const b = results.baseline;
const row = (name, wv, bv, unit = "") =>
  console.log(
    `${name.padEnd(44)} ${String(wv).padStart(12)}${unit} ${String(bv).padStart(12)}${unit}   ${bv > 0 ? (wv / bv).toFixed(2) + "x" : "n/a (baseline below timer resolution)"}`,
  );
const ms = (x) => Number(x.toFixed(2));
console.log(`${"".padEnd(44)} ${"widget".padStart(12)} ${"baseline".padStart(12)}   ratio`);
row("bytes loaded, raw", w.bytes.raw, b.bytes.raw, " B");
row("bytes loaded, gzip", w.bytes.gzip, b.bytes.gzip, " B");
// The one-tag embed loads the loader, glue and wasm (its styles are inside the wasm).
const embed = bytes(JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8")).files);
row("bytes loaded by the one-tag embed, gzip", embed.gzip, b.bytes.gzip, " B");
row(`navigation to Connected (median of ${RUNS})`, ms(w.connected), ms(b.connected), " ms");
const runs = (xs) => [...xs].sort((p, q) => p - q).map((x) => x.toFixed(0)).join(" ");
console.log(`${"  every run, sorted".padEnd(44)} ${runs(w.connectedAll)} | ${runs(b.connectedAll)} ms`);
row("keypress to frame on the wire (median)", ms(w.wire), ms(b.wire), " ms");
for (const count of BURSTS) {
  const wb = w[`burst${count}`];
  const bb = b[`burst${count}`];
  row(`burst of ${count}: last message shown (median of ${BURST_RUNS})`, ms(wb.ms), ms(bb.ms), " ms");
  console.log(`${"  every run".padEnd(44)} ${wb.all.map((x) => x.toFixed(0)).join(" ")} | ${bb.all.map((x) => x.toFixed(0)).join(" ")} ms`);
  row(`burst of ${count}: main-thread time (median)`, ms(wb.TaskDuration), ms(bb.TaskDuration), " ms");
  console.log(`${"  every run".padEnd(44)} ${wb.cpuAll.map((x) => x.toFixed(0)).join(" ")} | ${bb.cpuAll.map((x) => x.toFixed(0)).join(" ")} ms`);
  row(`burst of ${count}: script time (median)`, ms(wb.ScriptDuration), ms(bb.ScriptDuration), " ms");
  row(`burst of ${count}: layout time (median)`, ms(wb.LayoutDuration), ms(bb.LayoutDuration), " ms");
  row(`burst of ${count}: style time (median)`, ms(wb.RecalcStyleDuration), ms(bb.RecalcStyleDuration), " ms");
  row(`burst of ${count}: DOM elements`, wb.nodes, bb.nodes);
  row(`burst of ${count}: JS heap`, wb.heap, bb.heap, " B");
  console.log(`${`burst of ${count}: wasm memory`.padEnd(44)} ${String(wb.wasm).padStart(12)} B`);
  row(`one more message at 100 (median)`, ms(wb.at100), ms(bb.at100), " ms");
  row(`one more message at ${count + 100} (median)`, ms(wb.atN), ms(bb.atN), " ms");
  console.log(`${`  growth at ${count + 100} vs 100`.padEnd(44)} ${(wb.atN / wb.at100).toFixed(2).padStart(11)}x ${(bb.atN / bb.at100).toFixed(2).padStart(11)}x`);
}
