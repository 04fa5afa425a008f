/**
 * Events of any source and type: `bosun script run --type/--source` locally, and `bosun event create`
 * against a real `bosun serve` process, whose worker runs the event like a push.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { Run } from "@bosun/core";
import { REPO_ROOT } from "./support/fixtures.js";
import { BosunProcess } from "./support/bosun-process.js";

const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");

async function bosun(
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = promisify(execFile)(process.execPath, ["--no-node-snapshot", BIN, ...args], {
    env: { ...process.env, BOSUN_TOKEN: "" },
    timeout: 60_000,
  });
  if (input !== undefined) child.child.stdin!.end(input);
  try {
    return { ...(await child), code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

// v1 and v2 handlers side by side, as a project mixing both generations would have them.
const SCRIPT = `
const { events, logger } = require("@brigadecore/brigadier");
events.on("exec", (e, p) => {
  console.log("v1 exec from " + e.provider + ": " + e.payload);
  events.emit("notify", { ...e, type: "notify", payload: "chained" }, p);
});
events.on("notify", (e) => console.log("v1 notify: " + e.payload));
events.on("brigade.sh/cli", "exec", (e) => logger.info("v2 exec " + e.source + " " + e.payload));
events.on("example.com/ci", "*", (e) => logger.info("v2 " + e.source + " " + e.type + ": " + e.payload));
`;

describe("bosun script run: events that are not pushes", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-events-"));
    writeFileSync(join(dir, "brigade.js"), SCRIPT);
    writeFileSync(join(dir, "payload.txt"), "not JSON, not a push");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const logOf = (stdout: string) => (JSON.parse(stdout) as (Run & { log: string })[])[0]!;

  it("--type with --source hands the payload over as is, to the v1 handler of the type and the source's v2 handler", async () => {
    const r = await bosun([
      "script",
      "run",
      join(dir, "brigade.js"),
      "--type",
      "deploy",
      "--source",
      "example.com/ci",
      "--payload",
      join(dir, "payload.txt"),
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const run = logOf(r.stdout);
    expect(run.status).to.equal("succeeded");
    expect(run.log).to.equal("v2 example.com/ci deploy: not JSON, not a push\n");
  });

  it("--type exec defaults to source brigade.sh/cli: v1's exec (the events it emits run at once), then v2's", async () => {
    const r = await bosun(
      ["script", "run", join(dir, "brigade.js"), "--type", "exec", "--payload", "-", "--json"],
      "from stdin",
    );
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(logOf(r.stdout).log).to.equal(
      "v1 exec from brigade.sh/cli: from stdin\nv1 notify: chained\nv2 exec brigade.sh/cli from stdin\n",
    );
  });

  it("without --payload or --type runs exec with an empty payload, as brig run did", async () => {
    const r = await bosun(["script", "run", join(dir, "brigade.js"), "--json"]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(logOf(r.stdout).log).to.contain("v1 exec from brigade.sh/cli: \n");
  });

  it("refuses an empty --type or --source with a usage error", async () => {
    for (const flag of ["--type", "--source"]) {
      const r = await bosun(["script", "run", join(dir, "brigade.js"), flag, ""]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`${flag}: expected`).and.contain("[USAGE_INVALID]");
    }
  });
});

describe("bosun event create: against a running server", function () {
  this.timeout(90_000);
  let server: BosunProcess;
  let dir: string;
  const cli = (args: string[], input?: string) =>
    bosun([...args, "--server", server.url, "--data", join(server.dir, "data")], input);

  before(async () => {
    server = await BosunProcess.start({
      config: [
        "projects:",
        // No subscription: a project may take events from the API alone.
        "  - name: app",
        "    script: ./brigade.js",
        "    events:",
        "      - { source: brigade.sh/cli, types: [exec] }",
        '      - { source: example.com/ci, types: ["*"] }',
        "  - name: closed",
        "    script: ./brigade.js",
        "    subscriptions: [{ registry: dockerhub }]",
      ].join("\n"),
      files: { "brigade.js": SCRIPT },
    });
    dir = server.dir;
  });
  after(async () => server?.dispose());

  it("records the event and the worker runs it: v1 and v2 handlers, the payload as given", async () => {
    const r = await cli(
      ["event", "create", "--project", "app", "--type", "exec", "--payload", "-", "--json"],
      "hello",
    );
    expect(r.code, r.stderr).to.equal(0);
    const created = JSON.parse(r.stdout) as { id: string; source: string; type: string };
    expect(created).to.include({ source: "brigade.sh/cli", type: "exec" });
    const [run] = await server.api.finishedRuns(`?event=${created.id}`);
    expect(run!.status).to.equal("succeeded");
    expect(await server.api.logs(run!.id)).to.equal(
      "v1 exec from brigade.sh/cli: hello\nv1 notify: chained\nv2 exec brigade.sh/cli hello\n",
    );
    const stored = await server.api.get<{ payload: string; image?: unknown }>(`/events/${created.id}`);
    expect(stored.payload).to.equal("hello");
    expect(stored).to.not.have.property("image");
  });

  it("takes another source by --source, a type its * entry allows, and prints the event's id", async () => {
    writeFileSync(join(dir, "ci.json"), '{"build": 7}');
    const r = await cli([
      "event",
      "create",
      "--project",
      "app",
      "--source",
      "example.com/ci",
      "--type",
      "release",
      "--payload",
      join(dir, "ci.json"),
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const id = /created event (\S+) \(example.com\/ci release\) for app/.exec(r.stdout)?.[1];
    expect(id, r.stdout).to.be.a("string");
    const [run] = await server.api.finishedRuns(`?event=${id}`);
    expect(await server.api.logs(run!.id)).to.equal('v2 example.com/ci release: {"build": 7}\n');
  });

  it("refuses an event the project has not opted into with 403 EVENT_NOT_SUBSCRIBED, storing nothing", async () => {
    const before = (await server.api.events()).length;
    for (const [project, type] of [
      ["app", "deploy"],
      ["closed", "exec"],
    ] as const) {
      const r = await cli(["event", "create", "--project", project, "--type", type]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain(
        `project "${project}" does not take brigade.sh/cli events of type "${type}"`,
      );
      expect(r.stderr).to.contain("EVENT_NOT_SUBSCRIBED");
    }
    const unknown = await cli(["event", "create", "--project", "nobody", "--type", "exec"]);
    expect(unknown.stderr).to.contain('no project "nobody"');
    expect((await server.api.events()).length).to.equal(before);
  });

  it("answers a malformed body with 400 PAYLOAD_MALFORMED naming each field, and no token with 401", async () => {
    const token = readFileSync(join(dir, "data", "admin-token"), "utf8").trim();
    const post = (body: unknown, auth = `Bearer ${token}`) =>
      fetch(`${server.url}/api/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify(body),
      });
    const bad = await post({ project: "app", type: "", payload: 5, labels: { a: 1 }, colour: "red" });
    expect(bad.status).to.equal(400);
    const answer = (await bad.json()) as {
      error: { code: string };
      problems: { path: string; expected: string; found: string }[];
    };
    expect(answer.error.code).to.equal("PAYLOAD_MALFORMED");
    expect(answer.problems.map((p) => [p.path, p.found])).to.deep.equal([
      ["type", '""'],
      ["payload", "number 5"],
      ["labels", "an object"],
      ["colour", '"red"'],
    ]);
    expect(answer.problems[1]!.expected).to.contain("a string");
    expect((await post({ project: "app", type: "exec" }, "Bearer wrong")).status).to.equal(401);
  });
});
