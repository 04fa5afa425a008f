/**
 * `bosun runs rerun|retry|cancel` and the listing filters against a real `bosun serve`, its jobs in
 * Podman containers: a retry runs only the failed job, a rerun everything, a cancel stops a long job
 * and removes its container; refusals are 409s with their codes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Run } from "@bosun/core";
import {
  containersOfRun,
  ensureTestImage,
  startDockerSocket,
  TEST_IMAGE,
  type DockerSocket,
} from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { bosunCli } from "./support/bosun-cli.js";
import type { RunWithJobs } from "./support/api.js";

// `first` counts its runs in its cache; `second` fails the first time; payload "sleep" runs a long job.
const SCRIPT = `
const { events, Job } = require("brigadier");
const IMAGE = ${JSON.stringify(TEST_IMAGE)};
events.on("exec", async (e) => {
  if (e.payload === "sleep") {
    await new Job("sleeper", IMAGE, ["echo sleeping", "sleep 300"]).run();
    return;
  }
  const first = new Job("first", IMAGE, [
    "echo hit >> /mnt/brigade/cache/hits",
    'echo "first runs=$(wc -l < /mnt/brigade/cache/hits)"',
  ]);
  first.cache.enabled = true;
  const second = new Job("second", IMAGE, [
    "if [ -e /mnt/brigade/cache/ok ]; then echo second passes; exit 0; fi",
    "touch /mnt/brigade/cache/ok",
    "echo second fails; exit 3",
  ]);
  second.cache.enabled = true;
  await first.run();
  await second.run();
});
`;

describe("bosun runs rerun, retry, cancel and list filters: against a running server", function () {
  this.timeout(240_000);
  let socket: DockerSocket;
  let server: BosunProcess;
  const cli = (args: string[]) =>
    bosunCli([...args, "--server", server.url, "--data", join(server.dir, "data")], { BOSUN_TOKEN: "" });
  const finished = (id: string) => (runs: Run[]) =>
    runs.some((r) => r.id === id && r.status !== "queued" && r.status !== "running");
  async function waitFor(run: string): Promise<RunWithJobs> {
    const runs = await server.api.runsWhen("?limit=1000", finished(run), 120_000);
    return runs.find((r) => r.id === run)!;
  }
  async function createEvent(payload: string): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token()}` },
      body: JSON.stringify({ project: "app", type: "exec", payload }),
    });
    expect(res.status).to.equal(201);
    return ((await res.json()) as { event: { id: string } }).event.id;
  }
  const token = () => readFileSync(join(server.dir, "data", "admin-token"), "utf8").trim();

  before(async () => {
    ensureTestImage();
    socket = await startDockerSocket();
    server = await BosunProcess.start({
      config: [
        "docker:",
        `  socket: ${socket.socketPath}`,
        "projects:",
        "  - name: app",
        "    script: ./brigade.js",
        "    concurrency: 2",
        "    events:",
        "      - { source: brigade.sh/cli, types: [exec] }",
      ].join("\n"),
      files: { "brigade.js": SCRIPT },
    });
  });
  after(async () => {
    await server?.dispose();
    await socket?.stop();
  });

  let failedId: string;
  let retryId: string;

  it("retries a failed run: only the failed job runs again; the reused one's logs are still there", async () => {
    const event = await createEvent("build");
    const [failed] = await server.api.finishedRuns(`?event=${event}`, 1, 120_000);
    expect(failed!.status, JSON.stringify(failed)).to.equal("failed");
    failedId = failed!.id;

    const r = await cli(["runs", "retry", failedId, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const queued = JSON.parse(r.stdout) as Run;
    expect(queued).to.deep.include({
      status: "queued",
      retryOf: failedId,
      requestedBy: "admin",
      eventId: event,
    });
    retryId = queued.id;
    const retry = await waitFor(retryId);
    expect(retry.status, JSON.stringify(retry)).to.equal("succeeded");
    expect(retry.jobs.map((j) => [j.name, j.status, j.reusedFrom?.runId])).to.deep.equal([
      ["first", "succeeded", failedId],
      ["second", "succeeded", undefined],
    ]);
    expect(await server.api.logs(retryId, "second")).to.contain("second passes");
    // The reused job's logs are those of the job that ran: its first (and only) run.
    expect(await server.api.logs(retryId, "first")).to.contain("first runs=1");
    expect(await server.api.logs(retryId)).to.not.contain("first runs=2");
    const shown = await cli(["runs", "show", retryId]);
    expect(shown.stdout).to.contain(`retry of ${failedId}, requested by admin`);
    expect(shown.stdout).to.contain(`succeeded (reused from run ${failedId})`);
  });

  it("refuses a retry of a run that succeeded with 409 RUN_NOT_RETRYABLE; a rerun runs every job again", async () => {
    const refused = await cli(["runs", "retry", retryId]);
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.contain("RUN_NOT_RETRYABLE");
    const r = await cli(["runs", "rerun", retryId]);
    expect(r.code, r.stderr).to.equal(0);
    const id = /run (\S+) queued: a rerun of run/.exec(r.stdout)?.[1];
    expect(id, r.stdout).to.be.a("string");
    const rerun = await waitFor(id!);
    expect(rerun).to.deep.include({ status: "succeeded", rerunOf: retryId });
    expect(rerun.jobs.map((j) => j.reusedFrom)).to.deep.equal([undefined, undefined]);
    expect(await server.api.logs(rerun.id, "first")).to.contain("first runs=2");
  });

  it("cancels a running run: the long job's container is stopped and removed, the run ends cancelled", async () => {
    const event = await createEvent("sleep");
    const [run] = await server.api.runsWhen(`?event=${event}`, (runs) => runs.length > 0);
    for (;;) {
      if ((await server.api.logs(run!.id)).includes("sleeping")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await containersOfRun(socket.socketPath, run!.id)).to.have.length(1);
    const r = await cli(["runs", "cancel", run!.id]);
    expect(
      r.code,
      r.stderr + JSON.stringify(await server.api.run(run!.id)) + (await server.api.logs(run!.id)),
    ).to.equal(0);
    expect(r.stdout).to.contain("cancel requested");
    const ended = await waitFor(run!.id);
    expect(ended).to.deep.include({ status: "cancelled", cancelRequestedBy: "admin" });
    expect(ended.error?.code).to.equal("RUN_CANCELLED");
    expect(ended.jobs[0]).to.deep.include({ name: "sleeper", status: "cancelled" });
    expect(await containersOfRun(socket.socketPath, run!.id)).to.deep.equal([]);
    const again = await cli(["runs", "cancel", run!.id]);
    expect(again.code).to.not.equal(0);
    expect(again.stderr).to.contain("RUN_FINISHED");
  });

  it("cancels an event before it runs: it never starts, its run is recorded cancelled", async () => {
    // The project's two slots taken by long runs: the third event stays queued.
    const busy = [await createEvent("sleep"), await createEvent("sleep")];
    const waiting = await createEvent("build");
    await server.api.runsWhen("?status=running", (runs) => runs.length === 2);
    expect((await server.api.get<{ state: string }>(`/events/${waiting}`)).state).to.equal("queued");
    const r = await cli(["events", "cancel", waiting, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ eventId: waiting, status: "cancelled" });
    for (const e of busy) {
      const [run] = await server.api.runs(`?event=${e}`);
      const cancelled = await cli(["events", "cancel", e]);
      // Should it fail, say why: the CLI's answer, the event's runs with their errors, the server's log.
      const why = async () =>
        `${cancelled.stderr}\n${JSON.stringify(await server.api.runs(`?event=${e}`))}\n${server.stderr.slice(-4000)}`;
      if (cancelled.code !== 0) expect.fail(await why());
      await waitFor(run!.id);
    }
    // Slots free again, and still the cancelled event has its one run: it never started.
    const runs = await server.api.runs(`?event=${waiting}`);
    expect(runs.map((x) => x.status)).to.deep.equal(["cancelled"]);
    expect(await server.api.logs(runs[0]!.id)).to.equal("");
    expect((await server.api.get<{ state: string }>(`/events/${waiting}`)).state).to.equal("done");
  });

  it("lists runs and events by filters, pages with --before, and refuses a wrong filter with QUERY_INVALID", async () => {
    const failed = await cli(["runs", "list", "--status", "failed", "--json"]);
    expect((JSON.parse(failed.stdout) as Run[]).map((r) => r.id)).to.deep.equal([failedId]);
    const first = await cli(["runs", "list", "--limit", "1"]);
    const next = /more: bosun runs list --before (\S+)/.exec(first.stderr)?.[1];
    expect(next, first.stderr).to.be.a("string");
    const second = await cli(["runs", "list", "--limit", "1", "--before", next!, "--json"]);
    const [older] = JSON.parse(second.stdout) as Run[];
    expect(older!.id < next!).to.equal(true);
    const all = await cli([
      "runs",
      "list",
      "--json",
      "--registry",
      "brigade.sh/cli",
      "--since",
      "2000-01-01",
    ]);
    expect((JSON.parse(all.stdout) as Run[]).length).to.equal(7);
    const events = await cli([
      "events",
      "list",
      "--registry",
      "brigade.sh/cli",
      "--until",
      "2999-01-01",
      "--json",
    ]);
    expect((JSON.parse(events.stdout) as unknown[]).length).to.equal(5);
    const noEvents = await cli(["events", "list", "--registry", "dockerhub", "--json"]);
    expect(JSON.parse(noEvents.stdout)).to.deep.equal([]);
    const badTime = await cli(["events", "list", "--since", "yesterday"]);
    expect(badTime.stderr).to.contain("QUERY_INVALID").and.contain("since");
    const bad = await cli(["runs", "list", "--status", "nope"]);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.contain("QUERY_INVALID");
  });
});
