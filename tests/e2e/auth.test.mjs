// Signed-in visitors against the simulator's identity provider and Web Messaging token
// endpoints: a page hands the widget the provider's code, the visitor chats as
// themselves, the conversation follows them to a second browser, a JWT that runs out
// is renewed without a lost or doubled message, signing out leaves nothing kept, and
// each fault has its line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, launchBrowser, openPage, codeFor as signInAtProvider } from "./support.mjs";

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

const codeFor = (redirectUri, subject) => signInAtProvider(sim, redirectUri, subject);

/** A Genesys Cloud page whose page code records the widget's `auth` events. */
async function openShop(context) {
  const opened = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 }, context });
  await opened.page.evaluate(() => {
    window.authEvents = [];
    GuestChat.on("auth", (detail) => window.authEvents.push(detail));
  });
  return opened;
}

const line = (page, text) => page.locator("guest-chat .gc-chunk").getByText(text).first().waitFor();

async function signIn(page, code) {
  await page.evaluate((code) => GuestChat.signIn(code), code);
  await page.evaluate(() => GuestChat.open());
  await line(page, "You're signed in");
}

async function say(page, text) {
  await page.locator("guest-chat .gc-composer textarea").fill(text);
  await page.locator("guest-chat .gc-composer textarea").press("Enter");
}

/** Everything the page's storage holds, as one text. */
const stored = (page) =>
  page.evaluate(() => [localStorage, sessionStorage].flatMap((s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`)).join("\n"));

async function adaSession() {
  return sim.control("/control/genesys/sessions/auth:user-ada");
}

const guestTexts = (session) => session.history.filter((m) => m.direction === "Inbound" && m.text).map((m) => m.text);

test("a signed-in visitor chats as themselves, on a second browser too, and signs out leaving nothing", async () => {
  const { page, context, problems } = await openShop();
  const origin = new URL(page.url()).origin;
  const first = await codeFor(`${origin}/signed-in`);
  await signIn(page, first);
  await say(page, "where is my order?");
  for (let i = 0; i < 100 && !guestTexts(await adaSession().catch(() => ({ history: [] }))).includes("where is my order?"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // The agent console shows the verified identity.
  const listed = await sim.control("/agent/api/sessions");
  const ada = listed.find((s) => s.id === "auth:user-ada");
  assert.equal(ada?.verified, true, JSON.stringify(listed));
  assert.equal(ada.guest_name, "Ada Lovelace");
  assert.deepEqual(guestTexts(await adaSession()), ["where is my order?"]);
  // The page heard it, without a token.
  const events = await page.evaluate(() => window.authEvents);
  assert.equal(events[0].state, "signed-in");
  assert.ok(!JSON.stringify(events).includes(first.code));
  const keptJwt = /"jwt":"([^"]+)"/.exec(await stored(page))?.[1];
  assert.ok(keptJwt, "the tokens are kept with the conversation in the chosen storage");

  // A second browser profile, the same person: the same conversation and its history.
  const laptop = await openShop(await browser.newContext({ viewport: { width: 900, height: 760 } }));
  await signIn(laptop.page, await codeFor(`${origin}/signed-in`));
  await line(laptop.page, "where is my order?");
  await laptop.context.close();

  // Signing out revokes the tokens and keeps nothing of the signed-in conversation.
  await page.evaluate(() => GuestChat.signOut());
  await line(page, "You've signed out");
  await page.waitForFunction((jwt) => ![localStorage, sessionStorage].some((s) => Object.keys(s).some((k) => s.getItem(k).includes(jwt))), keptJwt);
  const after = await stored(page);
  assert.ok(!after.includes(keptJwt), "no JWT kept");
  assert.ok(!after.includes("refreshToken") && !/"auth":/.test(after), "no tokens kept");
  assert.ok(!after.includes("where is my order?"), `no transcript of the signed-in conversation kept: ${after}`);
  assert.equal((await page.evaluate(() => window.authEvents)).at(-1).state, "signed-out");
  const revoked = await fetch(`${sim.url}/api/v2/webdeployments/token/revoke`, { method: "DELETE", headers: { Authorization: `Bearer ${keptJwt}` } });
  assert.equal(revoked.status, 401, "the JWT was revoked");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a JWT that runs out mid-chat is renewed, and a dropped connection comes back signed in, nothing lost or doubled", async () => {
  await sim.control("/control/genesys/auth", { jwtSeconds: 8 });
  try {
    const { page, context } = await openShop();
    const origin = new URL(page.url()).origin;
    await signIn(page, await codeFor(`${origin}/signed-in`, "user-grace"));
    const jwtOf = async () => /"jwt":"([^"]+)"/.exec(await stored(page))?.[1];
    const firstJwt = await jwtOf();
    await say(page, "one");
    // Renewed before it ends (at half of its eight seconds).
    await page.waitForFunction(
      (old) => [localStorage, sessionStorage].some((s) => Object.keys(s).some((k) => { const v = s.getItem(k); return v.includes('"jwt":"') && !v.includes(old); })),
      firstJwt,
      { timeout: 15000 },
    );
    // Every JWT the service holds ends now; the connection drops and must configure again.
    await sim.control("/control/genesys/auth/expire", {});
    await sim.control("/control/genesys/sessions/auth:user-grace/drop", {});
    await say(page, "two");
    let texts = [];
    for (let i = 0; i < 200; i++) {
      texts = guestTexts(await sim.control("/control/genesys/sessions/auth:user-grace"));
      if (texts.includes("two")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(texts, ["one", "two"]);
    await line(page, "two");
    assert.equal(await page.locator("guest-chat .gc-chunk").getByText("Your sign-in has expired").count(), 0);
    await context.close();
  } finally {
    await sim.control("/control/genesys/auth", {});
  }
});

test("each sign-in fault shows its line and never an anonymous chat in its place", async () => {
  const cases = [
    { switches: { refuseExchange: true }, text: "Signing in didn't work", reason: "code-refused" },
    { switches: { unavailable: true }, text: "Signing in isn't possible right now", reason: "unavailable" },
  ];
  for (const { switches, text, reason } of cases) {
    await sim.control("/control/genesys/auth", switches);
    try {
      const { page, context } = await openShop();
      const origin = new URL(page.url()).origin;
      const before = (await sim.control("/control/genesys/sessions")).length;
      await page.evaluate((code) => GuestChat.signIn(code), await codeFor(`${origin}/signed-in`));
      await page.evaluate(() => GuestChat.open());
      await line(page, text);
      const events = await page.evaluate(() => window.authEvents);
      assert.deepEqual(events.map((e) => [e.state, e.reason]), [["error", reason]]);
      assert.equal((await sim.control("/control/genesys/sessions")).length, before, "no guest session began instead");
      await context.close();
    } finally {
      await sim.control("/control/genesys/auth", {});
    }
  }
  // A refresh token the service no longer takes: the visitor is told to sign in again.
  const { page, context } = await openShop();
  const origin = new URL(page.url()).origin;
  await signIn(page, await codeFor(`${origin}/signed-in`, "user-grace"));
  await sim.control("/control/genesys/auth", { refuseRefresh: true });
  try {
    await sim.control("/control/genesys/auth/expire", {});
    await sim.control("/control/genesys/sessions/auth:user-grace/drop", {});
    // What the visitor writes next finds the connection gone.
    await say(page, "still there?");
    await line(page, "Your sign-in has expired");
    assert.equal((await page.evaluate(() => window.authEvents)).at(-1).reason, "expired");
    assert.ok(!/"auth":/.test(await stored(page)), "the lapsed tokens are not kept");
  } finally {
    await sim.control("/control/genesys/auth", {});
  }
  await context.close();
});

/** The shop whose tag lets the widget sign in at the provider, here on another origin
 * (`localhost` for the page's `127.0.0.1`), as a real provider would be. */
async function openShopWithProvider(initScript) {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
  if (initScript) await context.addInitScript(initScript);
  const port = new URL(sim.url).port;
  return openPage(browser, sim, "/host/genesys.html", {
    context,
    rewrite: (body) =>
      body.replace(
        'data-guest-name="Shopper"',
        `data-auth-authorize-url="http://localhost:${port}/oauth/authorize" data-auth-client-id="shop-web" ` +
          `data-auth-redirect-uri="${sim.url}/host/signed-in.html"`,
      ),
  }).then(async (opened) => {
    await opened.page.evaluate(() => {
      window.authEvents = [];
      GuestChat.on("auth", (detail) => window.authEvents.push(detail));
      GuestChat.open();
    });
    return opened;
  });
}

async function chooseFromMenu(page, name) {
  await page.locator("guest-chat .gc-menu-toggle").click();
  await page.locator("guest-chat .gc-menu-items").getByRole("button", { name }).click();
}

test("the widget signs the visitor in at the provider in a window of its own, and out again", async () => {
  const { page, context, problems } = await openShopWithProvider();
  await page.locator("guest-chat .gc-menu-toggle").waitFor();
  const [popup] = await Promise.all([page.waitForEvent("popup"), chooseFromMenu(page, "Sign in")]);
  await popup.waitForLoadState();
  const asked = new URL(popup.url());
  assert.equal(asked.host, `localhost:${new URL(sim.url).port}`);
  assert.equal(asked.searchParams.get("client_id"), "shop-web");
  assert.equal(asked.searchParams.get("scope"), "openid profile email");
  assert.equal(asked.searchParams.get("code_challenge_method"), "S256");
  assert.match(asked.searchParams.get("code_challenge"), /^[\w-]{43}$/);
  assert.ok(asked.searchParams.get("state") && asked.searchParams.get("nonce"));
  await popup.getByRole("button", { name: /Ada Lovelace/ }).click();
  await popup.waitForEvent("close");
  await line(page, "You're signed in");
  await say(page, "signed in by the widget");
  let texts = [];
  for (let i = 0; i < 100 && !texts.includes("signed in by the widget"); i++) {
    texts = guestTexts(await adaSession().catch(() => ({ history: [] })));
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(texts.includes("signed in by the widget"), JSON.stringify(texts));
  const listed = await sim.control("/agent/api/sessions");
  assert.equal(listed.find((s) => s.id === "auth:user-ada")?.verified, true);
  // The menu offers the way out now.
  await chooseFromMenu(page, "Sign out");
  await line(page, "You've signed out");
  assert.deepEqual((await page.evaluate(() => window.authEvents)).map((e) => e.state), ["signed-in", "signed-out"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a declined sign-in and a blocked window each show their line, and the chat goes on", async () => {
  {
    const { page, context } = await openShopWithProvider();
    await page.locator("guest-chat .gc-menu-toggle").waitFor();
    const [popup] = await Promise.all([page.waitForEvent("popup"), chooseFromMenu(page, "Sign in")]);
    await popup.getByRole("button", { name: "Cancel" }).click();
    await popup.waitForEvent("close");
    await line(page, "Signing in didn't work");
    assert.deepEqual((await page.evaluate(() => window.authEvents)).map((e) => [e.state, e.reason]), [["error", "code-refused"]]);
    await context.close();
  }
  {
    // A pop-up blocker answers `window.open` with nothing.
    const { page, context } = await openShopWithProvider(() => { window.open = () => null; });
    await page.locator("guest-chat .gc-menu-toggle").waitFor();
    await chooseFromMenu(page, "Sign in");
    await line(page, "Your browser blocked the sign-in window");
    assert.deepEqual((await page.evaluate(() => window.authEvents)).map((e) => [e.state, e.reason]), [["error", "window-blocked"]]);
    // Still the guest's chat.
    await say(page, "still here as a guest");
    await line(page, "still here as a guest");
    assert.equal(await page.locator("guest-chat .gc-composer textarea").isEnabled(), true);
    await context.close();
  }
});
