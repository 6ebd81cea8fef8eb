// The npm package of the built widget, from its tarball: installed into a site of its
// own (another origin than the chat service), a chat through it, and its TypeScript
// declarations checked by the compiler.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, dirname } from "node:path";
import { createRequire } from "node:module";
import { startSimulator, launchBrowser, root } from "./support.mjs";

const require = createRequire(import.meta.url);
let sim;
let browser;
let site;
let manifest;

before(async () => {
  sim = await startSimulator(["--agent", "scripted", "--queue-ms", "100", "--typing-ms", "50"]);
  browser = await launchBrowser();
  const tarball = execFileSync("node", [join(root, "scripts", "npm-package.mjs")], { encoding: "utf8" }).trim().split("\n").pop();
  site = mkdtempSync(join(tmpdir(), "gc-site-"));
  writeFileSync(join(site, "package.json"), JSON.stringify({ name: "a-shop", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: site, stdio: "pipe" });
  manifest = JSON.parse(readFileSync(join(site, "node_modules", "guest-chat-widget", "package.json"), "utf8"));
});

after(async () => {
  await browser?.close();
  await sim?.stop();
  if (site) rmSync(site, { recursive: true, force: true });
});

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves the site's folder at http://shop.test/. */
async function shopContext() {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
  await context.route("http://shop.test/**", (route) => {
    const path = join(site, new URL(route.request().url()).pathname);
    if (!existsSync(path)) return route.fulfill({ status: 404, body: "" });
    return route.fulfill({ status: 200, contentType: TYPES[extname(path)] ?? "application/octet-stream", body: readFileSync(path) });
  });
  return context;
}

test("the package carries the built files, its version from the crate, and its exports", () => {
  const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
  assert.equal(manifest.version, /\[package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(cargo)[1]);
  assert.equal(manifest.exports["."].default, "./guest-chat.js");
  assert.equal(manifest.exports["."].types, "./guest-chat.d.ts");
  const installed = join(site, "node_modules", "guest-chat-widget");
  for (const file of ["guest-chat.js", "guest-chat-app.js", "guest-chat-app_bg.wasm", "guest-chat.d.ts"]) {
    assert.deepEqual(readFileSync(join(installed, file)), readFileSync(join(file.endsWith(".d.ts") ? join(root, "npm") : join(root, "dist"), file)), file);
  }
});

// http://shop.test is not a secure origin: no crypto.randomUUID there.
test("a site that installed the package chats through it", async () => {
  const sim127 = new URL(sim.url);
  writeFileSync(
    join(site, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title></head><body>
      <h1>A shop</h1>
      <script src="/node_modules/guest-chat-widget/guest-chat.js"
        data-session-url="${sim.url}/guest-session" data-organization-id="gen-local-simulator"
        data-ws-base="ws://${sim127.host}" data-guest-name="Npm shopper" defer></script>
    </body></html>`,
  );
  const context = await shopContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto("http://shop.test/index.html");
  await page.locator(".gc-launcher").click();
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  await page.locator(".gc-input:not([disabled])").waitFor();
  await page.locator(".gc-input").fill("bought through npm");
  await page.locator(".gc-input").press("Enter");
  await page.locator(".gc-guest").filter({ hasText: "bought through npm" }).waitFor();
  // The scripted agent greets, then answers the message.
  await page.locator(".gc-agent").nth(1).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a site that bundles the loader says where the widget's files are", async () => {
  // What a bundler makes of `import "guest-chat-widget"`: the loader inside the site's own
  // script, so the files are found through data-assets.
  const loader = readFileSync(join(site, "node_modules", "guest-chat-widget", "guest-chat.js"), "utf8");
  writeFileSync(join(site, "bundle.js"), `// the site's own code\n${loader}\nwindow.siteReady = true;\n`);
  writeFileSync(
    join(site, "bundled.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title></head><body>
      <guest-chat data-assets="/node_modules/guest-chat-widget/" data-session-url="${sim.url}/guest-session"
        data-organization-id="gen-local-simulator" data-ws-base="ws://${new URL(sim.url).host}"
        data-guest-name="Bundled shopper" data-load="eager"></guest-chat>
      <script type="module" src="/bundle.js"></script>
    </body></html>`,
  );
  const context = await shopContext();
  const page = await context.newPage();
  await page.goto("http://shop.test/bundled.html");
  await page.locator(".gc-root:not(.gc-early) .gc-launcher").click();
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  await context.close();
});

test("the TypeScript declarations type the API, its events and the element", () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const check = (name, code) => {
    writeFileSync(join(site, name), code);
    try {
      execFileSync("node", [tsc, "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "bundler", "--module", "esnext", "--lib", "es2020,dom", name], {
        cwd: site,
        encoding: "utf8",
        stdio: "pipe",
      });
      return "";
    } catch (err) {
      return String(err.stdout);
    }
  };
  const good = `import type { GuestChatEvents, GuestChatAttributes } from "guest-chat-widget";
    window.GuestChat.open();
    window.GuestChat.send("hello");
    window.GuestChat.on("message", (m) => console.log(m.from.toUpperCase(), m.text));
    window.GuestChat.on("status", (s: GuestChatEvents["status"]) => s.status === "connected");
    const el = document.createElement("guest-chat");
    el.dataset.sessionUrl = "/guest-session";
    const attrs: GuestChatAttributes = { "data-load": "interaction", "data-theme": "dark" };
    console.log(attrs);
  `;
  assert.equal(check("good.ts", good), "");
  // A misspelt event and a wrong attribute value are refused.
  const wrong = check(
    "wrong.ts",
    `import type { GuestChatAttributes } from "guest-chat-widget";
     window.GuestChat.on("mesage", () => {});
     const attrs: GuestChatAttributes = { "data-load": "sometimes" };
     console.log(attrs);`,
  );
  assert.match(wrong, /"mesage"/);
  assert.match(wrong, /"sometimes"/);
});
