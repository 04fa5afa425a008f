/**
 * The dashboard in real headless Chromium against a real `bosun serve`, pushes made with skopeo to a
 * real registry, jobs on Podman: signing in, a push showing up in the runs list without a reload, a
 * job's lines showing while it runs, a read-only token that sees every page and can do nothing, no
 * secret in anything the page fetched, no console error, and the page following the server again
 * after it restarts. Screenshots of the main views go to $BOSUN_ARTIFACTS/dashboard/ (else
 * test-artifacts/dashboard/ at the repository's root).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Page } from "playwright-core";
import { ARTIFACTS, startDashboardStack, type DashboardStack } from "./support/dashboard-stack.js";

const WEBHOOK_TOKEN = "dashboard-webhook-token";
const VIEW_TOKEN = "dashboard-view-token-0123456789";
const SECRET = "s3cret-value-never-shown-4711";

// The job prints a line, waits, prints more: the first line must be on the page while it still runs.
const SCRIPT = `
const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  console.log("script saw " + e.image.tag);
  const job = new Job("slow-printer", e.image.ref, [
    "echo first-line",
    "printf '\\\\033[31mred-line\\\\033[0m\\\\n'",
    "echo key=$API_KEY",
    "sleep 8",
    "echo second-line",
  ]);
  job.env = { API_KEY: p.secrets.API_KEY };
  await job.run();
});
`;

describe("dashboard: in Chromium against bosun serve, a real registry and Podman", function () {
  this.timeout(240_000);
  let stack: DashboardStack;
  let admin: Page;
  // Short names for what the tests use most.
  let bosun: DashboardStack["bosun"];
  let registry: DashboardStack["registry"];
  let adminToken = "";
  let consoleErrors: string[];
  let bodies: string[];
  let requestUrls: string[];
  const watchedPage = (name: string) => stack.watchedPage(name);
  const signIn = (page: Page, token: string) => stack.signIn(page, token);

  before(async () => {
    stack = await startDashboardStack({
      project: "dash",
      webhookToken: WEBHOOK_TOKEN,
      readOnlyTokens: [VIEW_TOKEN],
      config: [
        "projects:",
        "  - name: dash",
        "    script: ./brigade.js",
        `    webhookToken: ${WEBHOOK_TOKEN}`,
        `    secrets: { API_KEY: "${SECRET}" }`,
        "    subscriptions: [{ registry: distribution }]",
      ],
      files: { "brigade.js": SCRIPT },
    });
    ({ bosun, registry, adminToken, consoleErrors, bodies, requestUrls } = stack);
    admin = await watchedPage("admin");
  });

  after(() => stack?.stop());

  it("signs in with the admin token, kept in sessionStorage only", async () => {
    await signIn(admin, adminToken);
    expect(await admin.textContent("#who")).to.contain("admin");
    expect(await admin.evaluate(() => sessionStorage.getItem("bosun.token"))).to.equal(adminToken);
    expect(await admin.evaluate(() => localStorage.length)).to.equal(0);
  });

  it("shows a push in the runs list without a reload", async () => {
    await admin.waitForSelector("#live.on");
    await registry.push("team/app", "v1");
    await admin.waitForSelector("tr[data-run]", { timeout: 60_000 });
    const row = await admin.textContent("tr[data-run]");
    expect(row).to.contain("dash");
    await admin.screenshot({ path: join(ARTIFACTS, "runs.png"), fullPage: true });
  });

  it("follows the job's log lines while it runs, with colours, search and download", async () => {
    await admin.click("tr[data-run] a");
    await admin.waitForSelector(".timeline a:has-text('slow-printer')", { timeout: 60_000 });
    await admin.click(".timeline a:has-text('slow-printer')");
    await admin.waitForSelector(".log .line:has-text('first-line')", { timeout: 60_000 });
    // Shown while the job still runs: it sleeps before its last line.
    const [run] = await bosun.api.runs("?project=dash");
    const { jobs } = await bosun.api.run(run!.id);
    expect(jobs[0]!.status).to.equal("running");
    expect(await admin.textContent(".log .fg-ansi-red")).to.equal("red-line");
    await admin.screenshot({ path: join(ARTIFACTS, "job-log-running.png"), fullPage: true });

    await admin.waitForSelector(".log .line:has-text('second-line')", { timeout: 60_000 });
    await admin.waitForSelector(".timeline li.selected .status-succeeded", { timeout: 60_000 });
    await admin.waitForSelector(".run-header .status-succeeded", { timeout: 60_000 });
    expect(await admin.textContent(".timeline li.selected")).to.contain("exit 0");
    expect(await admin.textContent(".log")).to.contain("key=***");

    await admin.fill("#log-search", "second");
    expect(await admin.locator(".log .line:visible").count()).to.equal(1);
    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      admin.click("button:has-text('Download')"),
    ]);
    const text = readFileSync((await download.path())!, "utf8");
    expect(text).to.contain("first-line\nred-line\n");
    expect(text).to.contain("second-line");
    await admin.fill("#log-search", "");
    await admin.screenshot({ path: join(ARTIFACTS, "job-log.png"), fullPage: true });
    await admin.click("summary:has-text('Payload')");
    expect(await admin.textContent(".payload")).to.contain("team/app");
    await admin.screenshot({ path: join(ARTIFACTS, "run.png"), fullPage: true });
  });

  it("is a link that can be shared: a job's page opened in a new tab shows its finished log after sign-in", async () => {
    const url = admin.url();
    const other = await watchedPage("shared link");
    // Opened in a tab not signed in: signing in leads on to the job's page.
    await other.goto(url);
    await other.waitForURL(/#\/signin\?next=/);
    await other.fill("#token", adminToken);
    await other.press("#token", "Enter");
    await other.waitForSelector(".log .line:has-text('second-line')");
    expect(other.url()).to.equal(url);
    await other.close();
  });

  it("is keyboard-navigable, and back returns to the list", async () => {
    await admin.goto(`${bosun.url}/#/runs`);
    await admin.waitForSelector("tr[data-run]");
    let onRunLink = false;
    for (let i = 0; i < 30 && !onRunLink; i++) {
      await admin.keyboard.press("Tab");
      onRunLink = (await admin.locator("tr[data-run] a:focus").count()) === 1;
    }
    expect(onRunLink, "a run's link is reached with Tab").to.equal(true);
    await admin.keyboard.press("Enter");
    await admin.waitForSelector(".run-header");
    await admin.goBack();
    await admin.waitForSelector("tr[data-run]");
    expect(admin.url()).to.match(/#\/runs$/);
  });

  it("shows projects and health", async () => {
    await admin.goto(`${bosun.url}/#/projects`);
    await admin.waitForSelector("article[data-project='dash'] .recent .status-succeeded");
    expect(await admin.locator("form.trigger").count()).to.equal(1);
    await admin.screenshot({ path: join(ARTIFACTS, "projects.png"), fullPage: true });
    await admin.goto(`${bosun.url}/#/health`);
    await admin.waitForSelector("[data-health='store']:has-text('ok')");
    expect(await admin.textContent("[data-health='queued']")).to.equal("0");
    await admin.screenshot({ path: join(ARTIFACTS, "health.png"), fullPage: true });
  });

  it("lets a read-only token see every page, offers it no action, and the API refuses its changes", async () => {
    const viewer = await watchedPage("viewer");
    await signIn(viewer, VIEW_TOKEN);
    expect(await viewer.textContent("#who")).to.contain("read-only");
    await viewer.waitForSelector("tr[data-run]");
    await viewer.click("tr[data-run] a");
    await viewer.waitForSelector(".timeline a:has-text('slow-printer')");
    await viewer.goto(`${bosun.url}/#/projects`);
    await viewer.waitForSelector("article[data-project='dash'] .recent .status-succeeded");
    expect(await viewer.locator("form.trigger, .actions button").count()).to.equal(0);
    await viewer.goto(`${bosun.url}/#/health`);
    await viewer.waitForSelector("[data-health='store']:has-text('ok')");
    const refused = await viewer.evaluate(async () => {
      const res = await fetch("/api/v1/projects/dash/trigger", {
        method: "POST",
        headers: {
          authorization: `Bearer ${sessionStorage.getItem("bosun.token")}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ registry: "distribution", repository: "team/app", tag: "v9" }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal("READ_ONLY_TOKEN");
    // Chromium reports the refusal it was asked to make; it is the only error this page may show.
    const expected = "viewer: Failed to load resource: the server responded with a status of 403 (Forbidden)";
    expect(consoleErrors.filter((e) => e.startsWith("viewer:"))).to.deep.equal([expected]);
    consoleErrors.splice(consoleErrors.indexOf(expected), 1);
    expect(await bosun.api.runs("?project=dash")).to.have.length(1);
    await viewer.close();
  });

  it("shows no secret in any page or answer, puts no token in a URL, and logs no console error", async () => {
    expect(bodies.length).to.be.greaterThan(10);
    for (const body of [...bodies, await admin.content()]) expect(body).not.to.contain(SECRET);
    const [run] = await bosun.api.runs("?project=dash");
    const stream = await fetch(`${bosun.url}/api/v1/stream?run=${run!.id}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    let seen = "";
    for await (const chunk of stream.body! as AsyncIterable<Uint8Array>) {
      seen += Buffer.from(chunk).toString();
      if (seen.includes("event: hello")) break;
    }
    expect(seen).to.contain("second-line");
    expect(seen).not.to.contain(SECRET);
    for (const url of requestUrls) {
      expect(url).not.to.contain(adminToken);
      expect(url).not.to.contain(VIEW_TOKEN);
    }
    expect(consoleErrors).to.deep.equal([]);
  });

  it("lets the admin token trigger a push from the projects page, and shows its run", async () => {
    await admin.goto(`${bosun.url}/#/projects`);
    await admin.fill("#trigger-dash-repository", "team/app");
    await admin.fill("#trigger-dash-tag", "v1");
    await admin.click("form.trigger button");
    await admin.waitForSelector("form.trigger [role=status]:has-text('Push sent.')");
    const runs = await bosun.api.finishedRuns("?project=dash", 2, 60_000);
    // A synthetic push names the registry's public host, so its job may not pull: a run either way.
    expect(runs).to.have.length(2);
    const [event] = await bosun.api.events("dash");
    expect(event!.image).to.include({ repository: "team/app", tag: "v1" });
    await admin.goto(`${bosun.url}/#/runs`);
    await admin.waitForSelector("tbody tr[data-run]:nth-of-type(2)");
  });

  it("follows the server again after it restarts", async () => {
    await admin.goto(`${bosun.url}/#/runs`);
    await admin.waitForSelector("#live.on");
    await bosun.kill();
    await admin.waitForSelector("#live.off");
    await bosun.restart();
    await admin.waitForSelector("#live.on", { timeout: 30_000 });
    await registry.push("team/app", "v2");
    await admin.waitForSelector("tbody tr[data-run]:nth-of-type(3)", { timeout: 60_000 });
    // While the server was down the page's requests failed; nothing else went wrong.
    const others = consoleErrors.filter(
      (e) => !/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE/.test(e),
    );
    expect(others).to.deep.equal([]);
  });
});
