// Shared by the end-to-end tests and the benchmarks: a simulator on a free port serving
// the release build, and headless Chromium.
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dist = process.env.DIST ?? join(root, "dist");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the simulator serving dist/ on a free port (or `port`); `stop()` ends it. */
export async function startSimulator(extraArgs = [], { port: fixedPort = 0 } = {}) {
  const bin = join(root, "target", "debug", "guest-chat-simulator");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: cargo build -p guest-chat-simulator`);
  if (!existsSync(join(dist, "index.html"))) throw new Error("dist/ is missing: trunk build --release");
  const dir = mkdtempSync(join(tmpdir(), "gc-e2e-"));
  const portFile = join(dir, "port");
  const child = spawn(
    bin,
    ["--port", String(fixedPort), "--port-file", portFile, "--dist", dist, "--control", ...extraArgs],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  // The file is written once the socket listens, but may be seen before its text is.
  const readPort = () => (existsSync(portFile) ? readFileSync(portFile, "utf8").trim() : "");
  for (let i = 0; i < 200 && !readPort(); i++) await sleep(25);
  const port = readPort();
  if (!port) {
    child.kill();
    throw new Error("the simulator did not start");
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async stop() {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
    async control(path, body) {
      const res = await fetch(url + path, body === undefined ? {} : {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Pages served through page.route have no address space of their own, so Chromium
      // would treat their connections to 127.0.0.1 as public-to-local.
      "--disable-features=LocalNetworkAccessChecks",
    ],
  });
}

/**
 * Opens a page of the release build (dist/), pointed at this simulator: the pages are
 * configured for :8787, so the test rewrites that one address in flight (and applies
 * `rewrite` to the HTML, if given).
 */
export async function openPage(browser, sim, path, { viewport = { width: 520, height: 760 }, colorScheme, reducedMotion, rewrite, context } = {}) {
  context = context ?? (await browser.newContext({ viewport, colorScheme, reducedMotion }));
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
  });
  const host = new URL(sim.url).host;
  await page.route((url) => url.origin === sim.url && (url.pathname === "/" || url.pathname.endsWith(".html")), async (route) => {
    const response = await route.fetch();
    let body = (await response.text()).replaceAll("127.0.0.1:8787", host);
    if (rewrite) body = rewrite(body);
    await route.fulfill({ response, body });
  });
  await page.goto(`${sim.url}${path}`);
  return { page, context, problems };
}

/** The release build's own index.html: the inline widget. */
export async function openWidgetPage(browser, sim, options = {}) {
  return openPage(browser, sim, "/", options);
}

/** Serves `file` to every page of `context` with its last byte changed, as a tampered
 * copy on a CDN would be. */
export async function serveTampered(context, file) {
  await context.route((url) => url.pathname === `/${file}`, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 1] ^= 1;
    await route.fulfill({ response, body });
  });
}

/** Waits (5 s at most) until the browser has logged that `file` failed its integrity check. */
export async function refusedForIntegrity(problems, file) {
  const refused = () => problems.some((p) => /integrity/i.test(p) && p.includes(file));
  for (let i = 0; i < 250 && !refused(); i++) await sleep(20);
  return refused();
}

/** Signs `subject` in at the simulator's provider, as a site's page would: the code it
 * sends back, with its redirect URI and PKCE verifier. */
const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

export async function codeFor(sim, redirectUri, subject = "user-ada") {
  const codeVerifier = base64url(randomBytes(32));
  const challenge = base64url(createHash("sha256").update(codeVerifier).digest());
  const answer = await fetch(`${sim.url}/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ subject, redirect_uri: redirectUri, code_challenge: challenge, state: "s" }),
  });
  if (answer.status !== 303) throw new Error(`the provider answered ${answer.status}`);
  const code = new URL(answer.headers.get("location")).searchParams.get("code");
  return { code, redirectUri, codeVerifier };
}

/** An agent's (or a bot's) text as Genesys Cloud pushes it, timed `at` by the service,
 * for `/control/genesys/sessions/{token}/push`. */
export function genesysAgentFrame(text, at, { nickname = "Ana", origin = "Human" } = {}) {
  return JSON.stringify({
    type: "message",
    class: "StructuredMessage",
    code: 200,
    body: {
      text,
      type: "Text",
      direction: "Outbound",
      id: randomUUID(),
      channel: { time: new Date(at).toISOString(), type: "Private", from: { nickname }, to: {} },
      content: [],
      originatingEntity: origin,
    },
  });
}
