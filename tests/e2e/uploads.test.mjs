// A visitor's files in Genesys Cloud mode, against the simulator's presigned uploads:
// picked, pasted or dropped; checked before uploading; stored, refused, broken off or
// removed; and what was typed is never lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, launchBrowser, openPage } from "./support.mjs";

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

// The smallest PNG: one transparent pixel.
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** The chat open and connected; its session's token at the simulator. */
async function openChat() {
  const { page, context } = await openPage(browser, sim, "/host/genesys.html", { viewport: { width: 900, height: 760 } });
  // Every line the announcer says, in order.
  await page.addInitScript(() => {
    window.__said = [];
  });
  const launcher = page.locator(".gc-launcher");
  await launcher.waitFor();
  if ((await launcher.getAttribute("aria-expanded")) !== "true") await launcher.click();
  await page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  await page.evaluate(() => {
    const announcer = document.querySelector("guest-chat").shadowRoot.querySelector(".gc-announcer");
    window.__said = [];
    new MutationObserver(() => window.__said.push(announcer.textContent)).observe(announcer, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  const [session] = await sim.control("/control/genesys/sessions");
  return { page, context, token: session.token };
}

const received = async (token, action) =>
  (await sim.control(`/control/genesys/sessions/${token}`)).received
    .map((raw) => JSON.parse(raw))
    .filter((r) => r.action === action);

const attached = (page) => page.locator(".gc-attached");
const pick = (page, name, mimeType, buffer) => page.locator(".gc-file-picker").setInputFiles({ name, mimeType, buffer });
const said = (page) => page.evaluate(() => window.__said.join(" | "));

test("a picked image uploads with a progress bar and goes with the message", async () => {
  const { page, context, token } = await openChat();
  // The progress bar shows while the bytes travel: the upload is held until it was seen.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/uploads/**", async (route) => {
    await held;
    await route.continue();
  });
  await pick(page, "cat.png", "image/png", PIXEL);
  await attached(page).locator(".gc-progress").waitFor();
  assert.match(await attached(page).innerText(), /Uploading cat\.png/);
  assert.equal(await page.locator(".gc-send").isDisabled(), true, "a message waits for its file");
  release();
  await attached(page).filter({ hasText: "cat.png is ready to send." }).waitFor();
  assert.equal(await attached(page).locator(".gc-progress").count(), 0);
  // The upload carried the address's header and the file's type.
  const [asked] = await received(token, "onAttachment");
  assert.deepEqual(
    { fileName: asked.fileName, fileType: asked.fileType, fileSize: asked.fileSize },
    { fileName: "cat.png", fileType: "image/png", fileSize: PIXEL.length },
  );
  await page.locator(".gc-input").fill("my cat");
  await page.locator(".gc-input").press("Enter");
  const sent = page.locator('.gc-guest[data-delivery="delivered"]').filter({ hasText: "my cat" });
  await sent.waitFor();
  const image = sent.locator(".gc-image img");
  assert.equal(await image.getAttribute("alt"), "cat.png");
  assert.equal(await attached(page).count(), 0);
  // The server holds the message with the stored file, and serves its bytes.
  const history = (await sim.control(`/control/genesys/sessions/${token}`)).history;
  const withFile = history.find((m) => m.text === "my cat");
  const attachment = withFile.content[0].attachment;
  assert.equal(attachment.filename, "cat.png");
  const bytes = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
  assert.deepEqual(bytes, PIXEL);
  assert.match(await said(page), /Uploading cat\.png… \| .*cat\.png is ready to send\./);
  await context.close();
});

test("a file too large or of a blocked kind is explained and never uploaded", async () => {
  const { page, context, token } = await openChat();
  await pick(page, "huge.png", "image/png", Buffer.alloc(10240 * 1024 + 1));
  await attached(page).filter({ hasText: "huge.png is too large to send. Files can be up to 10.0 MB." }).waitFor();
  assert.match(await said(page), /huge\.png is too large to send/);
  await pick(page, "invoice.bat", "application/pdf", Buffer.from("@echo off"));
  await attached(page).filter({ hasText: "invoice.bat cannot be sent: files of this kind are blocked here." }).waitFor();
  await pick(page, "notes.txt", "text/plain", Buffer.from("notes"));
  await attached(page).filter({ hasText: "notes.txt cannot be sent: this chat does not take files of its type." }).waitFor();
  assert.deepEqual(await received(token, "onAttachment"), []);
  // Dismissed, and the chat goes on.
  await attached(page).locator(".gc-remove-file").click();
  await page.locator(".gc-input").fill("no file then");
  await page.locator(".gc-input").press("Enter");
  await page.locator('.gc-guest[data-delivery="delivered"]').filter({ hasText: "no file then" }).waitFor();
  await context.close();
});

test("an upload the server refuses, or one that breaks off, loses nothing typed", async () => {
  const { page, context, token } = await openChat();
  await page.locator(".gc-input").fill("the receipt, please check");
  await sim.control("/control/genesys/uploads", { enabled: false });
  try {
    await pick(page, "receipt.pdf", "application/pdf", Buffer.from("%PDF-1.4 receipt"));
    await attached(page).filter({ hasText: "receipt.pdf did not pass the chat service's checks and was not sent." }).waitFor();
  } finally {
    await sim.control("/control/genesys/uploads", { enabled: true });
  }
  assert.equal(await page.locator(".gc-input").inputValue(), "the receipt, please check");
  // The network fails mid-upload.
  await page.route("**/uploads/**", (route) => route.abort("connectionreset"));
  await pick(page, "receipt.pdf", "application/pdf", Buffer.from("%PDF-1.4 receipt"));
  await attached(page).filter({ hasText: "The upload of receipt.pdf broke off. Check your connection, then attach it again." }).waitFor();
  await page.unroute("**/uploads/**");
  // Attached again, it goes with the words typed before.
  await pick(page, "receipt.pdf", "application/pdf", Buffer.from("%PDF-1.4 receipt"));
  await attached(page).filter({ hasText: "receipt.pdf is ready to send." }).waitFor();
  assert.equal(await page.locator(".gc-input").inputValue(), "the receipt, please check");
  await page.locator(".gc-send").click();
  const sent = page.locator('.gc-guest[data-delivery="delivered"]').filter({ hasText: "the receipt, please check" });
  await sent.locator(".gc-file").filter({ hasText: "receipt.pdf" }).waitFor();
  const messages = (await received(token, "onMessage")).filter((r) => r.message.type === "Text");
  assert.equal(messages.length, 1);
  assert.equal(messages[0].message.content[0].contentType, "Attachment");
  await context.close();
});

test("a removed file is withdrawn from the server; pasted and dropped images attach", async () => {
  const { page, context, token } = await openChat();
  await pick(page, "wrong.png", "image/png", PIXEL);
  await attached(page).filter({ hasText: "wrong.png is ready to send." }).waitFor();
  await attached(page).getByRole("button", { name: "Remove wrong.png" }).click();
  assert.equal(await attached(page).count(), 0);
  for (let i = 0; i < 50 && (await received(token, "deleteAttachment")).length === 0; i++) await page.waitForTimeout(20);
  const [deleted] = await received(token, "deleteAttachment");
  const [asked] = await received(token, "onAttachment");
  assert.equal(deleted.attachmentId, asked.attachmentId);

  // A screenshot pasted into the composer.
  await page.locator(".gc-input").focus();
  await page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], "screenshot.png", { type: "image/png" }));
    const input = document.querySelector("guest-chat").shadowRoot.querySelector(".gc-input");
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, [...PIXEL]);
  await attached(page).filter({ hasText: "screenshot.png is ready to send." }).waitFor();

  // A photo dropped on the chat replaces it.
  await page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], "photo.png", { type: "image/png" }));
    const panel = document.querySelector("guest-chat").shadowRoot.querySelector(".gc");
    panel.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
    panel.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [...PIXEL]);
  await attached(page).filter({ hasText: "photo.png is ready to send." }).waitFor();
  await page.locator(".gc-send").click();
  await page.locator('.gc-guest[data-delivery="delivered"] .gc-image img[alt="photo.png"]').waitFor();
  await context.close();
});

test("the attach button is a named button where files are taken, and absent where not", async () => {
  const { page, context } = await openChat();
  const attach = page.getByRole("button", { name: "Attach a file" });
  // A real button: it takes the keyboard's focus, and pressing it opens the file chooser.
  await attach.focus();
  assert.equal(await page.evaluate(() => document.querySelector("guest-chat").shadowRoot.activeElement?.className), "gc-attach");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), attach.click()]);
  await chooser.setFiles({ name: "chosen.png", mimeType: "image/png", buffer: PIXEL });
  await attached(page).filter({ hasText: "chosen.png is ready to send." }).waitFor();
  await context.close();

  // The tutorial's protocol has no uploads.
  const tutorial = await openPage(browser, sim, "/host/plain.html", { viewport: { width: 900, height: 760 } });
  await tutorial.page.locator(".gc-launcher").click();
  await tutorial.page.locator(".gc-status").filter({ hasText: /^Connected$/ }).waitFor();
  assert.equal(await tutorial.page.locator(".gc-attach").isHidden(), true);
  await tutorial.context.close();
});
