// The release build (dist/, as trunk build --release makes it) in headless Chromium,
// against the simulator with its scripted agent and its agent console.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, launchBrowser, openPage, openWidgetPage, root, serveTampered, refusedForIntegrity } from "./support.mjs";

let sim;
let browser;
const shots = join(root, "target", "screenshots");

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator(["--agent", "scripted", "--queue-ms", "300", "--typing-ms", "200"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

test("a visitor is queued, connected, greeted, and gets an answer", async () => {
  const { page, context, problems } = await openWidgetPage(browser, sim);
  const status = page.locator(".gc-status");
  await status.filter({ hasText: /^Connected$/ }).waitFor();
  await page.locator(".gc-system").filter({ hasText: "You are in the queue (position 1)." }).waitFor();
  await page.locator(".gc-system").filter({ hasText: "Connected to an agent." }).waitFor();
  await page.locator(".gc-agent").filter({ hasText: "Hi Demo visitor" }).waitFor();

  const input = page.locator(".gc-input");
  assert.ok(await input.evaluate((el) => el === document.activeElement), "the composer has focus");
  await input.fill("Where is my order #1234?");
  await input.press("Enter");
  await page.locator('.gc-guest[data-delivery="delivered"]').waitFor();
  await page.locator(".gc-agent").filter({ hasText: "Where is my order #1234?" }).waitFor();
  assert.equal(await input.inputValue(), "");
  await page.locator(".gc").screenshot({ path: join(shots, "widget.png") });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a person in the agent console answers, types and ends the chat", async () => {
  const { page, context, problems } = await openWidgetPage(browser, sim);
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  await page.locator(".gc-input").fill("I need a human");
  await page.locator(".gc-send").click();

  const consolePage = await context.newPage();
  await consolePage.goto(`${sim.url}/agent`);
  await consolePage.locator("#sessions button").first().click();
  await consolePage.locator("#log .guest").filter({ hasText: "I need a human" }).waitFor();
  await consolePage.locator("#typing").check();
  await page.locator(".gc-typing").waitFor();
  await consolePage.locator("#text").fill("<b>Hello</b>, this is a person.");
  await consolePage.locator("#text").press("Enter");
  const reply = page.locator(".gc-agent").filter({ hasText: "<b>Hello</b>, this is a person." });
  await reply.waitFor();
  assert.equal(await reply.locator("b").count(), 0, "agent text is text, never markup");
  await page.locator(".gc-typing").waitFor({ state: "detached" });

  await consolePage.locator("#end").click();
  await page.locator(".gc-status").filter({ hasText: "Chat ended" }).waitFor();
  assert.ok(await page.locator(".gc-input").isDisabled());
  assert.deepEqual(problems, []);
  await context.close();
});

test("a dropped connection comes back on its own", async () => {
  const { page, context } = await openWidgetPage(browser, sim);
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  const [session] = await sim.control("/control/sessions?guest_name=Demo%20visitor");
  await sim.control(`/control/sessions/${session.id}/drop`, "");
  await page.locator(".gc-status").filter({ hasText: /Disconnected|Reconnecting/ }).waitFor();
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 10_000 });
  await context.close();
});

test("a long transcript renders only what is on screen, yet stays findable and accessible", async () => {
  const { page, context, problems } = await openWidgetPage(browser, sim, {
    rewrite: (html) => html.replace('data-guest-name="Demo visitor"', 'data-guest-name="Long reader" data-storage="none"'),
  });
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  const [session] = await sim.control("/control/sessions?guest_name=Long%20reader");
  await sim.control(`/control/sessions/${session.id}/burst`, JSON.stringify({ count: 1000, prefix: "long-" }));
  await page.locator(".gc-agent").filter({ hasText: /^long-999$/ }).waitFor();
  // The view follows, though on a busy machine a frame can show it short of the end
  // (a stressed run saw 110 px for one frame, then 0): it must settle at the end, ten
  // frames in a row, within three seconds.
  const view = await page.evaluate(async () => {
    const log = document.querySelector(".gc-transcript");
    const gapNow = () => log.scrollHeight - log.scrollTop - log.clientHeight;
    let atEnd = 0;
    const started = performance.now();
    while (atEnd < 10 && performance.now() - started < 3000) {
      await new Promise((r) => requestAnimationFrame(r));
      atEnd = gapNow() < 48 ? atEnd + 1 : 0;
    }
    return { gap: gapNow(), newMessages: !!document.querySelector(".gc-new-messages") };
  });
  assert.ok(view.gap < 48, `still following the newest message (${view.gap}px from the end)`);
  assert.equal(view.newMessages, false, "no 'New messages' button: the visitor never scrolled away");
  const shown = await page.evaluate(() => {
    const first = [...document.querySelectorAll(".gc-agent")].find((el) => el.textContent === "long-0");
    const last = [...document.querySelectorAll(".gc-agent")].find((el) => el.textContent === "long-999");
    return {
      first: first.checkVisibility({ contentVisibilityAuto: true }),
      last: last.checkVisibility({ contentVisibilityAuto: true }),
      found: window.find("long-0", true, false, true),
    };
  });
  assert.equal(shown.first, false, "the first messages, scrolled away, are skipped by rendering");
  assert.equal(shown.last, true, "the newest message is rendered");
  assert.equal(shown.found, true, "find-in-page still finds a skipped message");
  const tree = await page.locator(".gc-transcript").ariaSnapshot();
  assert.match(tree, /long-0\b/, "a skipped message is still in the accessibility tree");
  assert.match(tree, /long-999\b/);
  // A plain message costs three nodes: its box, its text's span and the text itself.
  const nodes = await page.evaluate(() => {
    const messages = [...document.querySelectorAll(".gc-agent")].filter((el) => el.textContent.startsWith("long-"));
    const count = (root) => {
      let n = 0;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
      while (walker.nextNode()) n++;
      return n + 1;
    };
    return { messages: messages.length, nodes: messages.reduce((sum, el) => sum + count(el), 0) };
  });
  assert.equal(nodes.messages, 1000);
  assert.equal(nodes.nodes, 3000, "three DOM nodes a message, no placeholders");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the widget loads only the files its size budget counts, inline and embedded", async () => {
  const { files } = JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8"));
  for (const [path, ready] of [["/", ".gc-status"], ["/host/plain.html", ".gc-root:not(.gc-early) .gc-launcher"]]) {
    const context = await browser.newContext();
    const loaded = [];
    context.on("request", (request) => {
      const url = new URL(request.url());
      // The page itself, the host site's own files and the API are not the widget.
      if (url.origin !== sim.url || url.pathname === "/" || url.pathname.endsWith(".html")) return;
      if (url.pathname.startsWith("/host/") || url.pathname === "/favicon.ico") return;
      if (request.method() !== "GET" || request.resourceType() === "websocket") return;
      loaded.push(url.pathname.slice(1));
    });
    const { page, problems } = await openPage(browser, sim, path, { context });
    await page.locator(ready).waitFor();
    assert.ok(loaded.includes("guest-chat-app_bg.wasm"), `${path}: ${loaded}`);
    const unbudgeted = loaded.filter((f) => !files.includes(f));
    assert.deepEqual(unbudgeted, [], `${path} loads files the size budget does not count`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("the page runs only the glue and wasm it was built with (subresource integrity)", async () => {
  for (const file of ["guest-chat-app_bg.wasm", "guest-chat-app.js"]) {
    const context = await browser.newContext();
    await serveTampered(context, file);
    const sessions = (await sim.control("/control/sessions")).length;
    const { page, problems } = await openWidgetPage(browser, sim, { context });
    assert.ok(await refusedForIntegrity(problems, file), `${file} refused: ${problems}`);
    assert.equal(await page.locator(".gc-status").count(), 0, "nothing of it ran");
    assert.equal((await sim.control("/control/sessions")).length, sessions, "no session was started");
    await context.close();
  }
});
