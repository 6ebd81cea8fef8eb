// The README's pictures of a formatted bot message with its times and a day separator,
// in the light and dark themes: `node screenshots.mjs` (after `trunk build --release`).
import { join } from "node:path";
import { startSimulator, launchBrowser, openPage, root, genesysAgentFrame } from "./support.mjs";

const sim = await startSimulator(["--agent", "none"]);
const browser = await launchBrowser();

const frame = (text, at) => genesysAgentFrame(text, at, { nickname: "Ava", origin: "Bot" });

try {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: 520, height: 760 }, colorScheme: scheme, locale: "en-US", timezoneId: "Europe/London" });
    const { page } = await openPage(browser, sim, "/host/genesys.html", { context });
    await page.locator(".gc-launcher").click();
    await page.waitForFunction(() => document.querySelector("guest-chat")?.shadowRoot?.querySelector(".gc-input:not([disabled])"));
    const [session] = await sim.control("/control/genesys/sessions");
    const push = (text, at) => sim.control(`/control/genesys/sessions/${session.token}/push`, frame(text, at));
    const now = Date.now();
    await push("Hello! I can help with **orders**, *returns* and `gift cards`.", now - 26 * 3600 * 1000);
    await push(
      [
        "Your order **#10482** is *on its way*:",
        "1. Packed on Monday",
        "2. ~~Waiting for the courier~~ Picked up",
        "3. Arriving **tomorrow**",
        "",
        "Track it at [our courier's page](https://track.example/10482), or reply *help*.",
      ].join("\n"),
      now - 60_000,
    );
    await page.locator(".gc-agent strong").filter({ hasText: "tomorrow" }).waitFor();
    await page.waitForTimeout(300); // the panel's opening animation
    await page.screenshot({ path: join(root, "docs", `screenshot-markdown-${scheme}.png`) });
    await context.close();
  }
} finally {
  await browser.close();
  await sim.stop();
}
