import { chromium } from "playwright-core";
import { startSimulator } from "./support.mjs";
process.env.X = 1;
const sim = await startSimulator(["--agent", "none"]);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox","--disable-gpu","--disable-features=LocalNetworkAccessChecks"] });
const host = new URL(sim.url).host;
const self = new Map();
for (let i = 0; i < 6; i++) {
  const context = await browser.newContext(); const page = await context.newPage();
  await page.route((u) => u.pathname === "/" || u.pathname.endsWith(".html"), async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replaceAll("127.0.0.1:8787", host).replace('data-guest-name="Demo visitor"', `data-guest-name="c${Math.random()}" data-storage="none"`);
    await route.fulfill({ response, body });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable"); await cdp.send("Profiler.setSamplingInterval", { interval: 100 }); await cdp.send("Profiler.start");
  await page.goto(sim.url + "/");
  await page.waitForFunction(() => document.querySelector(".gc-status")?.textContent === "Connected");
  const { profile } = await cdp.send("Profiler.stop");
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  profile.samples.forEach((id, i) => { const n = byId.get(id); const k = n.callFrame.functionName || n.callFrame.url || "(anon)"; self.set(k, (self.get(k) || 0) + profile.timeDeltas[i]); });
  await context.close();
}
[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).forEach(([k, v]) => console.log((v / 6000).toFixed(2).padStart(8), "ms", k.slice(0, 140)));
await browser.close(); await sim.stop();
