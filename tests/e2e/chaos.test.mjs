// Exactly-once delivery under real faults: the guest and the agent each send N messages
// while the simulator drops the connection at random (abruptly and with close codes) and
// the page reloads halfway. Afterwards both sides must hold every message once, in order.
// CHAOS_MESSAGES sets N (default 40; `scripts/bench.sh chaos` runs 300).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, launchBrowser, openPage, openWidgetPage, codeFor } from "./support.mjs";

const N = Number(process.env.CHAOS_MESSAGES ?? 40);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
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

test(`chaos: ${N} guest and ${N} agent messages survive drops and a reload`, { timeout: 600_000 }, async () => {
  // Quick reconnects keep the run short; the backoff itself is tested elsewhere.
  const fastReconnect = (html) => html.replace('id="guest-chat"', 'id="guest-chat" data-reconnect-base-ms="100" data-reconnect-attempts="50" data-heartbeat-ms="2000"');
  const { page } = await openWidgetPage(browser, sim, { rewrite: fastReconnect });
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  const [session] = await sim.control("/control/sessions");
  const api = `/control/sessions/${session.id}`;

  let drops = 0;
  let chaos = true;
    const kinds = [null, null, 1011, 4500, 1001, 1012];
  const dropOnce = async () => {
    const code = kinds[Math.floor(Math.random() * kinds.length)];
    const res = await sim.control(`${api}/drop`, code === null ? "" : { code, reason: "chaos" });
    if (res.dropped) drops++;
  };
  const monkey = (async () => {
    // The first drop comes early, so even a short run has one.
    await sleep(250);
    while (chaos) {
      await dropOnce();
      await sleep(400 + Math.random() * 1200);
    }
  })();

  let reloads = 0;
  const guest = (async () => {
    for (let i = 0; i < N; i++) {
      if (i === Math.floor(N / 2)) {
        await page.reload();
        reloads++;
      }
      const input = page.locator(".gc-input:not([disabled])");
      await input.fill(`g${i}`);
      await input.press("Enter");
      await sleep(Math.random() * 40);
    }
  })();
  const agent = (async () => {
    for (let i = 0; i < N; i++) {
      await sim.control(`${api}/agent-message`, { text: `a${i}` });
      await sleep(Math.random() * 40);
    }
  })();
    await Promise.all([guest, agent]);
  chaos = false;
  await monkey;
  // A drop that found the page reloading did not count; make sure one did.
  for (let i = 0; i < 40 && drops === 0; i++) {
    await dropOnce();
    await sleep(100);
  }

  const expectGuest = Array.from({ length: N }, (_, i) => `g${i}`);
  const expectAgent = Array.from({ length: N }, (_, i) => `a${i}`);
  const widgetTexts = async (selector) => page.locator(selector).allTextContents();
  const deadline = Date.now() + 60_000;
  let guestSeen = [];
  let agentSeen = [];
  let delivered = 0;
  while (Date.now() < deadline) {
    guestSeen = await widgetTexts(".gc-guest .gc-text");
    agentSeen = await widgetTexts(".gc-agent .gc-text");
    delivered = await page.locator('.gc-guest[data-delivery="delivered"]').count();
    if (guestSeen.length >= N && agentSeen.length >= N && delivered === guestSeen.length) break;
    await sleep(200);
  }
  const server = await sim.control(api);
  const serverGuest = server.transcript.filter((l) => l.from === "guest").map((l) => l.text);

  const count = (list, expected) => ({
    lost: expected.filter((t) => !list.includes(t)).length,
    duplicated: list.length - new Set(list).size,
  });
  const atServer = count(serverGuest, expectGuest);
  const inWidget = count(agentSeen, expectAgent);
  console.log(
    `chaos: ${N} guest + ${N} agent messages, ${drops} drops, ${reloads} reload; ` +
      `guest→server lost ${atServer.lost} duplicated ${atServer.duplicated}; ` +
      `agent→widget lost ${inWidget.lost} duplicated ${inWidget.duplicated}; ` +
      `delivered marks ${delivered}/${guestSeen.length}`,
  );
  assert.ok(drops >= 1, "the monkey dropped the connection at least once");
  assert.deepEqual(serverGuest, expectGuest, "the server holds every guest message once, in order");
  assert.deepEqual(agentSeen, expectAgent, "the widget holds every agent message once, in order");
  assert.deepEqual(guestSeen, expectGuest, "the widget shows every guest message once, in order");
  assert.equal(delivered, N, "every guest message is marked delivered");
});

// Signed in, the visitor's JWT lives eight seconds and every other drop also ends every
// JWT the service holds: renewals and reconfigurations happen mid-burst.
for (const signedIn of [false, true]) {
test(`chaos in Genesys Cloud mode${signedIn ? ", signed in" : ""}: ${N} guest and ${N} agent messages survive drops, reordering and a reload`, { timeout: 900_000 }, async () => {
  const fastReconnect = (html) =>
    html.replace("data-deployment-id=", 'data-reconnect-base-ms="100" data-reconnect-attempts="50" data-heartbeat-ms="2000" data-deployment-id=');
  if (signedIn) await sim.control("/control/genesys/auth", { jwtSeconds: 8 });
  // The simulator keeps the sessions of the runs before this one.
  const earlier = (await sim.control("/control/genesys/sessions")).length;
  const { page, context } = await openPage(browser, sim, "/host/genesys.html", { rewrite: fastReconnect });
  if (signedIn) {
    const redirectUri = `${new URL(page.url()).origin}/signed-in`;
    await page.evaluate((code) => GuestChat.signIn(code), await codeFor(sim, redirectUri, "user-ada"));
  }
  await page.locator(".gc-launcher").click();
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  const sessions = await sim.control("/control/genesys/sessions");
  assert.equal(sessions.length, earlier + 1);
  const api = `/control/genesys/sessions/${signedIn ? "auth:user-ada" : sessions.at(-1).token}`;

  let drops = 0;
  let expiries = 0;
  let chaos = true;
  const monkey = (async () => {
    await sleep(250);
    while (chaos) {
      if (signedIn && drops % 2 === 0) {
        await sim.control("/control/genesys/auth/expire", {});
        expiries++;
      }
      await sim.control(`${api}/drop`, "");
      drops++;
      await sleep(400 + Math.random() * 1200);
    }
  })();

  let reloads = 0;
  const guest = (async () => {
    for (let i = 0; i < N; i++) {
      if (i === Math.floor(N / 2)) {
        await page.reload();
        reloads++;
      }
      const input = page.locator(".gc-input:not([disabled])");
      await input.fill(`g${i}`);
      await input.press("Enter");
      await sleep(Math.random() * 40);
    }
  })();
  // Agent messages come one by one and, every fifth time, as a batch delivered newest
  // first: the widget must place them by their time.
  let reordered = 0;
  const agent = (async () => {
    for (let i = 0; i < N; ) {
      if (i % 5 === 4 && i + 3 <= N) {
        await sim.control(`${api}/deliver-reversed`, { texts: [`a${i}`, `a${i + 1}`, `a${i + 2}`] });
        reordered++;
        i += 3;
      } else {
        await sim.control(`${api}/agent-message`, { text: `a${i}` });
        i++;
      }
      await sleep(Math.random() * 40);
    }
  })();
  await Promise.all([guest, agent]);
  chaos = false;
  await monkey;

  const expectGuest = Array.from({ length: N }, (_, i) => `g${i}`);
  const expectAgent = Array.from({ length: N }, (_, i) => `a${i}`);
  const widgetTexts = async (selector) => page.locator(selector).allTextContents();
  // Two messages a second: the outbox alone takes N / 2 seconds.
  const deadline = Date.now() + 60_000 + N * 600;
  let guestSeen = [];
  let agentSeen = [];
  let delivered = 0;
  while (Date.now() < deadline) {
    guestSeen = await widgetTexts(".gc-guest .gc-text");
    agentSeen = await widgetTexts(".gc-agent .gc-text");
    delivered = await page.locator('.gc-guest[data-delivery="delivered"]').count();
    if (guestSeen.length >= N && agentSeen.length >= N && delivered === guestSeen.length) break;
    await sleep(200);
  }
  const server = await sim.control(api);
  const serverGuest = server.history
    .filter((m) => m.direction === "Inbound" && m.type === "Text")
    .map((m) => m.text);
  const count = (list, expected) => ({
    lost: expected.filter((t) => !list.includes(t)).length,
    duplicated: list.length - new Set(list).size,
  });
  const atServer = count(serverGuest, expectGuest);
  const inWidget = count(agentSeen, expectAgent);
  console.log(
    `chaos (Genesys Cloud${signedIn ? `, signed in, ${expiries} JWT expiries` : ""}): ${N} guest + ${N} agent messages, ${drops} drops, ${reordered} reversed batches, ${reloads} reload; ` +
      `guest→server lost ${atServer.lost} duplicated ${atServer.duplicated}; ` +
      `agent→widget lost ${inWidget.lost} duplicated ${inWidget.duplicated}; ` +
      `delivered marks ${delivered}/${guestSeen.length}`,
  );
  assert.ok(drops >= 1);
  assert.deepEqual(serverGuest, expectGuest, "the server holds every guest message once, in order");
  assert.deepEqual(agentSeen, expectAgent, "the widget holds every agent message once, in time order");
  assert.deepEqual(guestSeen, expectGuest, "the widget shows every guest message once, in order");
  assert.equal(delivered, N, "every guest message is marked delivered");
  if (signedIn) {
    assert.ok(expiries >= 1, "the JWT ended at least once mid-chat");
    assert.equal(await page.locator(".gc-chunk").getByText("Your sign-in has expired").count(), 0);
    assert.equal((await sim.control("/control/genesys/sessions")).length, earlier + 1, "no anonymous session began");
    await sim.control("/control/genesys/auth", {});
    await context.close();
  }
});
}

// Tabs come and go while both sides write: every seventh message a new tab opens and
// the oldest closes, the leader among them, and the connection drops at random.
for (const mode of [
  {
    name: "the tutorial's Guest API",
    path: "/",
    async session() {
      const [s] = await sim.control("/control/sessions");
      return `/control/sessions/${s.id}`;
    },
    guestTexts: (server) => server.transcript.filter((l) => l.from === "guest").map((l) => l.text),
    open: async () => {},
    drop: (api) => sim.control(`${api}/drop`, ""),
  },
  {
    name: "Genesys Cloud",
    path: "/host/genesys.html",
    async session() {
      const [s] = await sim.control("/control/genesys/sessions");
      return `/control/genesys/sessions/${s.token}`;
    },
    guestTexts: (server) =>
      server.history.filter((m) => m.direction === "Inbound" && m.type === "Text").map((m) => m.text),
    open: async (page) => {
      // Opened through the page's API, which opens (never toggles) once the widget is
      // there: a tab restoring an open panel may take over from the loader's launcher
      // between a look at it and a click.
      await page.locator(".gc-launcher").waitFor();
      await page.evaluate(() => window.GuestChat.open());
    },
    drop: (api) => sim.control(`${api}/drop`, ""),
  },
]) {
  test(`chaos across tabs (${mode.name}): ${N} guest and ${N} agent messages while tabs open and close`, { timeout: 900_000 }, async () => {
    const fast = (html) =>
      html
        .replace('id="guest-chat"', 'id="guest-chat" data-reconnect-base-ms="100" data-reconnect-attempts="50" data-heartbeat-ms="2000"')
        .replace("data-deployment-id=", 'data-reconnect-base-ms="100" data-reconnect-attempts="50" data-heartbeat-ms="2000" data-deployment-id=');
    const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    const tabs = [];
    const openTab = async () => {
      const { page } = await openPage(browser, sim, mode.path, { context, rewrite: fast });
      await mode.open(page);
      await page.locator(".gc-input:not([disabled])").waitFor();
      tabs.push(page);
    };
    await openTab();
    await tabs[0].locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
    const api = await mode.session();

    let drops = 0;
    let chaos = true;
    const monkey = (async () => {
      await sleep(300);
      while (chaos) {
        await mode.drop(api).then(() => drops++, () => {});
        await sleep(600 + Math.random() * 1500);
      }
    })();
    let opened = 0;
    let closed = 0;
    const guest = (async () => {
      for (let i = 0; i < N; i++) {
        if (i % 7 === 3) {
          await openTab();
          opened++;
          if (tabs.length > 2) {
            await tabs.shift().close();
            closed++;
          }
        }
        const input = tabs[tabs.length - 1].locator(".gc-input:not([disabled])");
        await input.fill(`g${i}`);
        await input.press("Enter");
        await sleep(Math.random() * 60);
      }
    })();
    const agent = (async () => {
      for (let i = 0; i < N; i++) {
        await sim.control(`${api}/agent-message`, { text: `a${i}` });
        await sleep(Math.random() * 60);
      }
    })();
    await Promise.all([guest, agent]);
    chaos = false;
    await monkey;

    const expectGuest = Array.from({ length: N }, (_, i) => `g${i}`);
    const expectAgent = Array.from({ length: N }, (_, i) => `a${i}`);
    const page = tabs[tabs.length - 1];
    const deadline = Date.now() + 60_000 + N * 600;
    let guestSeen = [];
    let agentSeen = [];
    let delivered = 0;
    while (Date.now() < deadline) {
      guestSeen = await page.locator(".gc-guest .gc-text").allTextContents();
      agentSeen = await page.locator(".gc-agent .gc-text").allTextContents();
      delivered = await page.locator('.gc-guest[data-delivery="delivered"]').count();
      if (guestSeen.length >= N && agentSeen.length >= N && delivered === guestSeen.length) break;
      await sleep(200);
    }
    const serverGuest = mode.guestTexts(await sim.control(api));
    const count = (list, expected) => ({
      lost: expected.filter((t) => !list.includes(t)).length,
      duplicated: list.length - new Set(list).size,
    });
    const atServer = count(serverGuest, expectGuest);
    const inWidget = count(agentSeen, expectAgent);
    console.log(
      `chaos across tabs (${mode.name}): ${N} guest + ${N} agent messages, ${opened} tabs opened, ${closed} closed, ${drops} drops; ` +
        `guest→server lost ${atServer.lost} duplicated ${atServer.duplicated}; ` +
        `agent→widget lost ${inWidget.lost} duplicated ${inWidget.duplicated}; delivered marks ${delivered}/${guestSeen.length}`,
    );
    assert.deepEqual(serverGuest, expectGuest, "the server holds every guest message once, in order");
    assert.deepEqual(agentSeen, expectAgent, "the last tab holds every agent message once, in order");
    assert.deepEqual(guestSeen, expectGuest, "the last tab shows every guest message once, in order");
    assert.equal(delivered, N);
    await context.close();
  });
}
