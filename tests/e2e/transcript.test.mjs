// The transcript in Genesys Cloud mode (whose messages carry the service's time), on the
// example shop's page: times and days in the visitor's language and time zone, and
// agents' Markdown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, launchBrowser, openPage, genesysAgentFrame } from "./support.mjs";

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

const agentFrame = (text, at) => genesysAgentFrame(text, at);

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

// Agents' Markdown: what Messenger draws is drawn, and nothing in it runs or opens
// anything the visitor did not choose.
async function openGenesys(rewrite) {
  const { page, context, problems } = await openPage(browser, sim, "/host/genesys.html", { rewrite });
  await page.locator(".gc-launcher").click();
  await page.waitForFunction(() => document.querySelector("guest-chat")?.shadowRoot?.querySelector(".gc-input:not([disabled])"));
  // The newest session comes first: this page's.
  const [newest] = await sim.control("/control/genesys/sessions");
  const push = (text) => sim.control(`/control/genesys/sessions/${newest.token}/push`, agentFrame(text, Date.now()));
  return { page, context, problems, push };
}

const shadow = (page, fn, arg) =>
  page.evaluate(([source, arg]) => new Function("root", "arg", source)(document.querySelector("guest-chat").shadowRoot, arg), [fn, arg]);

test("an agent's Markdown is formatted, its markup and unsafe links stay inert, and the visitor's text stays plain", async () => {
  const { page, context, problems, push } = await openGenesys();
  await page.locator(".gc-input").fill("**mine** <b>not bold</b>");
  await page.locator(".gc-input").press("Enter");
  await page.locator(".gc-guest").filter({ hasText: "**mine**" }).waitFor();
  const hostile = [
    "**Order 12** is *on its way*, ~~late~~ `x<y`:",
    "1. Pack",
    "2. Ship",
    "",
    "```",
    "<b>code</b> stays",
    "```",
    "",
    "[Track it](https://track.example/12) or www.example.com.",
    '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>',
    "[bad](javascript:window.pwned=3) [data](data:text/html,<b>x</b>) ***nested _deep ~~marks~~_***",
  ].join("\n");
  await push(hostile);
  const bubble = page.locator(".gc-agent").filter({ hasText: "Order 12" });
  await bubble.waitFor();
  const drawn = await shadow(
    page,
    `const b = [...root.querySelectorAll(".gc-agent")].find((e) => e.textContent.includes("Order 12"));
     const g = root.querySelector(".gc-guest");
     return {
       strong: [...b.querySelectorAll("strong")].map((e) => e.textContent),
       em: [...b.querySelectorAll("em")].map((e) => e.textContent),
       s: [...b.querySelectorAll("s")].map((e) => e.textContent),
       code: [...b.querySelectorAll("code")].map((e) => e.textContent),
       items: [...b.querySelectorAll("ol > li")].map((e) => e.textContent),
       pre: b.querySelector("pre")?.textContent,
       links: [...b.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href"), a.target, a.rel]),
       elements: [...b.querySelectorAll("*")].map((e) => e.localName).filter((n) => !["div", "p", "strong", "em", "s", "code", "ol", "li", "pre", "a", "br"].includes(n)),
       text: b.textContent,
       guestElements: g.querySelectorAll("strong, b").length,
     };`,
  );
  assert.deepEqual(drawn.strong.slice(0, 1), ["Order 12"]);
  assert.ok(drawn.em.includes("on its way"), JSON.stringify(drawn.em));
  assert.ok(drawn.s.includes("late") && drawn.s.includes("marks"), JSON.stringify(drawn.s));
  assert.deepEqual(drawn.items, ["Pack", "Ship"]);
  assert.ok(drawn.code.includes("x<y"));
  assert.equal(drawn.pre, "<b>code</b> stays\n");
  assert.deepEqual(drawn.links, [
    ["Track it", "https://track.example/12", "_blank", "noopener noreferrer"],
    ["www.example.com", "https://www.example.com", "_blank", "noopener noreferrer"],
  ]);
  assert.deepEqual(drawn.elements, [], "no element but the formatting's");
  assert.ok(drawn.text.includes('<img src=x onerror="window.pwned=1">') && drawn.text.includes("<script>"), "markup is shown as written");
  assert.ok(drawn.text.includes("bad") && !drawn.text.includes("javascript:"), "an unsafe link is its words");
  assert.equal(drawn.guestElements, 0, "the visitor's own text is never formatted");
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  // The announcer reads words, not marks.
  const said = await page.locator(".gc-announcer").textContent();
  assert.ok(said.includes("Order 12 is on its way") && !said.includes("**"), said);

  // A link opens in a new tab that cannot reach back into the page.
  const [popup] = await Promise.all([
    context.waitForEvent("page"),
    bubble.locator("a", { hasText: "Track it" }).click({ modifiers: [] }),
  ]);
  assert.equal(await popup.evaluate(() => window.opener), null);
  await popup.close();

  // A 100 KB message of marks is read whole, and the chat goes on.
  const unit = "**bold *it [l](javascript:x) <b>x</b> `c` ~~s~~ www.example.com _u_ [[[ ``` ";
  const long = unit.repeat(Math.ceil(100_000 / unit.length)) + "END";
  await push(long);
  await page.locator(".gc-agent").filter({ hasText: "END" }).waitFor();
  assert.equal(await shadow(page, `return root.querySelectorAll('img, script, a[href^="javascript"]').length;`), 0);
  await page.locator(".gc-input").fill("still here");
  await page.locator(".gc-input").press("Enter");
  await page.locator(".gc-guest").filter({ hasText: "still here" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("data-markdown=off, or the deployment's switch, shows agents' marks as written", async () => {
  const off = await openGenesys((body) => body.replace(/data-deployment-id=/, 'data-markdown="off" data-deployment-id='));
  await off.push("**as written**");
  await off.page.locator(".gc-agent").filter({ hasText: "**as written**" }).waitFor();
  assert.equal(await shadow(off.page, `return root.querySelectorAll(".gc-agent strong").length;`), 0);
  await off.context.close();

  await sim.control("/control/genesys/deployment-config", { messenger: { apps: { conversations: { markdown: { enabled: false } } } } });
  try {
    const admin = await openGenesys();
    await admin.push("**from Admin**");
    await admin.page.locator(".gc-agent").filter({ hasText: "**from Admin**" }).waitFor();
    await admin.context.close();
  } finally {
    await fetch(sim.url + "/control/genesys/deployment-config", { method: "DELETE" });
  }
  const on = await openGenesys();
  await on.push("**drawn**");
  await on.page.locator(".gc-agent strong").filter({ hasText: "drawn" }).waitFor();
  await on.context.close();
});
