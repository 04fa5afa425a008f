/**
 * What `bosun runs show` (table and --json), `bosun logs`, `GET /api/v1/runs/:id` and
 * `bosun script run --dry-run` show of a run whose script put a multi-line secret (with `"` and `\`)
 * into a job's tasks and env names and threw it: never the secret, in any escaped form.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect, promisify } from "node:util";
import { expect } from "chai";
import { REPO_ROOT } from "./support/fixtures.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");
const WEBHOOK_TOKEN = "records-test-token";
const KEY = `-----BEGIN K-----\nAAAABBBB"CCCC\\DDDD\nEEEEFFFFGGGG\n-----END K-----`;

const SCRIPT = `const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  const job = new Job("deploy", "alpine", ['curl -H "Authorization: Bearer ' + p.secrets.KEY + '" https://example.com']);
  job.env = { KEY: p.secrets.KEY };
  job.privileged = true; // refused: the run records the job without starting a container
  job.fallible = true;
  await job.run();
  console.log({ key: p.secrets.KEY });
  throw new Error("cannot deploy with " + p.secrets.KEY);
});
`;

async function bosun(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const r = await run(process.execPath, ["--no-node-snapshot", BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return r.stdout + r.stderr;
  } catch (err) {
    const e = err as { stdout: string; stderr: string };
    return e.stdout + e.stderr;
  }
}

function expectNoSecret(shown: string, where: string): void {
  const forms = [
    KEY,
    JSON.stringify(KEY).slice(1, -1),
    inspect(KEY).slice(1, -1),
    ...KEY.split("\n").slice(1, -1),
  ];
  for (const form of forms) expect(shown, `${where} shows ${JSON.stringify(form)}`).not.to.contain(form);
}

describe("what Bosun shows of a run: no secret", function () {
  this.timeout(60_000);
  let t: TestServer;

  before(async () => {
    t = await startTestServer(
      `projects:\n  - { name: leaky, script: ./brigade.js, webhookToken: ${WEBHOOK_TOKEN}, secrets: { KEY: ${JSON.stringify(KEY)} }, subscriptions: [{ registry: dockerhub }] }\n`,
      { "brigade.js": SCRIPT },
    );
  });
  after(async () => t?.dispose());

  it("runs show, --json, logs and the API", async () => {
    const env = { BOSUN_SERVER: t.url, BOSUN_TOKEN: t.server.adminToken };
    await bosun(
      ["trigger", "dockerhub", "--project", "leaky", "--repository", "team/app", "--tag", "v1"],
      env,
    );
    const [finished] = await t.api.finishedRuns("?project=leaky");
    expect(finished?.status).to.equal("failed");
    expect(finished?.error?.message).to.equal("cannot deploy with ***");
    expect(finished?.jobs[0]?.tasks).to.deep.equal([
      'curl -H "Authorization: Bearer ***" https://example.com',
    ]);
    expectNoSecret(JSON.stringify(finished), "GET /api/v1/runs/:id");
    expectNoSecret(await t.api.logs(finished!.id), "GET /api/v1/runs/:id/logs");
    expectNoSecret(await bosun(["runs", "show", finished!.id], env), "runs show");
    expectNoSecret(await bosun(["runs", "show", finished!.id, "--json"], env), "runs show --json");
    expectNoSecret(await bosun(["logs", finished!.id], env), "logs");
  });

  it("script run --dry-run, as a table and --json", async () => {
    const payload = join(REPO_ROOT, "gateways", "test", "fixtures", "dockerhub", "current_push.json");
    const script = join(t.dir, "dry.js");
    writeFileSync(script, SCRIPT.replace("job.privileged = true;", ""));
    for (const json of [false, true]) {
      const args = ["script", "run", script, "--payload", payload, "--secret", `KEY=${KEY}`, "--dry-run"];
      const shown = await bosun(json ? [...args, "--json"] : args);
      const task = 'curl -H "Authorization: Bearer ***" https://example.com';
      expect(shown).to.contain("cannot deploy with ***");
      expect(shown).to.contain(json ? JSON.stringify(task).slice(1, -1) : task);
      expectNoSecret(shown, `script run --dry-run${json ? " --json" : ""}`);
    }
  });
});
