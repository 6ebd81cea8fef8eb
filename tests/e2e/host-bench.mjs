// What the tag costs a host page (scripts/bench.sh host; not part of the test command).
//
// 1. Lighthouse 12 (mobile, simulated throttling) on an article page with and without the
//    tag, runs alternating, the files served compressed by the simulator: score, total
//    blocking time, time to interactive, largest contentful paint, and the bytes the
//    widget transferred before any interaction. The tag in its default mode (idle) and in
//    interaction mode.
// 2. From a press on the launcher to a composer the visitor can type in, with a cold
//    cache (a new browser profile) and a warm one (the same profile, the page again).
//
// RUNS (default 3) runs of each page.
import { join } from "node:path";
import { startSimulator, launchBrowser, root } from "./support.mjs";

const RUNS = Number(process.env.RUNS ?? 3);
const lighthouse = (await import(join(root, "tools/bench/node_modules/lighthouse/core/index.js"))).default;
const chromeLauncher = await import(join(root, "tools/bench/node_modules/chrome-launcher/dist/index.js"));

// The pages name the simulator at :8787.
const sim = await startSimulator(["--agent", "scripted"], { port: 8787 }).catch((err) => {
  throw new Error(`the simulator could not start on port 8787, which the article pages name (is scripts/run.sh running?): ${err.message}`);
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function audit(url) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-features=LocalNetworkAccessChecks"],
  });
  try {
    const { lhr } = await lighthouse(url, { port: chrome.port, output: "json", onlyCategories: ["performance"], logLevel: "error" });
    const widgetBytes = lhr.audits["network-requests"].details.items
      .filter((r) => /guest-chat/.test(r.url))
      .reduce((sum, r) => sum + (r.transferSize ?? 0), 0);
    return {
      score: Math.round(lhr.categories.performance.score * 100),
      tbt: lhr.audits["total-blocking-time"].numericValue,
      tti: lhr.audits.interactive.numericValue,
      lcp: lhr.audits["largest-contentful-paint"].numericValue,
      widgetBytes,
    };
  } finally {
    await chrome.kill();
  }
}

try {
const pages = {
  "without the tag": `${sim.url}/host/article-no-chat.html`,
  "with the tag (idle)": `${sim.url}/host/article.html`,
  "with the tag (interaction)": `${sim.url}/host/article-on-interaction.html`,
};
const results = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, url] of Object.entries(pages)) results[name].push(await audit(url));
}

console.log(`\nLighthouse 12, mobile, simulated throttling; medians of ${RUNS} alternating runs`);
console.log("| page | score | total blocking time | time to interactive | largest contentful paint | widget bytes transferred |");
console.log("| --- | --- | --- | --- | --- | --- |");
const base = Object.fromEntries(["score", "tbt", "tti", "lcp"].map((k) => [k, median(results["without the tag"].map((r) => r[k]))]));
for (const [name, runs] of Object.entries(results)) {
  const m = Object.fromEntries(["score", "tbt", "tti", "lcp", "widgetBytes"].map((k) => [k, median(runs.map((r) => r[k]))]));
  const delta = (k, unit) => (name === "without the tag" ? "" : ` (${m[k] - base[k] >= 0 ? "+" : ""}${Math.round(m[k] - base[k])}${unit})`);
  console.log(
    `| ${name} | ${m.score}${delta("score", "")} | ${Math.round(m.tbt)} ms${delta("tbt", " ms")} | ${Math.round(m.tti)} ms${delta("tti", " ms")} | ${Math.round(m.lcp)} ms${delta("lcp", " ms")} | ${m.widgetBytes} B |`,
  );
}

// From a press on the launcher to a composer that takes text.
const browser = await launchBrowser();
const pressToComposer = async (context) => {
  const page = await context.newPage();
  await page.goto(`${sim.url}/host/article-on-interaction.html`);
  await page.locator(".gc-launcher").waitFor();
  const start = Date.now();
  await page.locator(".gc-launcher").click();
  await page.locator(".gc-input:not([disabled])").waitFor().catch(async (err) => {
    const state = await page.evaluate(() => document.querySelector("guest-chat").shadowRoot.innerHTML.slice(0, 1500));
    throw new Error(`${err.message}\n${state}`);
  });
  const ms = Date.now() - start;
  // The next visit starts without a conversation, so the press loads the widget again
  // (from the browser's cache, when warm).
  await page.evaluate(() => localStorage.clear());
  await page.close();
  return ms;
};
const cold = [];
const warm = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext();
  cold.push(await pressToComposer(context));
  warm.push(await pressToComposer(context));
  await context.close();
}
console.log(`\npress on the launcher to a composer that takes text (median of ${RUNS}): cold cache ${median(cold)} ms (${cold.join(", ")}), warm cache ${median(warm)} ms (${warm.join(", ")})`);
await browser.close();
} finally {
  await sim.stop();
}
