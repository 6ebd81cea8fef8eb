// axe-core on the widget in each of its states, and a whole chat by keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { startSimulator, launchBrowser, openPage, root } from "./support.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
let sim;
let browser;
const shots = join(root, "target", "screenshots");

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator(["--agent", "scripted", "--queue-ms", "300", "--typing-ms", "150"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

/** Runs axe on the whole page (the widget's open shadow root included). */
async function axe(page, state) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return r.violations
      .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) }))
      // The example shop page is not ours; judge only what is inside the widget.
      .map((v) => ({ ...v, nodes: v.nodes.filter((t) => t.startsWith("guest-chat")) }))
      .filter((v) => v.nodes.length > 0);
  });
  assert.deepEqual(result, [], `axe violations while ${state}`);
}

const connected = (page) => page.locator(".gc-status").filter({ hasText: /^(Connected|متصل)$/ }).waitFor();

for (const scheme of ["light", "dark"]) {
  test(`axe finds nothing in any state (${scheme})`, async () => {
    const { page, context } = await openPage(browser, sim, "/host/plain.html", {
      viewport: { width: 900, height: 760 },
      colorScheme: scheme,
      reducedMotion: "reduce",
    });
    await page.locator(".gc-launcher").waitFor();
    await axe(page, "closed");
    await page.locator(".gc-launcher").click();
    await axe(page, "open and connecting");
    await connected(page);
    await page.locator(".gc-agent").first().waitFor();
    await page.locator(".gc-input").fill("Where is my parcel?");
    await page.locator(".gc-input").press("Enter");
    await page.locator(".gc-agent").nth(1).waitFor();
    const [session] = await sim.control("/control/sessions?guest_name=Shopper");
    await sim.control(`/control/sessions/${session.id}/push`, JSON.stringify({ type: "error", reason: "Attachment too large" }));
    await sim.control(`/control/sessions/${session.id}/typing`, { typing: true });
    await page.locator(".gc-error").waitFor();
    await page.locator(".gc-typing").waitFor();
    await axe(page, "chatting, with every kind of message");
    await page.locator(".gc-close").click();
    await sim.control(`/control/sessions/${session.id}/agent-message`, { text: "Are you still there?" });
    await page.locator(".gc-badge").filter({ hasText: /^1$/ }).waitFor();
    await axe(page, "closed with unread messages");
    await context.close();
  });
}

test("axe finds nothing in the failed state and in Arabic", async () => {
  await sim.control("/control/fail-sessions", { count: 1, status: 503 });
  const failed = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 }, reducedMotion: "reduce" });
  await failed.page.locator(".gc-launcher").click();
  await failed.page.locator(".gc-retry").waitFor();
  await axe(failed.page, "failed");
  await failed.context.close();

  const arabic = await openPage(browser, sim, "/host/plain.html", {
    viewport: { width: 900, height: 760 },
    reducedMotion: "reduce",
    rewrite: (html) => html.replace('data-guest-name="Shopper"', 'data-guest-name="Shopper" data-locale="ar"'),
  });
  await arabic.page.locator(".gc-launcher").click();
  await connected(arabic.page);
  await arabic.page.locator(".gc-agent").first().waitFor();
  await arabic.page.locator(".gc-input").fill("أين طلبي؟");
  await arabic.page.locator(".gc-input").press("Enter");
  await arabic.page.locator(".gc-agent").nth(1).waitFor();
  await axe(arabic.page, "right-to-left");
  assert.equal(await arabic.page.locator(".gc-embed").getAttribute("dir"), "rtl");
  await arabic.page.locator(".gc-panel").screenshot({ path: join(shots, "arabic.png") });
  // Arabic has its own form for one; the name still holds the digit the badge shows.
  await arabic.page.locator(".gc-close").click();
  const [arabicSession] = await sim.control("/control/sessions?guest_name=Shopper");
  await sim.control(`/control/sessions/${arabicSession.id}/agent-message`, { text: "هل ما زلت هنا؟" });
  await arabic.page.locator(".gc-badge").filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await arabic.page.locator(".gc-launcher").getAttribute("aria-label"), "فتح الدردشة، رسالة غير مقروءة: 1");
  await axe(arabic.page, "closed with an unread message, right-to-left");
  await arabic.context.close();
});

test("a whole chat by keyboard alone: open, send, read the reply, close", async () => {
  const { page, context } = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 } });
  await page.locator(".gc-launcher").waitFor();
  const focused = () =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.className ? "." + el.className.split(" ")[0] : el.id ? "#" + el.id : ""}` : null;
    });
  // Tab through the page until the launcher has focus.
  for (let i = 0; i < 10 && (await focused()) !== "button.gc-launcher"; i++) await page.keyboard.press("Tab");
  assert.equal(await focused(), "button.gc-launcher");
  await page.keyboard.press("Enter");
  await connected(page);
  await page.waitForFunction(() => document.querySelector("guest-chat").shadowRoot.activeElement?.classList.contains("gc-input"));
  await page.keyboard.type("First line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await page.keyboard.press("Enter");
  const mine = page.locator(".gc-guest .gc-text");
  await mine.filter({ hasText: "First line" }).waitFor();
  assert.equal(await mine.first().textContent(), "First line\nsecond line");
  await page.locator(".gc-agent").filter({ hasText: "First line" }).waitFor();
  // The reply is read from the focusable log.
  await page.keyboard.press("Shift+Tab");
  assert.equal(await focused(), "div.gc-transcript");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator(".gc-panel").isVisible(), false);
  assert.equal(await focused(), "button.gc-launcher", "focus returns to the launcher");
  await context.close();
});

test("usable at 320 px wide and at 200 % zoom", async () => {
  // 200 % zoom of a 1280 x 800 window leaves 640 x 400 CSS pixels.
  for (const viewport of [{ width: 320, height: 568 }, { width: 640, height: 400 }]) {
    const { page, context } = await openPage(browser, sim, "/host/plain.html", { viewport, reducedMotion: "reduce" });
    await page.locator(".gc-launcher").click();
    await connected(page);
    const layout = await page.evaluate(() => {
      const shadow = document.querySelector("guest-chat").shadowRoot;
      const box = (s) => shadow.querySelector(s).getBoundingClientRect();
      const log = shadow.querySelector(".gc-transcript");
      return {
        send: box(".gc-send"),
        input: box(".gc-input"),
        close: box(".gc-close"),
        logHeight: log.clientHeight,
        overflowX: log.scrollWidth - log.clientWidth,
      };
    });
    for (const name of ["send", "input", "close"]) {
      const b = layout[name];
      assert.ok(b.left >= 0 && b.right <= viewport.width && b.top >= 0 && b.bottom <= viewport.height, `${name} inside ${viewport.width}x${viewport.height}`);
    }
    assert.ok(layout.logHeight >= 100, `transcript height ${layout.logHeight}`);
    assert.ok(layout.overflowX <= 0, "no sideways scrolling");
    await context.close();
  }
});

test("reduced motion and forced colours are respected", async () => {
  const calm = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 }, reducedMotion: "reduce" });
  await calm.page.locator(".gc-launcher").click();
  await calm.page.locator(".gc-panel:not([hidden])").waitFor();
  const animation = (page) =>
    page.evaluate(() => getComputedStyle(document.querySelector("guest-chat").shadowRoot.querySelector(".gc-panel")).animationName);
  assert.equal(await animation(calm.page), "none");
  await calm.context.close();
  const moving = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 }, reducedMotion: "no-preference" });
  await moving.page.locator(".gc-launcher").click();
  await moving.page.locator(".gc-panel:not([hidden])").waitFor();
  assert.equal(await animation(moving.page), "gc-rise");
  await moving.context.close();

  // The launcher has no border of its own; in forced colours it gets one, so it stays
  // visible where backgrounds are flattened.
  const launcherBorder = (page) =>
    page.evaluate(() => {
      const s = getComputedStyle(document.querySelector("guest-chat").shadowRoot.querySelector(".gc-launcher"));
      return [s.borderTopStyle, s.borderTopWidth];
    });
  const plain = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 } });
  await plain.page.locator(".gc-launcher").waitFor();
  assert.deepEqual(await launcherBorder(plain.page), ["none", "0px"]);
  await plain.context.close();
  const context = await browser.newContext({ viewport: { width: 900, height: 760 }, forcedColors: "active" });
  const forced = await openPage(browser, sim, "/host/plain.html", { context });
  await forced.page.locator(".gc-launcher").waitFor();
  assert.deepEqual(await launcherBorder(forced.page), ["solid", "1px"]);
  await context.close();
});

for (const scheme of ["light", "dark"]) {
  test(`axe finds nothing in Genesys Cloud mode: menu, confirmation, ended (${scheme})`, async () => {
    const { page, context } = await openPage(browser, sim, "/host/genesys.html", {
      viewport: { width: 900, height: 760 },
      colorScheme: scheme,
      reducedMotion: "reduce",
    });
    await page.locator(".gc-launcher").click();
    await connected(page);
    await page.locator(".gc-agent").first().waitFor();
    // The bot greets with quick replies; a card and a carousel join them on screen.
    await page.locator(".gc-reply").first().waitFor();
    await page.locator(".gc-panel").screenshot({ path: join(shots, `bot-greeting-${scheme}.png`) });
    const newest = (await sim.control("/agent/api/sessions")).find((s) => s.protocol === "genesys");
    await sim.control(`/agent/api/sessions/${newest.id}/rich`, { kind: "card", text: "Our bestseller:" });
    await sim.control(`/agent/api/sessions/${newest.id}/rich`, { kind: "carousel", text: "You may like:" });
    await page.locator(".gc-card").nth(3).waitFor();
    await axe(page, "quick replies, a card and a carousel on screen");
    // A file attached and uploading, then one refused.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route("**/uploads/**", async (route) => {
      await held;
      await route.continue();
    });
    await page.locator(".gc-file-picker").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("png") });
    await page.locator(".gc-attached .gc-progress").waitFor();
    await axe(page, "a file uploading");
    release();
    await page.locator(".gc-file-picker").setInputFiles({ name: "setup.exe", mimeType: "image/png", buffer: Buffer.from("exe") });
    await page.locator(".gc-attached-failed").waitFor();
    await axe(page, "a file refused");
    await page.locator(".gc-remove-file").click();
    await page.locator(".gc-card").nth(1).scrollIntoViewIfNeeded();
    await page.locator(".gc-panel").screenshot({ path: join(shots, `carousel-${scheme}.png`) });
    await page.locator(".gc-menu-toggle").click();
    await page.locator(".gc-clear").waitFor();
    await axe(page, "the chat options open");
    await page.locator(".gc-clear").click();
    await page.locator(".gc-confirm-text:not([hidden])").waitFor();
    // The safe answer has focus; Escape closes the menu and gives focus back.
    const focused = () => page.evaluate(() => document.querySelector("guest-chat").shadowRoot.activeElement?.className);
    for (let i = 0; i < 50 && (await focused()) !== "gc-confirm-cancel"; i++) await page.waitForTimeout(20);
    assert.equal(await focused(), "gc-confirm-cancel");
    await axe(page, "asking to confirm the clearing");
    await page.keyboard.press("Escape");
    await page.locator(".gc-menu[open]").waitFor({ state: "detached" });
    // The console lists the newest conversation first.
    const session = (await sim.control("/agent/api/sessions")).find((s) => s.protocol === "genesys");
    await sim.control(`/control/genesys/sessions/${session.id}/end`, {});
    await page.locator(".gc-new-chat").waitFor();
    await axe(page, "ended, offering a new chat");
    await context.close();
  });
}

for (const scheme of ["light", "dark"]) {
  test(`axe finds nothing in a prompt the page offers (${scheme})`, async () => {
    const { page, context } = await openPage(browser, sim, "/host/messenger.html", {
      viewport: { width: 900, height: 760 },
      colorScheme: scheme,
      reducedMotion: "reduce",
    });
    await page.evaluate(() => document.getElementById("offer").click());
    const toast = page.locator("guest-chat .gc-toast");
    await toast.waitFor();
    await axe(page, `a prompt is offered (${scheme})`);
    // Its buttons are reached by keyboard, and dismissing it leaves the page as it was.
    await toast.getByRole("button", { name: "Dismiss" }).focus();
    await page.keyboard.press("Enter");
    await toast.waitFor({ state: "hidden" });
    await context.close();
  });
}
