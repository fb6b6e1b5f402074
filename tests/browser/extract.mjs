// A council with only a browser, from its HR exports to a signed-off
// return (tests/service/browser.rs starts the service with the extraction
// module and mints the links):
//
//   node extract.mjs BASE SUBMITTER_LINK SUBMITTER_LINK_2 SIGNER_LINK RECORDS_DIR BAD_STAFF OUT_DIR [SHOTS_DIR]
//
// - the page without JavaScript says what it needs and points to the
//   workbook;
// - with the service's real Content Security Policy (no bypass), the demo
//   records are counted in the page, offline; every request the page makes is
//   recorded, and none while counting; the return is downloaded (written to
//   OUT_DIR/return.csv for the test to compare with `scwres extract`) and
//   uploaded in one step; no request carries a person id, a salary or an
//   ethnicity value from the files;
// - a staff file with problems lists each with its file, line and column;
// - every state of the page passes axe-core and reflows at 320 px;
// - the senior officer signs the return off.
// Prints one JSON line a check; exits 1 on any problem.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const [base, submitterLink, submitterLink2, signerLink, records, badStaff, out, shots] = process.argv.slice(2);
if (!out) {
  console.error("usage: node extract.mjs BASE SUBMITTER SUBMITTER_2 SIGNER RECORDS_DIR BAD_STAFF OUT_DIR [SHOTS]");
  process.exit(2);
}
if (shots) mkdirSync(shots, { recursive: true });
const SLOTS = ["staff", "leavers", "events", "recruitment", "survey"];

const browser = await chromium.launch({
  executablePath: process.env.SCWRES_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

let failed = false;
const fail = (what) => { failed = true; console.log(JSON.stringify({ step: what, ok: false })); };
const expect = (cond, what) => { if (!cond) fail(what); };
let shot = 0;

// What the files hold that must never leave the browser: every person id,
// every salary of five digits or more, every ethnicity value.
const secrets = new Set();
for (const slot of SLOTS) {
  const lines = readFileSync(`${records}/${slot}.csv`, "utf8").split(/\r?\n/).slice(1);
  for (const line of lines) {
    for (const m of line.matchAll(/P\d{7}/g)) secrets.add(m[0]);
    for (const m of line.matchAll(/"([^"]*:[^"]*)"|(White: [^,]*)/g)) secrets.add(m[1] || m[2]);
    if (slot === "staff") {
      const salary = line.match(/,(\d{5,6}),/);
      if (salary) secrets.add(salary[1]);
    }
  }
}

async function person(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const requests = [];
  context.on("request", (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
  const page = await context.newPage();
  return { context, page, requests };
}

// axe-core is evaluated through the browser's debugging protocol, which
// the page's policy does not govern: the page keeps its real policy.
async function check(page, name, scripts) {
  await page.waitForLoadState("load");
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 720 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (shots) await page.screenshot({ path: `${shots}/${String(++shot).padStart(2, "0")}-${name}-320.png`, fullPage: true });
  await page.setViewportSize(size);
  if (shots) await page.screenshot({ path: `${shots}/${String(shot).padStart(2, "0")}-${name}.png`, fullPage: true });
  const own = await page.evaluate(() => [...document.scripts].map((s) => s.getAttribute("src")));
  await page.evaluate(axeSource);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS,
  );
  const violations = result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  const scriptsOk = JSON.stringify(own) === JSON.stringify(scripts);
  const ok = violations.length === 0 && overflow <= 0 && scriptsOk;
  if (!ok) failed = true;
  console.log(JSON.stringify({ page: name, url: page.url(), ok, violations, overflow, scripts: own }));
}

async function signIn(page, link) {
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in" }).click();
}

try {
  // Without JavaScript: what the page needs, and the workbook instead.
  {
    const { context, page } = await person({ javaScriptEnabled: false });
    await signIn(page, submitterLink2);
    await page.goto(base + "/council/extract");
    const text = await page.locator("body").textContent();
    expect(await page.getByText("Counting in your browser needs JavaScript").isVisible(), "no-JS: says what it needs: " + page.url() + " " + text.slice(0, 300));
    expect(await page.getByRole("link", { name: "download your return workbook" }).isVisible(), "no-JS: the workbook");
    expect(!(await page.locator("#extract-form").isVisible()), "no-JS: no form that cannot work");
    await context.close();
  }

  const { context, page, requests } = await person();
  await signIn(page, submitterLink);
  expect(page.url() === base + "/council", "signed in");
  const wasm = page.waitForResponse((r) => r.url().endsWith("/assets/extract.wasm"));
  await page.getByRole("link", { name: "make your return from its records" }).click();
  expect(page.url() === base + "/council/extract", "the page is linked from the task list");
  expect((await wasm).ok(), "the module is served");
  await check(page, "extract", ["/assets/extract.js"]);

  // Nothing chosen: the staff file is asked for.
  await page.getByRole("button", { name: "Count my records" }).click();
  expect(await page.getByText("Choose your staff file").isVisible(), "the staff file is needed");
  await check(page, "extract-no-staff", ["/assets/extract.js"]);

  // A staff file with problems: each with its file, line and column.
  await page.getByLabel("Staff in post").setInputFiles(badStaff);
  await page.getByRole("button", { name: "Count my records" }).click();
  await page.getByRole("heading", { name: /There is a problem with your files/ }).waitFor();
  const cells = await page.locator("#extract-results td").allTextContents();
  expect(cells.includes("line 3, column salary"), "a problem's line and column: " + cells.slice(0, 10).join(" | "));
  expect(cells.some((c) => c.endsWith("staff.csv")), "a problem's file");
  expect(!(await page.locator("#extract-upload").isVisible()), "no upload with errors");
  await check(page, "extract-problems", ["/assets/extract.js"]);

  // The demo records: counted here, with no request while counting.
  for (const slot of SLOTS) {
    await page.locator("#" + slot).setInputFiles(`${records}/${slot}.csv`);
  }
  // Offline once the page is loaded (and its module ready): the counting
  // needs no connection.
  await page.locator('#extract-form[data-ready="yes"]').waitFor({ state: "attached" });
  await context.setOffline(true);
  const before = requests.length;
  await page.getByRole("button", { name: "Count my records" }).click();
  await page.getByRole("heading", { name: "Your return is ready" }).waitFor();
  await context.setOffline(false);
  expect(requests.length === before, "no request while counting: " + JSON.stringify(requests.slice(before).map((r) => r.url)));
  const timing = await page.locator("#extract-status").textContent();
  expect(await page.locator("#extract-bar").evaluate((b) => b.value) === 100, "the progress bar reached the end");
  console.log(JSON.stringify({ step: "counted", status: timing }));
  await check(page, "extract-ready", ["/assets/extract.js"]);
  const figures = await page.locator("#extract-results td").allTextContents();
  expect(figures.includes("Staff in post") && figures.includes("Adults") && figures.includes("Less than £30,000"),
    "the figures in words: " + figures.slice(0, 12).join(" | "));
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the return (CSV)" }).click(),
  ]);
  const csv = readFileSync(await download.path());
  writeFileSync(`${out}/return.csv`, csv);
  const [xlsx] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download as the return workbook (.xlsx)" }).click(),
  ]);
  writeFileSync(`${out}/return.xlsx`, readFileSync(await xlsx.path()));
  expect(page.url() === base + "/council/extract", "the workbook is a download: the page stays");

  // One step to the task list: the return, and only the return, goes.
  await page.getByRole("button", { name: "Upload this return to your task list" }).click();
  await page.waitForURL(/\/council\/versions\/\d+$/);
  expect(await page.getByRole("heading", { name: "Your figures" }).isVisible(), "the uploaded return's figures");
  const sent = requests.slice(before).filter((r) => r.method !== "GET").map((r) => r.url);
  expect(JSON.stringify(sent) === JSON.stringify([base + "/council/extract/workbook", base + "/council/upload"]),
    "the workbook asked for and one upload: " + JSON.stringify(sent));
  for (const r of requests) {
    // Random tokens (the form's CSRF token, the multipart boundary) and the
    // service's own address (its port is chosen by the system) are left
    // out: a run of their digits could match a salary by chance.
    const text = (r.url.split(base).join("") + (r.body ? r.body.toString("latin1") : ""))
      .replace(/-*WebKitFormBoundary[0-9A-Za-z]+/g, "")
      .replace(/[0-9a-fA-F]{16,}/g, "");
    // Form bodies decoded (a salary would be `%2C60000%2C`); a number is
    // a salary only standing alone (E06000003 holds no salary of 60000).
    let plain = text;
    try { plain = decodeURIComponent(text.replace(/\+/g, " ")); } catch { /* not a form */ }
    const leaked = [...secrets].filter((s) => /^\d+$/.test(s)
      ? new RegExp(`(^|[^0-9A-Za-z])${s}($|[^0-9])`).test(plain)
      : plain.includes(s) || text.includes(s));
    expect(leaked.length === 0, `${r.method} ${r.url} carries ${leaked.slice(0, 3).join(", ")} in ${text.slice(0, 400)}`);
  }
  expect(secrets.size > 100, "the records' values were collected: " + secrets.size);
  // Queries on unusual figures are answered before sign-off.
  const answers = page.getByRole("textbox");
  if (await answers.count()) {
    for (const box of await answers.all()) await box.fill("Counted from our HR system's records for the year.");
    await page.getByRole("button", { name: "Save the answers" }).click();
  }
  await context.close();

  // The senior officer signs it off.
  {
    const { context, page } = await person();
    await signIn(page, signerLink);
    await page.getByRole("link", { name: "Sign off your return" }).click();
    await page.getByLabel("Your full name").fill("Dr Jo Bloggs");
    await page.getByLabel(/I confirm/).check();
    await page.getByRole("button", { name: "Sign off and submit" }).click();
    expect(await page.getByRole("heading", { name: "Return signed off" }).isVisible(), "signed off");
    await context.close();
  }
} catch (e) {
  fail(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ journey: "extract", ok: !failed }));
process.exit(failed ? 1 : 0);
