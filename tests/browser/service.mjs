// The collection service end to end in Debian's chromium, as its people
// use it, and every page it shows checked on the way: axe-core (WCAG 2.0,
// 2.1 and 2.2 A and AA), reflow at 320 CSS px, no <script>, no request to
// any other origin. Run by tests/service/browser.rs, which starts the
// service and mints the sign-in links.
//
//   node service.mjs BASE ADMIN_LINK SUBMITTER_LINK SIGNER_LINK BAD_FILE GOOD_FILE CODE SUBMITTER_LINK_2 [SHOTS_DIR]
//
// Prints one JSON line a page checked and one for the journey; exits 1 on
// any problem.
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const [base, adminLink, submitterLink, signerLink, badFile, goodFile, code, submitterLink2, shots] = process.argv.slice(2);
if (!submitterLink2) {
  console.error("usage: node service.mjs BASE ADMIN SUBMITTER SIGNER BAD GOOD CODE [SHOTS]");
  process.exit(2);
}
if (shots) mkdirSync(shots, { recursive: true });

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
const fail = (what) => {
  failed = true;
  console.log(JSON.stringify({ step: what, ok: false }));
};
const expect = (cond, what) => {
  if (!cond) fail(what);
};
let shot = 0;

async function person() {
  // bypassCSP: the service forbids every script, so axe could not run
  // otherwise; the policy itself is checked by tests/service/flows.rs.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, bypassCSP: true });
  const foreign = [];
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(base)) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.foreign = foreign;
  return { context, page };
}

// Checks the page as it is now.
async function check(page, name) {
  await page.waitForLoadState("load");
  const scripts = await page.evaluate(() => document.scripts.length);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 720 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  // What sticks out, to say so when something does.
  const wide = overflow <= 0 ? [] : await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px: ${(e.textContent || "").slice(0, 40)}`),
  );
  if (shots) await page.screenshot({ path: `${shots}/${String(++shot).padStart(2, "0")}-${name}-320.png`, fullPage: true });
  await page.setViewportSize(size);
  if (shots) await page.screenshot({ path: `${shots}/${String(shot).padStart(2, "0")}-${name}.png`, fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS,
  );
  // The axe script was added by this check: reload nothing, but it is not
  // the page's own (counted before it was added).
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
  const ok = violations.length === 0 && overflow <= 0 && scripts === 0 && page.foreign.length === 0;
  if (!ok) failed = true;
  console.log(JSON.stringify({ page: name, url: page.url(), ok, violations, overflow, wide, scripts, foreign: page.foreign }));
}

try {
  // Anyone: the start page, sign-in, its error, a dead link, a missing page.
  {
    const { context, page } = await person();
    await page.goto(base + "/");
    await check(page, "start");
    await page.getByRole("button", { name: /Start now/ }).click();
    await check(page, "sign-in");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    expect(await page.getByText("There is a problem").isVisible(), "the sign-in error summary");
    await check(page, "sign-in-error");
    await page.getByLabel("Email address").fill("someone@example.org");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await check(page, "check-your-email");
    await page.goto(base + "/sign-in/" + "0".repeat(64));
    await check(page, "dead-link");
    await page.goto(base + "/nowhere");
    await check(page, "not-found");
    // The footer's pages, reached by their links.
    for (const [link, name] of [
      ["Help and contact", "help"],
      ["Accessibility statement", "accessibility"],
      ["Privacy notice", "privacy"],
      ["Cookies", "cookies"],
    ]) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await check(page, name);
    }
    await context.close();
  }

  // The council's submitter: invitation link, a bad return, a good one.
  {
    const { context, page } = await person();
    await page.goto(submitterLink);
    await check(page, "confirm-sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(page.url() === base + "/council", "signed in to the council's page");
    await check(page, "tasks");
    await page.getByRole("link", { name: "Upload your return" }).click();
    await check(page, "upload");
    await page.getByRole("button", { name: "Upload and check" }).click();
    expect(await page.getByText("Select your return file").first().isVisible(), "no file chosen");
    await check(page, "upload-error");
    await page.getByLabel("Your return file").setInputFiles(badFile);
    await page.getByRole("button", { name: "Upload and check" }).click();
    expect(/\/council\/versions\/1$/.test(page.url()), "the bad return is version 1");
    expect(await page.getByRole("heading", { name: /to fix/ }).first().isVisible(), "its problems");
    await check(page, "problems");
    const csv = await page.request.get(base + "/council/versions/1/problems.csv");
    expect(csv.ok() && (await csv.text()).startsWith("severity,file,place"), "the problems as CSV");
    await page.getByRole("button", { name: "Upload a corrected return" }).click();
    await page.getByLabel("Your return file").setInputFiles(goodFile);
    await page.getByRole("button", { name: "Upload and check" }).click();
    expect(/\/council\/versions\/2$/.test(page.url()), "the good return is version 2");
    expect(await page.getByRole("heading", { name: "Your figures" }).isVisible(), "its own figures at once");
    expect(await page.getByRole("heading", { name: /What changed since/ }).count() === 0, "no earlier clean version");
    await check(page, "figures");
    // The return is last year's figures unchanged: a query to answer.
    expect(await page.getByRole("heading", { name: "Queries (1)" }).isVisible(), "a query");
    await page.getByRole("button", { name: "Save the answers" }).click();
    expect(await page.getByText("Write an answer to at least one query").first().isVisible(), "an answer is required");
    await check(page, "query-error");
    await page.getByLabel(/the same as your/).fill("Our staff did not change: the same teams as last year.");
    await page.getByRole("button", { name: "Save the answers" }).click();
    await check(page, "query-answered");
    await page.getByRole("link", { name: "Back to your return" }).click();
    await check(page, "tasks-clean");
    await context.close();
  }

  // The senior officer signs off.
  {
    const { context, page } = await person();
    await page.goto(signerLink);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Sign off your return" }).click();
    await check(page, "sign-off");
    await page.getByLabel("Your full name").fill("Dr Jo Bloggs");
    await page.getByRole("button", { name: "Sign off and submit" }).click();
    expect(await page.getByText("Confirm that the return is complete and correct").first().isVisible(), "the declaration is required");
    await check(page, "sign-off-error");
    await page.getByLabel("Your full name").fill("Dr Jo Bloggs");
    await page.getByLabel(/I confirm/).check();
    await page.getByRole("button", { name: "Sign off and submit" }).click();
    expect(await page.getByRole("heading", { name: "Return signed off" }).isVisible(), "the confirmation panel");
    await check(page, "signed-off");
    await page.getByRole("link", { name: "Back to your return" }).click();
    expect(await page.getByText("Submitted.").isVisible(), "the task list says submitted");
    await context.close();
  }

  // The national team sees it signed off and exports it.
  {
    const { context, page } = await person();
    await page.goto(adminLink);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(page.url() === base + "/admin", "the team's page");
    const row = page.getByRole("row").filter({ hasText: code });
    expect((await row.textContent()).includes("Signed off"), "the council is signed off");
    await check(page, "admin");
    // The dashboard filtered, by its own form.
    await page.getByLabel("Status").selectOption("signed_off");
    await page.getByRole("button", { name: "Apply filters" }).click();
    expect((await page.getByText(/Showing 1 of/).count()) === 1, "one council signed off");
    await check(page, "admin-filtered");
    await page.getByRole("link", { name: code }).or(row.getByRole("link")).first().click();
    await check(page, "admin-council");
    // The team reads the signed-off version as the council saw it.
    await page.getByRole("link", { name: "Version 2", exact: true }).click();
    await check(page, "admin-version");
    await page.getByRole("link", { name: /Back to Redcar/ }).click();
    await page.getByRole("button", { name: "Reopen the return" }).click();
    expect(await page.getByText("There is a problem").isVisible(), "a reason is required");
    await check(page, "admin-reopen-error");
    await page.getByRole("link", { name: "Invite a person" }).first().click();
    await check(page, "invite");
    await page.getByRole("link", { name: "invite them from a list" }).click();
    await check(page, "invite-list");
    await page.getByRole("button", { name: "Check the list and invite" }).click();
    expect(await page.getByText("nobody was invited").isVisible(), "an empty list is refused");
    await check(page, "invite-list-error");
    await page.getByRole("link", { name: "Invite a person" }).first().click();
    await page.getByRole("button", { name: "Invite and make a sign-in link" }).click();
    await check(page, "invite-error");
    await page.getByLabel("Email address").fill("new.person@example.org");
    await page.getByLabel(/Submit their council/).check();
    await page.getByLabel("Council", { exact: true }).selectOption(code);
    await page.getByRole("button", { name: "Invite and make a sign-in link" }).click();
    expect((await page.getByLabel("Sign-in link").inputValue()).startsWith(base + "/sign-in/"), "the link is shown");
    await check(page, "invited");
    // Revoking asks first; Cancel leaves the person as they were.
    await page.goto(base + "/admin/councils/" + code);
    await page.getByRole("link", { name: /Revoke new\.person@example\.org/ }).click();
    await check(page, "revoke-confirm");
    await page.getByRole("link", { name: "Cancel" }).click();
    expect(page.url() === base + "/admin/councils/" + code, "cancel goes back to the council");
    // Reminders to the councils not signed off, by email.
    await page.getByRole("link", { name: "Councils", exact: true }).click();
    await page.getByRole("button", { name: /Email a reminder/ }).click();
    await check(page, "reminders-sent");
    await page.getByRole("link", { name: "Audit log" }).click();
    await check(page, "audit");
    const zip = await page.request.get(base + "/admin/export.zip");
    const body = Buffer.from(await zip.body());
    const good = readFileSync(goodFile);
    // A stored zip entry holds the file's bytes as they are.
    expect(zip.ok() && body.indexOf(good) > 0, "the export holds the uploaded bytes");
    expect(body.includes(Buffer.from(`returns/`)), "the export is the returns folder");

    // The release: run on the signed-off returns, checked privately, published.
    await page.getByRole("link", { name: "Releases" }).click();
    await check(page, "releases");
    // One council of 153: not without saying so.
    await page.getByRole("button", { name: "Run the release on the signed-off returns" }).click();
    expect(await page.getByText("There is a problem").isVisible(), "few councils need a confirmation");
    await check(page, "releases-error");
    await page.getByLabel(/all the same/).check();
    await page.getByRole("button", { name: "Run the release on the signed-off returns" }).click();
    for (let i = 0; i < 600 && !(await page.getByText("Ready to check").count()); i++) {
      expect(!(await page.getByText("Failed").count()), "the release run failed");
      await page.waitForTimeout(250);
      await page.reload();
    }
    expect(await page.getByText("Ready to check").count(), "the release is ready");
    await check(page, "release");
    {
      const anon = await person();
      await anon.page.goto(page.url().replace(/\/admin\/releases\/.*/, "/admin/releases/1/files/public/index.html"));
      expect(anon.page.url() === base + "/sign-in", "the private release needs the team");
      const before = await anon.page.goto(base + "/releases/2025/index.html");
      expect(before.status() === 404, "not public before publication");
      await anon.context.close();
    }
    await page.getByRole("link", { name: "public/index.html" }).click();
    expect(page.url().endsWith("/files/public/index.html") && (await page.content()).includes("2025"), "the release's index page, privately");
    await page.goBack();
    await page.getByLabel(/This release has been checked/).check();
    await page.getByRole("button", { name: "Publish the release" }).click();
    expect(await page.getByText("Published on").count(), "published");
    await check(page, "release-published");
    await context.close();
  }

  // Anyone: the published release, without signing in.
  {
    const { context, page } = await person();
    const r = await page.goto(base + "/releases/2025/index.html");
    expect(r.status() === 200, "the published index is public");
    await context.close();
  }

  // The council: its report, its action plan, its report with the plan.
  {
    const { context, page } = await person();
    await page.goto(submitterLink2);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("heading", { name: "Your published report" }).isVisible(), "the council's report");
    await check(page, "tasks-published");
    // Its figures now beside its public report's, its region's and England's.
    await page.goto(base + "/council/versions/2");
    expect(await page.getByRole("columnheader", { name: "In your public report" }).isVisible(), "the public report's figures");
    await check(page, "figures-published");
    await page.goto(base + "/council");
    await page.getByRole("link", { name: "Add your action plan" }).click();
    await check(page, "plan");
    await page.getByRole("button", { name: "Add the action and make my report" }).click();
    expect(await page.getByText("There is a problem").isVisible(), "the plan form's error summary");
    await check(page, "plan-error");
    const text = "Mentoring: every minoritised social worker offered a mentor";
    await page.getByLabel("Action", { exact: true }).fill(text);
    await page.getByLabel("Owner").fill("Principal Social Worker");
    await page.getByLabel("Measure of success").fill("CPD relative likelihood within the band");
    await page.getByLabel("Indicator it answers").selectOption("5");
    // A date as a council writes it, 31/09: refused as a date, with every
    // value kept.
    await page.getByLabel("Day").fill("31");
    await page.getByLabel("Month").fill("9");
    await page.getByLabel("Year").fill("2026");
    await page.getByLabel("Status").selectOption("in progress");
    await page.getByRole("button", { name: "Add the action and make my report" }).click();
    expect(await page.getByText("The due date must be a real date").first().isVisible(), "the date is checked");
    expect((await page.getByLabel("Action", { exact: true }).inputValue()) === text, "the action is kept");
    await check(page, "plan-date-error");
    await page.getByLabel("Day").fill("30");
    await page.getByRole("button", { name: "Add the action and make my report" }).click();
    expect(await page.getByText("Your report has been made with it.").isVisible(), "the report with the plan");
    await check(page, "plan-made");
    // Its actions are listed; one is changed (its status), then the
    // removal asks first.
    await page.getByRole("link", { name: /Change action 1/ }).click();
    await check(page, "plan-change");
    await page.getByLabel("Status").selectOption("done");
    await page.getByRole("button", { name: "Save the change and make my report" }).click();
    expect(await page.getByRole("cell", { name: "done", exact: true }).isVisible(), "the status changed");
    await page.getByRole("link", { name: /Remove action 1/ }).click();
    await check(page, "plan-remove-confirm");
    await page.getByRole("link", { name: "Cancel" }).click();
    const html = page.getByRole("link", { name: /\.html$/ }).first();
    await html.click();
    expect((await page.content()).includes("Mentoring: every minoritised social worker"), "the plan is in the regenerated report");
    await context.close();
  }
} catch (e) {
  fail(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ journey: "done", ok: !failed }));
process.exit(failed ? 1 : 0);
