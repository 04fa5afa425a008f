/**
 * The dashboard's delivery inbox and run actions in real headless Chromium against a real `bosun
 * serve`, pushes made with skopeo to a real registry, jobs on Podman: a push showing up in the inbox
 * without a reload, the explain panel saying why it was ignored, a re-delivery recorded as a replay,
 * cancel stopping a long job and removing its container, retry running only the job that failed, a
 * read-only token offered no action and refused by the API, screenshots of the main views, and no
 * console error.
 */
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Page } from "playwright-core";
import { containersOfRun, TEST_IMAGE } from "@bosun/test-support";
import { ARTIFACTS, startDashboardStack, type DashboardStack } from "./support/dashboard-stack.js";

const SHOTS = join(ARTIFACTS, "inbox-and-actions");
const WEBHOOK_TOKEN = "inbox-webhook-token-never-shown";
const VIEW_TOKEN = "inbox-view-token-0123456789";
const RC_REASON = "tag v1.2-rc1 excluded by !*-rc*";

// Tag "long" runs a job that sleeps; any other runs `first`, then `second`, which fails the first time
// (its cache remembers) and passes when run again.
const SCRIPT = `
const { events, Job } = require("brigadier");
const IMAGE = ${JSON.stringify(TEST_IMAGE)};
events.on("image_push", async (e) => {
  if (e.image.tag === "long") {
    await new Job("sleeper", IMAGE, ["echo sleeping", "sleep 300"]).run();
    return;
  }
  await new Job("first", IMAGE, ["echo first ran"]).run();
  const second = new Job("second", IMAGE, [
    "if [ -e /mnt/brigade/cache/ok ]; then echo second passes; exit 0; fi",
    "touch /mnt/brigade/cache/ok",
    "echo second fails; exit 3",
  ]);
  second.cache.enabled = true;
  await second.run();
});
`;

describe("dashboard: the delivery inbox and run actions, in Chromium against bosun serve and Podman", function () {
  this.timeout(240_000);
  let stack: DashboardStack;
  let admin: Page;
  let url = "";
  let rcDelivery = "";
  let cancelledRun = "";
  let failedRun = "";
  let replayDelivery = "";

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    stack = await startDashboardStack({
      project: "inbox",
      webhookToken: WEBHOOK_TOKEN,
      readOnlyTokens: [VIEW_TOKEN],
      config: [
        "projects:",
        "  - name: inbox",
        "    script: ./brigade.js",
        `    webhookToken: ${WEBHOOK_TOKEN}`,
        '    subscriptions: [{ registry: distribution, tags: ["!*-rc*"] }]',
      ],
      files: { "brigade.js": SCRIPT },
    });
    url = stack.bosun.url;
    admin = await stack.watchedPage("admin");
    await stack.signIn(admin, stack.adminToken);
  });
  after(() => stack?.stop());

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it("shows a push in the inbox without a reload, with why it was ignored", async () => {
    await admin.goto(`${url}/#/deliveries`);
    await admin.waitForSelector("#live.on");
    await admin.waitForSelector("table.deliveries");
    await stack.registry.push("team/app", "v1.2-rc1");
    const row = admin.locator("tr[data-delivery]:has-text('team/app:v1.2-rc1')");
    await row.waitFor({ timeout: 60_000 });
    expect(await row.getAttribute("data-outcome")).to.equal("ignored");
    expect(await row.textContent()).to.contain(RC_REASON);
    rcDelivery = (await row.getAttribute("data-delivery"))!;
    await shot(admin, "inbox");
  });

  it("keeps the inbox's filters in the URL, so reload and back show the same lists", async () => {
    await admin.selectOption("#filter-outcome", "accepted");
    await admin.waitForURL(/#\/deliveries\?outcome=accepted$/);
    await admin.waitForSelector("tbody tr:has-text('No deliveries.')");
    await admin.selectOption("#filter-outcome", "ignored");
    await admin.waitForURL(/outcome=ignored$/);
    await admin.fill("#filter-tag", "v1.2-rc1");
    await admin.press("#filter-tag", "Enter");
    await admin.waitForURL(/outcome=ignored&tag=v1\.2-rc1$/);
    await admin.waitForSelector(`tr[data-delivery='${rcDelivery}']`);
    // The same link opened anew shows the same list.
    await admin.reload();
    await admin.waitForSelector(`tr[data-delivery='${rcDelivery}']`);
    expect(await admin.inputValue("#filter-tag")).to.equal("v1.2-rc1");
    await admin.goBack();
    await admin.waitForURL(/outcome=ignored$/);
    await admin.goBack();
    await admin.waitForURL(/outcome=accepted$/);
    // By time: nothing came after a time still to come, the push came before it.
    await admin.goto(`${url}/#/deliveries`);
    await admin.fill("#filter-since", "2999-01-01T00:00");
    await admin.press("#filter-since", "Enter");
    await admin.waitForURL(/since=2999-01-01T00%3A00$/);
    await admin.waitForSelector("tbody tr:has-text('No deliveries.')");
    await admin.goto(`${url}/#/deliveries?until=2999-01-01T00%3A00`);
    await admin.waitForSelector(`tr[data-delivery='${rcDelivery}']`);
  });

  it("explains a delivery: the reason recorded, and each subscription's verdict now", async () => {
    await admin.click(`tr[data-delivery='${rcDelivery}'] a`);
    await admin.waitForURL(new RegExp(`#/deliveries/${rcDelivery}$`));
    await admin.waitForSelector(".explain-panel .verdict");
    expect(await admin.textContent(".explain-panel .ignored")).to.contain(`subscription 1: ${RC_REASON}`);
    expect(await admin.getAttribute(".explain-panel .verdict", "data-takes")).to.equal("false");
    expect(await admin.textContent(".explain-panel .verdict .reason")).to.equal(RC_REASON);
    expect(await admin.textContent(".delivery-request .headers")).to.contain("content-type");
    expect(await admin.textContent(".delivery-request .payload")).to.contain("v1.2-rc1");
    expect(await admin.textContent(".delivery-runs")).to.contain("None: it created no event.");
    await shot(admin, "delivery");
  });

  it("answers the explain form on the inbox for any push", async () => {
    await admin.goto(`${url}/#/deliveries`);
    await admin.fill("#explain-repository", "team/app");
    await admin.fill("#explain-tag", "v2.0-rc3");
    await admin.click("form.explain button[type=submit]");
    await admin.waitForSelector(".explain-result .verdict[data-takes='false']");
    expect(await admin.textContent(".explain-result .reason")).to.equal("tag v2.0-rc3 excluded by !*-rc*");
    await admin.fill("#explain-tag", "v2.0");
    await admin.click("form.explain button[type=submit]");
    await admin.waitForSelector(".explain-result .verdict[data-takes='true']");
  });

  it("re-delivers from the delivery's page: a new delivery, marked as a replay", async () => {
    await admin.goto(`${url}/#/deliveries/${rcDelivery}`);
    await admin.click("button[data-action='redeliver']");
    const link = admin.locator(".replay-link");
    await link.waitFor();
    const replay = (await link.textContent())!;
    replayDelivery = replay;
    expect(replay).not.to.equal(rcDelivery);
    await link.click();
    await admin.waitForURL(new RegExp(`#/deliveries/${replay}$`));
    await admin.waitForSelector(`.delivery-header a[href='#/deliveries/${rcDelivery}']`);
    expect(await admin.textContent(".delivery-header")).to.contain("Replay of");
    const stored = await stack.bosun.api.get<{ replayOf?: string; outcome: string }>(`/deliveries/${replay}`);
    expect(stored).to.deep.include({ replayOf: rcDelivery, outcome: "ignored" });
    // The inbox lists it too, as a replay.
    await admin.goto(`${url}/#/deliveries`);
    expect(await admin.textContent(`tr[data-delivery='${replay}']`)).to.contain("replay");
  });

  it("pages the inbox, newest first, the page size and place kept in the URL", async () => {
    await admin.goto(`${url}/#/deliveries?limit=1`);
    await admin.waitForSelector(`tr[data-delivery='${replayDelivery}']`);
    expect(await admin.locator("tr[data-delivery]").count()).to.equal(1);
    await admin.click(".paging a[rel=next]");
    await admin.waitForURL(new RegExp(`before=${replayDelivery}&limit=1$`));
    await admin.waitForSelector(`tr[data-delivery='${rcDelivery}']`);
    expect(await admin.locator("tr[data-delivery]").count()).to.equal(1);
    await admin.click(".paging a:has-text('Newest')");
    await admin.waitForSelector(`tr[data-delivery='${replayDelivery}']`);
  });

  it("cancels a running run from its page: the job stops and its container is removed", async () => {
    await stack.registry.push("team/app", "long");
    const [run] = await stack.bosun.api.runsWhen("?tag=long", (runs) =>
      runs.some((r) => r.status === "running"),
    );
    cancelledRun = run!.id;
    await admin.goto(`${url}/#/runs/${cancelledRun}/jobs/sleeper`);
    await admin.waitForSelector(".log .line:has-text('sleeping')", { timeout: 60_000 });
    expect(await containersOfRun(stack.socket.socketPath, cancelledRun)).to.have.length(1);
    // A running run offers cancel only.
    expect(await admin.locator(".run-header button[data-action]").count()).to.equal(1);
    await admin.click("button[data-action='cancel']");
    await admin.waitForSelector(".run-header .status-cancelled", { timeout: 60_000 });
    expect(await admin.textContent(".run-header"))
      .to.contain("Cancel asked by")
      .and.contain("admin");
    const ended = await stack.bosun.api.run(cancelledRun);
    expect(ended).to.deep.include({ status: "cancelled", cancelRequestedBy: "admin" });
    expect(ended.jobs[0]).to.deep.include({ name: "sleeper", status: "cancelled" });
    expect(await containersOfRun(stack.socket.socketPath, cancelledRun)).to.deep.equal([]);
  });

  it("retries a run whose second job failed: the first is reused, only the second runs again", async () => {
    await stack.registry.push("team/app", "two");
    const [failed] = await stack.bosun.api.finishedRuns("?tag=two", 1, 120_000);
    expect(failed!.status, JSON.stringify(failed)).to.equal("failed");
    failedRun = failed!.id;
    await admin.goto(`${url}/#/runs/${failedRun}`);
    await admin.waitForSelector("button[data-action='retry']");
    expect(await admin.locator("button[data-action='rerun']").count()).to.equal(1);
    expect(await admin.locator("button[data-action='cancel']").count()).to.equal(0);
    await admin.click("button[data-action='retry']");
    await admin.waitForURL((u) => /#\/runs\/[^/]+$/.test(u.hash) && !u.hash.includes(failedRun));
    const retryId = new URL(admin.url()).hash.split("/")[2]!;
    await admin.waitForSelector(`.run-header a[href='#/runs/${failedRun}']`);
    expect(await admin.textContent(".run-header"))
      .to.contain("Retry of")
      .and.contain("admin");
    await admin.waitForSelector(".run-header .status-succeeded", { timeout: 120_000 });
    await admin.waitForSelector(".timeline li:has-text('second') .status-succeeded");
    const retry = await stack.bosun.api.run(retryId);
    expect(retry).to.deep.include({ retryOf: failedRun, requestedBy: "admin", status: "succeeded" });
    expect(retry.jobs.map((j) => [j.name, j.status, j.reusedFrom?.runId])).to.deep.equal([
      ["first", "succeeded", failedRun],
      ["second", "succeeded", undefined],
    ]);
    expect(await admin.locator(".timeline li:has-text('first') a.reused").count()).to.equal(1);
    expect(await admin.locator(".timeline li:has-text('second') a.reused").count()).to.equal(0);
    await shot(admin, "run");
    // The reused job's output is the one of the job that ran.
    await admin.click(".timeline a:has-text('first')");
    await admin.click(".reused-note a");
    await admin.waitForURL(new RegExp(`#/runs/${failedRun}/jobs/`));
    await admin.waitForSelector(".log .line:has-text('first ran')");
    await admin.goto(`${url}/#/runs/${retryId}`);
    await admin.click(".timeline a:has-text('second')");
    await admin.waitForSelector(".log .line:has-text('second passes')");
    await shot(admin, "job-log");
  });

  it("links a delivery to the runs that followed, and a duplicate to the event it repeats", async () => {
    const { deliveries } = await stack.bosun.api.get<{ deliveries: { id: string; eventIds: string[] }[] }>(
      "/deliveries?tag=two&outcome=accepted",
    );
    const [taken] = deliveries;
    const [event] = taken!.eventIds;
    await admin.goto(`${url}/#/deliveries/${taken!.id}`);
    await admin.waitForSelector(`.delivery-runs a[href='#/runs/${failedRun}']`);
    expect(await admin.locator(".delivery-runs li").count()).to.equal(2);
    // Sent again, its event is identified by the body: a duplicate, and no new run.
    await admin.click("button[data-action='redeliver']");
    await admin.waitForSelector(".actions [role=status] .status-duplicate");
    await admin.goto(`${url}/#/deliveries?outcome=duplicate`);
    await admin.click(`tr[data-delivery] .duplicates a[href='#/runs?event=${event}']`);
    await admin.waitForURL(new RegExp(`#/runs\\?event=${event}$`));
    await admin.waitForSelector(`tr[data-run='${failedRun}']`);
    expect(await admin.locator("tr[data-run]").count()).to.equal(2);
  });

  it("lists runs by any status, queued among them, and shows the projects", async () => {
    await admin.goto(`${url}/#/runs`);
    await admin.waitForSelector("tr[data-run]");
    expect(await admin.locator("#filter-status option[value='queued']").count()).to.equal(1);
    await shot(admin, "runs");
    await admin.selectOption("#filter-status", "cancelled");
    await admin.waitForURL(/#\/runs\?status=cancelled$/);
    await admin.waitForSelector(`tr[data-run='${cancelledRun}']`);
    expect(await admin.locator("tr[data-run]").count()).to.equal(1);
    await admin.goto(`${url}/#/projects`);
    await admin.waitForSelector("article[data-project='inbox'] .recent .status-succeeded");
    await shot(admin, "projects");
  });

  it("lets a read-only token see the inbox and the runs with no action, and the API refuses its POSTs", async () => {
    const viewer = await stack.watchedPage("viewer");
    await stack.signIn(viewer, VIEW_TOKEN);
    await viewer.goto(`${url}/#/deliveries`);
    await viewer.waitForSelector(`tr[data-delivery='${rcDelivery}']`);
    await viewer.click(`tr[data-delivery='${rcDelivery}'] a`);
    await viewer.waitForSelector(".explain-panel .verdict");
    expect(await viewer.textContent(".explain-panel .verdict .reason")).to.equal(RC_REASON);
    await viewer.goto(`${url}/#/runs/${failedRun}`);
    await viewer.waitForSelector(".timeline li:has-text('second')");
    await viewer.goto(`${url}/#/runs/${cancelledRun}`);
    await viewer.waitForSelector(".run-header .status-cancelled");
    expect(await viewer.locator("button[data-action], .actions button, form.trigger").count()).to.equal(0);
    // Asking is not acting: the explain form answers a read-only token too.
    await viewer.goto(`${url}/#/deliveries`);
    await viewer.fill("#explain-repository", "team/app");
    await viewer.fill("#explain-tag", "v1.2-rc1");
    await viewer.click("form.explain button[type=submit]");
    await viewer.waitForSelector(".explain-result .verdict[data-takes='false']");

    const posts = [
      `/runs/${failedRun}/retry`,
      `/runs/${failedRun}/rerun`,
      `/runs/${cancelledRun}/cancel`,
      `/deliveries/${rcDelivery}/redeliver`,
    ];
    const answers = await viewer.evaluate(async (paths) => {
      const out: { status: number; code: string }[] = [];
      for (const path of paths) {
        const res = await fetch(`/api/v1${path}`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${sessionStorage.getItem("bosun.token")}`,
            "content-type": "application/json",
          },
          body: "{}",
        });
        out.push({
          status: res.status,
          code: ((await res.json()) as { error: { code: string } }).error.code,
        });
      }
      return out;
    }, posts);
    expect(answers).to.deep.equal(posts.map(() => ({ status: 403, code: "READ_ONLY_TOKEN" })));
    // Chromium reports each refusal it was asked to make; they are the only errors this page may show.
    const refusal = "viewer: Failed to load resource: the server responded with a status of 403 (Forbidden)";
    expect(stack.consoleErrors.filter((e) => e.startsWith("viewer:"))).to.deep.equal(
      posts.map(() => refusal),
    );
    for (const _ of posts) stack.consoleErrors.splice(stack.consoleErrors.indexOf(refusal), 1);
    expect(await stack.bosun.api.runs("?tag=two")).to.have.length(2);
    await viewer.close();
  });

  it("wrote screenshots of the main views, showed no token, and logged no console error", async () => {
    for (const name of ["projects", "inbox", "delivery", "runs", "run", "job-log"]) {
      const file = join(SHOTS, `${name}.png`);
      expect(statSync(file).size, file).to.be.greaterThan(1000);
      // The PNG signature: a picture, not an empty or text file.
      expect(readFileSync(file).subarray(0, 8).toString("hex"), file).to.equal("89504e470d0a1a0a");
    }
    expect(stack.bodies.length).to.be.greaterThan(10);
    for (const body of [...stack.bodies, await admin.content()]) {
      expect(body).not.to.contain(WEBHOOK_TOKEN);
      expect(body).not.to.contain(stack.adminToken);
    }
    for (const u of stack.requestUrls) expect(u).not.to.contain(stack.adminToken).and.not.contain(VIEW_TOKEN);
    expect(stack.consoleErrors).to.deep.equal([]);
  });
});
