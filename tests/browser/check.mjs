// Checks web pages in Debian's chromium (never a browser a tool downloads):
// axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules, every <details>
// opened; no <script> in the page; no request other than the page itself;
// no sideways scrolling at 320 CSS px (WCAG 1.4.10 reflow).
//
//   node check.mjs [--shots DIR] PAGE.html...
//
// Prints one JSON object a page and exits 1 if any page has a problem.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const args = process.argv.slice(2);
let shots = null;
if (args[0] === "--shots") {
  shots = resolve(args[1]);
  mkdirSync(shots, { recursive: true });
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error("usage: node check.mjs [--shots DIR] PAGE.html...");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.SCWRES_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

let failed = false;
try {
  // One browser tab for every page, each loaded afresh: a new context
  // (and renderer process) for each page cost about 3 CPU-s a page, most
  // of the check's time, for nothing a check reads (each page is a new
  // document; the window is set back to 1280 px after the reflow check).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  let url = null;
  let requests = [];
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  for (const file of args) {
    url = pathToFileURL(resolve(file)).href;
    requests = [];
    await page.goto(url, { waitUntil: "load" });
    const scripts = await page.evaluate(() => document.scripts.length);
    const stem = basename(file, ".html");
    if (shots) await page.screenshot({ path: `${shots}/${stem}-1280.png`, fullPage: true });
    // Every notice banner (synthetic data, internal version) spans the
    // whole width of the window.
    const notices = await page.evaluate(() =>
      [...document.querySelectorAll(".notice")].map((n) => ({
        text: n.textContent.trim(),
        width: n.getBoundingClientRect().width,
        window: document.documentElement.clientWidth,
      })),
    );
    const narrowNotices = notices.filter((n) => Math.abs(n.width - n.window) > 1);

    // Reflow: at 320 CSS px nothing may make the page scroll sideways.
    await page.setViewportSize({ width: 320, height: 720 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    if (shots) await page.screenshot({ path: `${shots}/${stem}-320.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS,
    );
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
    const ok =
      violations.length === 0 && requests.length === 0 && overflow <= 0 && scripts === 0 && narrowNotices.length === 0;
    if (!ok) failed = true;
    console.log(
      JSON.stringify({ page: file, ok, violations, requests, overflow, scripts, narrowNotices, notices: notices.length, passes: result.passes.length }),
    );
  }
  await context.close();
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
