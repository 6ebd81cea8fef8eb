// The transcript's times and days in the visitor's language and time zone, in Genesys
// Cloud mode (whose messages carry the service's time), on the example shop's page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startSimulator, launchBrowser, openPage } from "./support.mjs";

let sim;
let browser;

before(async () => {
  sim = await startSimulator(["--agent", "none"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

function agentFrame(text, at) {
  return JSON.stringify({
    type: "message",
    class: "StructuredMessage",
    code: 200,
    body: {
      text,
      type: "Text",
      direction: "Outbound",
      id: randomUUID(),
      channel: { time: new Date(at).toISOString(), type: "Private", from: { nickname: "Ana" }, to: {} },
      content: [],
      originatingEntity: "Human",
    },
  });
}

// 15:30 UTC on 2 March is the morning of Monday 2 March in New York and half past
// midnight on Tuesday 3 March in Tokyo.
const past = Date.UTC(new Date().getUTCFullYear(), 2, 2, 15, 30);
const cases = [
  { locale: "en-US", timezoneId: "America/New_York", past: "Monday, March 2", time: "10:30", full: "10:30", yesterday: "yesterday", today: "today" },
  { locale: "de-DE", timezoneId: "Asia/Tokyo", past: "Dienstag, 3. März", time: "0:30", full: "00:30", yesterday: "gestern", today: "heute" },
];

for (const want of cases) {
  test(`days and times in ${want.locale}, ${want.timezoneId}`, async () => {
    const context = await browser.newContext({ locale: want.locale, timezoneId: want.timezoneId, viewport: { width: 520, height: 760 } });
    const { page } = await openPage(browser, sim, "/host/genesys.html", { context });
    await page.locator(".gc-launcher").click();
    await page.locator(".gc-composer").waitFor();
    await page.waitForFunction(() => document.querySelector("guest-chat")?.shadowRoot?.querySelector(".gc-input:not([disabled])"));
    const [session] = await sim.control("/control/genesys/sessions");
    const push = (frame) => sim.control(`/control/genesys/sessions/${session.token}/push`, frame);
    const now = Date.now();
    await push(agentFrame("in March", past));
    await push(agentFrame("a day ago", now - 24 * 3600 * 1000));
    await push(agentFrame("just now", now));
    await push(agentFrame("again now", now));
    await page.locator(".gc-agent").filter({ hasText: "again now" }).waitFor();
    const days = await page.locator(".gc-day").allTextContents();
    assert.deepEqual(days, [want.past, want.yesterday, want.today], "one separator for each day, in the visitor's zone");
    const march = page.locator(".gc-agent").filter({ hasText: "in March" });
    assert.match(await march.getAttribute("data-meta"), new RegExp(` ${want.time}`), "the time in the visitor's zone");
    const full = await march.getAttribute("title");
    assert.ok(full.includes(String(new Date().getUTCFullYear())) && full.includes(want.full), `the full date and time: ${full}`);
    // The separator begins its day's first message, before it.
    const order = await page.evaluate(() =>
      [...document.querySelector("guest-chat").shadowRoot.querySelectorAll(".gc-day, .gc-agent")].map((el) => el.textContent),
    );
    assert.deepEqual(order, [want.past, "in March", want.yesterday, "a day ago", want.today, "just now", "again now"]);
    await context.close();
  });
}
