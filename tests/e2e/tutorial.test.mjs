// The simulator as the backend of a page written from the tutorial alone
// (tutorial-client.html): a whole chat, typing that clears, an abrupt drop, the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator, launchBrowser } from "./support.mjs";

const pageHtml = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "tutorial-client.html"), "utf8");
// Another origin than the simulator's, as a developer's own page would be.
const pageOrigin = "http://tutorial-page.test";
const backoffMs = 100;
let sim;
let browser;

before(async () => {
  sim = await startSimulator(["--agent", "scripted", "--queue-ms", "200", "--typing-ms", "300"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

async function openTutorialPage(name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logged = [];
  page.on("console", (msg) => logged.push(msg.text()));
  await page.route(`${pageOrigin}/**`, (route) => route.fulfill({ contentType: "text/html", body: pageHtml }));
  const query = new URLSearchParams({
    api: sim.url,
    ws: sim.url.replace("http", "ws"),
    token: "dev-access-token",
    org: "gen-local-simulator",
    name,
    backoff_ms: String(backoffMs),
  });
  await page.goto(`${pageOrigin}/?${query}`);
  return { page, context, logged };
}

async function sessionOf(name) {
  const list = await sim.control(`/control/sessions?guest_name=${encodeURIComponent(name)}`);
  assert.equal(list.length, 1, `one session for ${name}`);
  return sim.control(`/control/sessions/${list[0].id}`);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the simulator's view of the session until `check` holds (5 s at most). */
async function waitForSession(name, check, what) {
  for (let i = 0; i < 250; i++) {
    const session = await sessionOf(name);
    if (check(session)) return session;
    await pause(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const say = async (page, text) => {
  await page.locator("#text:not([disabled])").fill(text);
  await page.locator("#text").press("Enter");
};

test("a page that follows the tutorial chats with the scripted agent, reconnects and ends", async () => {
  const name = `Reader-${Date.now()}`;
  const { page, context, logged } = await openTutorialPage(name);
  const status = page.locator("#status");
  await status.filter({ hasText: /^Connected$/ }).waitFor();
  await page.locator(".system").filter({ hasText: "You are in the queue." }).waitFor();
  await page.locator(".system").filter({ hasText: "Connected to an agent." }).waitFor();
  await page.locator(".agent").filter({ hasText: `Hi ${name}` }).waitFor();

  // The scripted agent types, then answers; the page clears typing on agent_not_typing alone.
  await say(page, "Where is my parcel?");
  await page.locator(".user").filter({ hasText: "Where is my parcel?" }).waitFor();
  await page.locator("#typing").waitFor();
  await page.locator(".agent").filter({ hasText: "Where is my parcel?" }).waitFor();
  assert.equal(await page.locator("#typing").count(), 0, "typing cleared before the reply");

  const { id } = await sessionOf(name);
  // Receipts come without ids, and the page ignores them as the tutorial says it may.
  const frames = await page.evaluate(() => window.seen.frames);
  const receipts = frames.filter((f) => f.type === "guest_message_delivered");
  assert.equal(receipts.length, 1);
  assert.equal("client_message_id" in receipts[0], false, "no id the page did not send");
  assert.ok(logged.includes("Unhandled message type: guest_message_delivered"));

  // An abrupt drop: the page reconnects with the same token, routing comes again, the chat goes on.
  await sim.control(`/control/sessions/${id}/drop`, "");
  await waitForSession(name, (s) => s.connected && s.connections_total === 2, "the reconnection");
  await status.filter({ hasText: /^Connected$/ }).waitFor();
  await page.locator(".system").filter({ hasText: "Connected to an agent." }).nth(1).waitFor();
  assert.deepEqual(await page.evaluate(() => window.seen.closes), [1006]);
  await say(page, "Thanks!");
  await page.locator(".agent").filter({ hasText: "Thanks!" }).waitFor();

  // A person at the console (the scripted agent steps back): typing, then a message.
  await sim.control(`/control/sessions/${id}/typing`, { typing: true });
  await page.locator("#typing").waitFor();
  await sim.control(`/control/sessions/${id}/agent-message`, { text: "It left the warehouse today." });
  await page.locator(".agent").filter({ hasText: "It left the warehouse today." }).waitFor();
  assert.equal(await page.locator("#typing").count(), 0, "typing cleared by the console's message");

  // Everything the page sent is the tutorial's message frame, nothing of ours.
  const sent = (await sim.control(`/control/sessions/${id}/received`)).map((raw) => JSON.parse(raw));
  assert.deepEqual(sent, [
    { type: "message", session_id: id, text: "Where is my parcel?" },
    { type: "message", session_id: id, text: "Thanks!" },
  ]);
  const transcript = (await sessionOf(name)).transcript.filter((l) => l.from === "guest").map((l) => l.text);
  assert.deepEqual(transcript, ["Where is my parcel?", "Thanks!"]);

  // The agent ends the chat: close 1000, and the page does not come back.
  await sim.control(`/control/sessions/${id}/end`, {});
  await status.filter({ hasText: /^Disconnected$/ }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.seen.closes), [1006, 1000]);
  // Proves that nothing happens: five first backoff delays pass without a reconnection.
  await page.waitForTimeout(5 * backoffMs);
  const ended = await sessionOf(name);
  assert.equal(ended.connections_total, 2);
  assert.equal(ended.connected, false);
  assert.equal(await page.locator("#typing").count(), 0);
  await context.close();
});
