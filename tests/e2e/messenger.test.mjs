// A page written for Genesys Messenger (its snippet and its Genesys() page code, from
// the description of Messenger's page API only) chats through guest-chat with the
// bootstrap address changed and nothing else; and a deployment's config.json, as an
// admin changes it in the simulator, changes the widget unless the tag says otherwise.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, launchBrowser, openPage } from "./support.mjs";

let sim;
let browser;

before(async () => {
  sim = await startSimulator();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

/** Waits until the page's own log holds a line matching `pattern`. */
async function logged(page, pattern) {
  await page.waitForFunction((source) => window.pageLog.some((line) => new RegExp(source).test(line)), pattern.source);
}

// The page's own buttons, pressed by their code: the open panel may cover them.
const press = (page, id) => page.evaluate((button) => document.getElementById(button).click(), id);
const wasmLoaded = (page) => page.evaluate(() => performance.getEntriesByType("resource").some((r) => r.name.includes(".wasm")));
const connected = (page) => page.locator("guest-chat .gc-status").filter({ hasText: /^Connected$/ }).waitFor();

/** The text of a message the simulator received on the latest session, once it has. */
async function receivedBySimulator(page, text) {
  for (let i = 0; i < 200; i++) {
    const sessions = await sim.control("/control/genesys/sessions");
    for (const { token } of sessions) {
      const { received } = await sim.control(`/control/genesys/sessions/${token}`);
      const found = received.map((raw) => JSON.parse(raw)).find((r) => r.action === "onMessage" && r.message.text === text);
      if (found) return found.message;
    }
    await page.waitForTimeout(25);
  }
  throw new Error(`"${text}" never reached the simulator`);
}

test("a Messenger page's snippet, commands, subscriptions and plugin drive the chat", async () => {
  const { page, context, problems } = await openPage(browser, sim, "/host/messenger.html", { viewport: { width: 900, height: 760 } });
  // The snippet's global is the loader's now, and what the page queued waits for the
  // widget without loading it: the launcher is drawn, no wasm is fetched.
  await page.locator("guest-chat .gc-early .gc-launcher").waitFor();
  assert.equal(await page.evaluate(() => typeof Genesys.q), "undefined", "the queue was taken over");
  assert.equal(await wasmLoaded(page), false);

  // A command to the chat loads the widget and runs; promise form.
  await press(page, "talk");
  await logged(page, /^open done$/);
  await logged(page, /^messenger ready$/);
  await logged(page, /^attributes set$/);
  await logged(page, /^database has plan gold$/);
  await logged(page, /^opened$/);
  // The site's plugin read the attributes and answered its own registered command.
  await logged(page, /^plugin sees order A-1042$/);
  await logged(page, /^plugin answered: order A-1042 ships Monday$/);
  await connected(page);
  await page.locator("guest-chat .gc-panel").waitFor();

  // The agent's side speaks; the page's subscription hears it as an outbound message.
  const [session] = await sim.control("/control/genesys/sessions");
  await sim.control(`/control/genesys/sessions/${session.token}/agent-message`, { text: "Hello from Sam" });
  await logged(page, /^message Outbound: Hello from Sam$/);

  // sendMessage: the visitor's message, with Database.set's attributes on it.
  await press(page, "ask");
  await logged(page, /^sent$/);
  await logged(page, /^message Inbound: Where is my order\?$/);
  const sent = await receivedBySimulator(page, "Where is my order?");
  assert.deepEqual(sent.channel.metadata.customAttributes, { plan: "gold", orderId: "A-1042" });
  await page.locator("guest-chat .gc-guest").filter({ hasText: "Where is my order?" }).waitFor();

  // Launcher.hide and .show, callback and promise forms.
  const launcher = page.locator("guest-chat .gc-launcher");
  await press(page, "hide");
  await logged(page, /^launcher hidden$/);
  await launcher.waitFor({ state: "hidden" });
  await press(page, "show");
  await logged(page, /^launcher shown$/);
  await launcher.waitFor({ state: "visible" });

  // Messenger.close, callback form, and its event.
  await press(page, "done");
  await logged(page, /^close done$/);
  await logged(page, /^closed$/);
  await page.locator("guest-chat .gc-panel").waitFor({ state: "hidden" });

  // Toaster.open: a prompt above the launcher, its text as text; declining it, then
  // accepting it, which this page answers by opening the chat.
  const toast = page.locator("guest-chat .gc-toast");
  await press(page, "offer");
  await logged(page, /^offer shown$/);
  await toast.waitFor();
  assert.equal(await toast.locator(".gc-toast-body").textContent(), "<b>We are online</b> until 6 pm.");
  assert.equal(await toast.locator("b").count(), 0);
  await toast.getByRole("button", { name: "No thanks" }).click();
  await logged(page, /^offer declined$/);
  await toast.waitFor({ state: "hidden" });
  await press(page, "offer");
  await toast.getByRole("button", { name: "Chat now" }).click();
  await logged(page, /^offer accepted$/);
  await page.locator("guest-chat .gc-panel").waitFor();
  await toast.waitFor({ state: "hidden" });

  // Misspelt commands are refused with a reason naming them, never thrown.
  await press(page, "typo");
  await logged(page, /^misspelt command refused: .*Messenger\.opne/);
  await logged(page, /^second misspelt command refused: .*MessagingService\.sendMesage/);
  assert.ok(!(await page.evaluate(() => window.pageLog.includes("misspelt command done"))));
  assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  await context.close();
});

test("Messenger's calls of a kind or shape it lacks are refused with a reason", async () => {
  const { page, context, problems } = await openPage(browser, sim, "/host/messenger.html");
  await press(page, "talk");
  await logged(page, /^open done$/);
  const answers = await page.evaluate(async () => {
    const reason = (promise) => promise.then(() => "resolved", (err) => err.message);
    return {
      noAttributes: await reason(Genesys("command", "Database.set", { customAttributes: { a: 1 } })),
      badName: await reason(Genesys("command", "Database.get", { name: "messaging.other" })),
      emptyMessage: await reason(Genesys("command", "MessagingService.sendMessage", {})),
      unknownPlugin: await reason(Genesys("command", "Journey.pageview", {})),
      emptyToast: await reason(Genesys("command", "Toaster.open", { buttons: {} })),
      afterRemove: await Genesys("command", "Database.remove", { name: "messaging.customAttributes.plan" }).then(() =>
        Genesys("command", "Database.get", { name: "messaging.customAttributes" }),
      ),
      // Neither callback nor promise used: nothing reaches the page as an error.
      ignored: (Genesys("command", "Nope.never"), "ok"),
      unknownKind: (Genesys("unsubscribe", "Messenger.opened"), "ok"),
    };
  });
  assert.match(answers.noAttributes, /Database\.set: options must be/);
  assert.match(answers.badName, /Database\.get: options\.name must be/);
  assert.match(answers.emptyMessage, /sendMessage: options must be \{message/);
  assert.match(answers.unknownPlugin, /Journey\.pageview: there is no command/);
  assert.match(answers.emptyToast, /Toaster\.open: options must give a title or a body/);
  assert.deepEqual(answers.afterRemove, { orderId: "A-1042" });
  await page.waitForTimeout(0);
  assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  await context.close();
});

/** The deployment's settings as an admin sets them, for the pages opened after. */
async function deploymentSays(settings) {
  await sim.control("/control/genesys/deployment-config", settings);
}

async function deploymentReset() {
  await fetch(sim.url + "/control/genesys/deployment-config", { method: "DELETE" });
}

const yellowGerman = {
  languages: ["de"],
  defaultLanguage: "de",
  messenger: {
    styles: { primaryColor: "#ffd500" },
    apps: { conversations: { conversationClear: { enabled: false } } },
  },
};

test("a deployment's colour, language and a feature switched off change the widget", async () => {
  await deploymentSays(yellowGerman);
  try {
    const { page, context } = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 } });
    // The loader's own launcher already wears the deployment's colour, with a dark icon.
    const early = page.locator("guest-chat .gc-early .gc-launcher");
    await early.waitFor();
    const look = (locator) => locator.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    const [earlyBackground, earlyIcon] = await look(early);
    assert.equal(earlyBackground, "rgb(255, 213, 0)");
    assert.match(earlyIcon, /^(rgb\(0, 0, 0\)|lch\(0 0 0\))$/, "a dark icon on yellow");
    await early.click();
    // The widget speaks the deployment's only language, to a visitor whose browser asks
    // for English.
    await page.locator("guest-chat .gc-status").filter({ hasText: /^Verbunden$/ }).waitFor();
    const launcher = page.locator("guest-chat .gc-root:not(.gc-early) .gc-launcher");
    const [background, text] = await look(launcher);
    assert.equal(background, "rgb(255, 213, 0)");
    assert.notEqual(text, "rgb(255, 255, 255)", "the icon reads on yellow");
    // Clearing the conversation is off: no menu offers it.
    assert.equal(await page.locator("guest-chat .gc-clear").count(), 0);
    await context.close();
  } finally {
    await deploymentReset();
  }
});

test("the tag's data- attributes override the deployment's colour, language and features", async () => {
  await deploymentSays(yellowGerman);
  try {
    const { page, context } = await openPage(browser, sim, "/host/genesys.html", {
      viewport: { width: 900, height: 760 },
      rewrite: (html) => html.replace("data-guest-name", 'data-accent="#0a7d3b" data-locale="en" data-clear-conversation="on" data-guest-name'),
    });
    const early = page.locator("guest-chat .gc-early .gc-launcher");
    await early.waitFor();
    assert.equal(await early.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(10, 125, 59)");
    await early.click();
    await connected(page);
    assert.equal(await page.locator("guest-chat .gc-launcher").evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(10, 125, 59)");
    await page.locator("guest-chat .gc-clear").waitFor({ state: "attached" });
    await context.close();
  } finally {
    await deploymentReset();
  }
});

test("a launcher the deployment switched off is not drawn, and the page still opens the chat", async () => {
  await deploymentSays({ messenger: { launcherButton: { visibility: "Off" } } });
  try {
    const { page, context } = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 } });
    await page.waitForFunction(() => document.querySelector("guest-chat")?.hasAttribute("data-launcher-hidden"));
    await page.locator("guest-chat .gc-launcher").waitFor({ state: "hidden" });
    await page.evaluate(() => GuestChat.open());
    await connected(page);
    await page.locator("guest-chat .gc-panel").waitFor();
    assert.equal(await page.locator("guest-chat .gc-launcher").isVisible(), false);
    await context.close();
  } finally {
    await deploymentReset();
  }
});

test("a config.json the widget cannot read leaves its defaults, says so, and the chat works", async () => {
  await deploymentSays({ messenger: { enabled: "yes" } });
  try {
    const { page, context } = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 } });
    const warnings = [];
    page.on("console", (msg) => msg.type() === "warning" && warnings.push(msg.text()));
    await page.locator("guest-chat .gc-launcher").click();
    await connected(page);
    assert.ok(warnings.some((w) => /config\.json is not a configuration/.test(w)), warnings.join("\n"));
    await context.close();
  } finally {
    await deploymentReset();
  }
});
