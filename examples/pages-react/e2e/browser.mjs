// Loads the app in headless Chromium and prints what it rendered as JSON:
// node e2e/browser.mjs <url> [chromium path]. The Go end-to-end test
// (internal/server/pages_test.go) runs it against zerostack.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "zs-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const response = await page.goto(url, { waitUntil: "load", timeout: 30000 });
  await page.waitForSelector("#todos li, #error", { timeout: 30000 });
  const result = await page.evaluate(() => ({
    title: document.title,
    route: document.querySelector("#route")?.textContent ?? null,
    error: document.querySelector("#error")?.textContent ?? null,
    todos: [...document.querySelectorAll("#todos li")].map((li) => li.textContent),
  }));
  console.log(JSON.stringify({ status: response.status(), errors, ...result }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
