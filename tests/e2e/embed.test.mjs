// The one-tag embed on the example host site (examples/host, copied to dist/host):
// launcher, badge, JavaScript API, isolation from hostile CSS, strict CSP, theming.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import { startSimulator, launchBrowser, openPage, root, dist, serveTampered, refusedForIntegrity } from "./support.mjs";

let sim;
let browser;
const shots = join(root, "target", "screenshots");

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator(["--agent", "scripted", "--queue-ms", "200", "--typing-ms", "100"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

const connected = (page) => page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();

/** Resolves after `count` animation frames: work the widget put off to a frame has run. */
const frames = (page, count = 2) =>
  page.evaluate(
    (count) => new Promise((resolve) => {
      const step = (left) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
      step(count);
    }),
    count,
  );

/** Resolves when every animation in the widget's shadow root has finished. */
const settled = (page) =>
  page.evaluate(() => Promise.all(document.querySelector("guest-chat").shadowRoot.getAnimations().map((a) => a.finished)));

async function newestSession(name) {
  const [session] = await sim.control(`/control/sessions?guest_name=${encodeURIComponent(name)}`);
  return session;
}

test("the one-tag embed opens from its launcher and chats", async () => {
  const { page, context, problems } = await openPage(browser, sim, "/host/plain.html");
  const launcher = page.locator(".gc-launcher");
  await launcher.waitFor();
  assert.equal(await page.locator(".gc-panel").isVisible(), false, "closed at first");
  assert.equal(await launcher.getAttribute("aria-expanded"), "false");
  await launcher.click();
  await connected(page);
  assert.equal(await launcher.getAttribute("aria-expanded"), "true");
  await page.locator(".gc-agent").filter({ hasText: "Hi Shopper" }).waitFor();
  await page.locator(".gc-input").fill("Do you ship to Norway?");
  await page.locator(".gc-input").press("Enter");
  await page.locator(".gc-agent").filter({ hasText: "Do you ship to Norway?" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("the badge counts agent messages while closed; open or closed survives a reload", async () => {
  // A name of its own: other pages of this file, still starting or closing, are "Shopper".
  const name = `Badge reader ${Date.now()}`;
  const { page, context } = await openPage(browser, sim, "/host/plain.html", {
    rewrite: (html) => html.replace('data-guest-name="Shopper"', `data-guest-name="${name}"`),
  });
  await page.locator(".gc-launcher").click();
  await connected(page);
  // The scripted agent's greeting is read before the panel closes: only the two below
  // arrive while it is closed.
  await page.locator(".gc-agent").first().waitFor();
  await page.locator(".gc-close").click();
  assert.equal(await page.locator(".gc-panel").isVisible(), false);
  assert.equal(await page.evaluate(() => document.querySelector("guest-chat").shadowRoot.activeElement?.className), "gc-launcher", "focus returns to the launcher");
  const session = await newestSession(name);
  await sim.control(`/control/sessions/${session.id}/agent-message`, { text: "Your order shipped." });
  await sim.control(`/control/sessions/${session.id}/agent-message`, { text: "Tracking: 123." });
  const badge = page.locator(".gc-badge");
  await badge.filter({ hasText: /^2$/ }).waitFor();
  // The name holds what the badge shows; the badge itself is not read a second time.
  assert.equal(await page.locator(".gc-launcher").getAttribute("aria-label"), "Open chat, 2 unread messages");
  assert.equal(await badge.getAttribute("aria-hidden"), "true");
  await page.locator(".gc-launcher").click();
  await badge.waitFor({ state: "detached" });
  await page.reload();
  await connected(page);
  assert.ok(await page.locator(".gc-panel").isVisible(), "still open after the reload");
  // Opening moves focus in the frame after; a restored panel must not.
  await frames(page);
  assert.equal(
    await page.evaluate(() => document.activeElement === document.body),
    true,
    "a panel restored open takes no focus by itself",
  );
  await page.locator(".gc-input").focus();
  await page.keyboard.press("Escape");
  assert.equal(await page.locator(".gc-panel").isVisible(), false, "Escape closes");
  await page.reload();
  // The site's "ready" listener runs once the widget has restored its state.
  await page.waitForFunction(() => document.documentElement.dataset.chatReady === "yes");
  await frames(page);
  assert.equal(await page.locator(".gc-panel").isVisible(), false, "still closed after the reload");
  await context.close();
});

test("the page's title counts agent messages unseen while the chat is closed or the page hidden", async () => {
  const name = `Title reader ${Date.now()}`;
  const { page, context } = await openPage(browser, sim, "/host/plain.html", {
    rewrite: (html) => html.replace('data-guest-name="Shopper"', `data-guest-name="${name}"`),
  });
  const title = await page.title();
  await page.locator(".gc-launcher").click();
  await connected(page);
  await page.locator(".gc-agent").first().waitFor();
  assert.equal(await page.title(), title, "messages the visitor sees leave the title alone");
  const session = await newestSession(name);
  const say = (text) => sim.control(`/control/sessions/${session.id}/agent-message`, { text });
  // The visitor's own words never count.
  await page.locator(".gc-input").fill("Is it in stock?");
  await page.locator(".gc-input").press("Enter");
  await page.locator('.gc-guest[data-delivery="delivered"]').waitFor();
  // The scripted agent's answer is seen before the panel closes.
  await page.locator(".gc-agent").filter({ hasText: "Is it in stock?" }).waitFor();
  await page.locator(".gc-close").click();
  await say("Yes, in three sizes.");
  await say("Shall I hold one?");
  await page.waitForFunction((title) => document.title === `(2) ${title}`, title);
  await page.locator(".gc-launcher").click();
  await page.waitForFunction((title) => document.title === title, title);
  // Headless Chromium reports every page visible: the page is hidden the way a tab
  // switch tells it, its visibility state and the event.
  const setVisibility = (state) =>
    page.evaluate((state) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
    }, state);
  await setVisibility("hidden");
  await say("Held until Friday.");
  await page.waitForFunction((title) => document.title === `(1) ${title}`, title);
  // A page that retitles itself meanwhile keeps its new title.
  await page.evaluate(() => (document.title = "Checkout"));
  await say("Anything else?");
  await page.waitForFunction(() => document.title === "(2) Checkout");
  await setVisibility("visible");
  await page.waitForFunction(() => document.title === "Checkout");
  await context.close();
});

test("with data-notify, an agent's message while the visitor is away chimes and notifies, only once they allowed it in the panel", async () => {
  const name = `Notified ${Date.now()}`;
  const context = await browser.newContext({ viewport: { width: 520, height: 760 } });
  // Every notification, permission request and tone the page makes is recorded, and
  // still reaches the browser's own.
  await context.addInitScript(() => {
    window.__shown = [];
    window.__asked = 0;
    window.__tones = 0;
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.__shown.push(`${title} | ${options?.body}`);
      }
      static requestPermission(...args) {
        window.__asked += 1;
        return Real.requestPermission(...args);
      }
      static get permission() {
        return Real.permission;
      }
    };
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      window.__tones += 1;
      return start.apply(this, args);
    };
  });
  const { page } = await openPage(browser, sim, "/host/plain.html", {
    context,
    rewrite: (html) => html.replace('data-guest-name="Shopper"', `data-guest-name="${name}" data-notify="on"`),
  });
  const title = await page.title();
  await page.locator(".gc-launcher").click();
  await connected(page);
  const session = await newestSession(name);
  const say = (text) => sim.control(`/control/sessions/${session.id}/agent-message`, { text });
  const offer = page.locator(".gc-notify-offer");
  await offer.waitFor();
  // Away before the visitor allowed anything: the title counts, nothing else happens.
  await page.locator(".gc-close").click();
  await say("First answer");
  await page.waitForFunction((title) => document.title.startsWith("(1)") && document.title.endsWith(title), title);
  assert.deepEqual(await page.evaluate(() => [window.__shown, window.__asked, window.__tones]), [[], 0, 0], "never asked unprompted");

  await context.grantPermissions(["notifications"], { origin: sim.url });
  await page.locator(".gc-launcher").click();
  await page.locator(".gc-notify-on").click();
  await offer.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => window.__asked), 1);
  await page.locator(".gc-close").click();
  // The visitor's own message, sent from the page while closed, tells nothing.
  await page.evaluate(() => window.GuestChat.send("A question from the page"));
  await page.locator('.gc-guest[data-delivery="delivered"]').filter({ hasText: "A question from the page" }).waitFor({ state: "attached" });
  // (An agent speaking through the control API has taken over: no scripted answer.)
  await say("**Your order** ships *today*");
  await page.waitForFunction(() => window.__shown.length >= 1);
  const shown = await page.evaluate(() => window.__shown.join("\n"));
  assert.match(shown, /^New chat message \| .*Your order ships today/, "the words, without the marks");
  assert.ok(await page.evaluate(() => window.__tones) >= 1, "a chime");

  // Read with the panel open: nothing.
  await page.locator(".gc-launcher").click();
  await say("Seen as it came");
  await page.locator(".gc-agent").filter({ hasText: "Seen as it came" }).waitFor();
  // Turned off from the page: the title still counts, the notification is gone.
  await page.locator(".gc-close").click();
  await page.evaluate(() => window.GuestChat.notify(false));
  await say("Quiet now");
  await page.waitForFunction((title) => document.title.startsWith("(") && document.title.endsWith(title) && document.title !== title, title);
  await page.locator(".gc-agent").filter({ hasText: "Quiet now" }).waitFor({ state: "attached" });
  assert.equal(await page.evaluate(() => window.__shown.length), 1, "nothing for the visitor's own, nothing while read, nothing once turned off");
  await context.close();
});

test("the JavaScript API queues calls made before the widget loads and reports events", async () => {
  const context2 = await browser.newContext({ viewport: { width: 900, height: 760 } });
  const page2 = await context2.newPage();
  const host = new URL(sim.url).host;
  await page2.route((url) => url.pathname.endsWith("/api-probe.js"), (route) =>
    route.fulfill({
      contentType: "text/javascript",
      body: `window.__events = [];
        window.__loadedBeforeCalls = document.querySelector("guest-chat")?.shadowRoot?.querySelector(".gc-root:not(.gc-early)") != null;
        ["ready", "message", "status", "error"].forEach((n) => GuestChat.on(n, (d) => __events.push([n, d])));
        GuestChat.open();
        GuestChat.send("sent before load");`,
    }),
  );
  await page2.route((url) => url.pathname.endsWith(".html"), async (route) => {
    const response = await route.fetch();
    const body = (await response.text())
      .replaceAll("127.0.0.1:8787", host)
      .replace('<script src="site.js" defer></script>', '<script src="site.js" defer></script><script src="api-probe.js" defer></script>');
    await route.fulfill({ response, body });
  });
  // The wasm is held back until the probe has run, so every call above is made before
  // the widget exists.
  await page2.route((url) => url.pathname.endsWith("_bg.wasm"), async (route) => {
    await page2.waitForFunction(() => "__loadedBeforeCalls" in window);
    await route.continue();
  });
  await page2.goto(`${sim.url}/host/plain.html`);
  await connected(page2);
  assert.equal(await page2.evaluate(() => window.__loadedBeforeCalls), false, "the calls ran before the widget existed");
  await page2.locator(".gc-guest").filter({ hasText: "sent before load" }).waitFor();
  const session = await newestSession("Shopper");
  await page2.waitForFunction(() => __events.some(([n, d]) => n === "message" && d.from === "agent"));
  const received = await sim.control(`/control/sessions/${session.id}/received`);
  assert.ok(received.some((f) => f.includes("sent before load")));
  await sim.control(`/control/sessions/${session.id}/push`, JSON.stringify({ type: "error", reason: "Queue is full" }));
  await page2.waitForFunction(() => __events.some(([n, d]) => n === "error" && d.reason === "Queue is full"));
  const events = await page2.evaluate(() => __events);
  const names = events.map(([n]) => n);
  assert.ok(names.includes("ready"));
  assert.ok(events.some(([n, d]) => n === "status" && d.status === "connected"));
  assert.ok(events.some(([n, d]) => n === "message" && d.from === "guest" && d.text === "sent before load"));
  assert.equal(await page2.evaluate(() => document.documentElement.dataset.chatReady), "yes", "the host page's own listener ran");
    // off() removes a listener.
  await page2.evaluate(() => {
    window.__offCalls = 0;
    window.__offHandler = () => window.__offCalls++;
    GuestChat.on("message", window.__offHandler);
    GuestChat.off("message", window.__offHandler);
  });
  await sim.control(`/control/sessions/${session.id}/agent-message`, { text: "after off" });
  await page2.waitForFunction(() => __events.some(([n, d]) => n === "message" && d.text === "after off"));
  assert.equal(await page2.evaluate(() => window.__offCalls), 0);
  await page2.evaluate(() => GuestChat.close());
  assert.equal(await page2.locator(".gc-panel").isVisible(), false);
  await page2.evaluate(() => GuestChat.toggle());
  assert.ok(await page2.locator(".gc-panel").isVisible());
  await page2.locator(".gc-close").click();
  await page2.locator("#talk").click();
  assert.ok(await page2.locator(".gc-panel").isVisible(), "the host page's button opens the chat");
  await context2.close();
});

const probes = {
  ".gc-launcher": ["background-color", "width", "height", "border-radius", "border-top-style"],
  ".gc-panel": ["width", "height", "font-size", "font-family", "color", "background-color"],
  ".gc-title": ["font-size", "line-height", "color", "font-family", "margin-top"],
  ".gc-status": ["font-size", "color", "line-height", "padding-top", "margin-top"],
  ".gc-system": ["font-size", "color", "padding-top"],
  ".gc-agent": ["font-size", "background-color", "color", "padding-left", "margin-top"],
  ".gc-input": ["font-size", "box-sizing", "height", "border-top-width"],
  ".gc-send": ["background-color", "border-top-style", "font-size", "border-radius"],
};

async function computedStyles(page) {
  return page.evaluate((probes) => {
    const shadow = document.querySelector("guest-chat").shadowRoot;
    const out = {};
    for (const [selector, props] of Object.entries(probes)) {
      const style = getComputedStyle(shadow.querySelector(selector));
      for (const p of props) out[`${selector} ${p}`] = style.getPropertyValue(p);
    }
    return out;
  }, probes);
}

async function openedEmbed(path, options) {
  const opened = await openPage(browser, sim, path, { viewport: { width: 900, height: 760 }, ...options });
  await opened.page.locator(".gc-launcher").click();
  await connected(opened.page);
  await opened.page.locator(".gc-agent").first().waitFor();
  await settled(opened.page);
  return opened;
}

test("hostile host CSS leaves the widget's computed styles unchanged, and none leak out", async () => {
  const plain = await openedEmbed("/host/plain.html");
  const hostile = await openedEmbed("/host/index.html");
  const expected = await computedStyles(plain.page);
  const actual = await computedStyles(hostile.page);
  assert.deepEqual(actual, expected);
  await hostile.page.screenshot({ path: join(shots, "hostile-host.png") });
  const documentStyles = await plain.page.evaluate(() => ({
    adopted: document.adoptedStyleSheets.length,
    sheets: [...document.styleSheets].map((s) => new URL(s.href).pathname),
  }));
  assert.deepEqual(documentStyles, { adopted: 0, sheets: ["/host/site.css"] }, "the widget adds no styles to the page");
  assert.equal(
    await plain.page.evaluate(() => getComputedStyle(document.querySelector("#talk")).borderRadius),
    await plain.page.evaluate(() => {
      const probe = document.createElement("button");
      document.body.append(probe);
      const r = getComputedStyle(probe).borderRadius;
      probe.remove();
      return r;
    }),
  );
  await plain.context.close();
  await hostile.context.close();
});

test("a page with a strict Content-Security-Policy runs the widget", async () => {
  const { page, context, problems } = await openPage(browser, sim, "/host/strict-csp.html");
  const violations = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  await page.locator(".gc-launcher").click();
  await connected(page);
  await page.locator(".gc-input").fill("hello from a strict page");
  await page.locator(".gc-input").press("Enter");
  await page.locator('.gc-guest[data-delivery="delivered"]').waitFor();
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the custom element works and sits on the left when configured", async () => {
  const { page, context } = await openPage(browser, sim, "/host/custom-element.html", { viewport: { width: 900, height: 760 } });
  // The loader's launcher and then the widget's sit on the left.
  for (const launcher of [".gc-launcher", ".gc-root:not(.gc-early) .gc-launcher"]) {
    await page.locator(launcher).waitFor();
    const x = await page.locator(launcher).evaluate((el) => el.getBoundingClientRect().x);
    assert.ok(x < 450, `launcher at x=${x}`);
  }
  await page.locator(".gc-launcher").click();
  await connected(page);
  await page.locator(".gc-agent").filter({ hasText: "Element shopper" }).waitFor();
  await context.close();
});

test("below 480 px the panel is full screen", async () => {
  const { page, context } = await openPage(browser, sim, "/host/plain.html", {
    viewport: { width: 375, height: 700 },
    reducedMotion: "reduce",
  });
  await page.locator(".gc-launcher").click();
  await connected(page);
  const box = await page.locator(".gc-panel").boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 375, 700]);
  await context.close();
});

test("dark mode follows the visitor's preference unless the site sets a theme", async () => {
  const surface = (page) =>
    page.evaluate(() => getComputedStyle(document.querySelector("guest-chat").shadowRoot.querySelector(".gc")).backgroundColor);
  const dark = await openedEmbed("/host/plain.html", { colorScheme: "dark" });
  assert.equal(await surface(dark.page), "rgb(21, 24, 29)");
  await dark.page.locator(".gc").screenshot({ path: join(shots, "dark.png") });
  const forcedLight = await openedEmbed("/host/plain.html", {
    colorScheme: "dark",
    rewrite: (html) => html.replace('data-guest-name="Shopper"', 'data-guest-name="Shopper" data-theme="light"'),
  });
  assert.equal(await surface(forcedLight.page), "rgb(255, 255, 255)");
  await dark.context.close();
  await forcedLight.context.close();
});

test("custom properties and ::part theme the widget", async () => {
  const { page, context } = await openPage(browser, sim, "/host/plain.html");
  await page.locator(".gc-launcher").waitFor();
  await page.addStyleTag({
    content: "guest-chat { --gc-accent: rgb(122, 46, 142); } guest-chat::part(launcher) { border-radius: 6px; }",
  });
  const style = await page.evaluate(() => {
    const s = getComputedStyle(document.querySelector("guest-chat").shadowRoot.querySelector(".gc-launcher"));
    return [s.backgroundColor, s.borderRadius];
  });
  assert.deepEqual(style, ["rgb(122, 46, 142)", "6px"]);
  await context.close();
});

test("the baseline page's stylesheet is the one inside the widget, byte for byte", () => {
  // The post-build hook compacts dist/style.css with a copy of build.rs's rules; the
  // benchmark compares like with like only while the two agree.
  const css = readFileSync(join(dist, "style.css"));
  const wasm = readFileSync(join(dist, "guest-chat-app_bg.wasm"));
  assert.ok(css.length > 1000, "a real stylesheet");
  assert.ok(wasm.includes(css), "dist/style.css appears verbatim in the wasm");
});

test("the one-tag loader runs only the glue and wasm it was built with", async () => {
  for (const file of ["guest-chat-app_bg.wasm", "guest-chat-app.js"]) {
    const context = await browser.newContext();
    await serveTampered(context, file);
    const { page, problems } = await openPage(browser, sim, "/host/plain.html", { context });
    assert.ok(await refusedForIntegrity(problems, file), `${file} refused: ${problems}`);
    assert.equal(await page.locator(".gc-root:not(.gc-early)").count(), 0, "nothing of it ran");
    // The loader's own launcher says so, and offers to try again.
    await page.locator(".gc-failed .gc-launcher").waitFor();
    await context.close();
  }
});

test("the page sets custom attributes at any time, and hears the panel open and close", async () => {
  const { page, context } = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 } });
  // Before the widget loads: kept by the loader, and no reason to load it.
  await page.evaluate(() => {
    window.__panel = [];
    GuestChat.on("opened", () => __panel.push("opened"));
    GuestChat.on("closed", () => __panel.push("closed"));
    GuestChat.setAttributes({ plan: "gold", cart: 3 });
  });
  assert.equal(await page.evaluate(() => performance.getEntriesByType("resource").some((r) => r.name.endsWith(".wasm"))), false);
  await page.locator(".gc-launcher").click();
  await connected(page);
  const [{ token }] = await sim.control("/control/genesys/sessions");
  const attributesOf = async (text) => {
    for (let i = 0; i < 200; i++) {
      const { received } = await sim.control(`/control/genesys/sessions/${token}`);
      const message = received.map((raw) => JSON.parse(raw)).find((r) => r.action === "onMessage" && r.message.text === text);
      if (message) return message.message.channel?.metadata?.customAttributes;
      await page.waitForTimeout(25);
    }
    throw new Error(`"${text}" never reached the simulator`);
  };
  await page.locator(".gc-input").fill("first");
  await page.locator(".gc-send").click();
  assert.deepEqual(await attributesOf("first"), { "context.firstName": "Shopper", plan: "gold", cart: "3" });
  // After it loaded: only what changed goes with the next message.
  await page.evaluate(() => GuestChat.setAttributes({ plan: "platinum", cart: "3" }));
  await page.locator('.gc-guest[data-delivery="delivered"]').filter({ hasText: "first" }).waitFor();
  await page.locator(".gc-input").fill("second");
  await page.locator(".gc-send").click();
  assert.deepEqual(await attributesOf("second"), { plan: "platinum" });
  await page.locator(".gc-launcher").click();
  await page.waitForFunction(() => window.__panel.length === 2);
  assert.deepEqual(await page.evaluate(() => window.__panel), ["opened", "closed"]);
  await context.close();
});
