/** `bosun dispatchfile check|match`, spawned as a user runs it. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { REPO_ROOT, realFixture } from "./support/fixtures.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");

async function bosun(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--no-node-snapshot", BIN, ...args], {
      cwd: REPO_ROOT,
      timeout: 30_000,
    });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe("bosun dispatchfile", function () {
  this.timeout(30_000);
  const real = (name: string) => join(realFixture("dispatchfiles"), name);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "bosun-dispatchfile-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("check: a valid file prints ok with a summary and exits 0", async () => {
    const r = await bosun(["dispatchfile", "check", real("release-pipeline.yaml.Dispatchfile")]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /release-pipeline\.yaml\.Dispatchfile: ok \(yaml\): 2 resources, 2 tasks, 2 actions \(2 on image push\)\n$/,
    );
  });

  it("check: every problem as file:line:col: message (expected …, found …) [CODE], exit 1", async () => {
    const file = join(dir, "Dispatchfile");
    writeFileSync(
      file,
      'task "a": { deps: ["x"], steps: [{ name: "s" }] }\nactions: [{ tasks: ["b"], on image push: {} }]\n',
    );
    const r = await bosun(["dispatchfile", "check", file]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr.trimEnd().split("\n")).to.deep.equal([
      `${file}:1:20: unknown task "x" (expected one of the tasks "a", found "x") [DISPATCHFILE_REFERENCE]`,
      `${file}:1:34: step "s" of task "a" has no image (expected image: "<container image>") [DISPATCHFILE_INVALID]`,
      `${file}:2:21: unknown task "b" (expected one of the tasks "a", found "b") [DISPATCHFILE_REFERENCE]`,
    ]);
  });

  it("check: the real broken file names its missing task", async () => {
    const r = await bosun(["dispatchfile", "check", real("broken-missing-task.cue.Dispatchfile")]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('broken-missing-task.cue.Dispatchfile:14:22: unknown task "deploy"');
  });

  it("check --json: the model and summary, or the problems with their paths", async () => {
    const ok = await bosun(["dispatchfile", "check", real("image-push-release.cue.Dispatchfile"), "--json"]);
    expect(ok.code).to.equal(0);
    const body = JSON.parse(ok.stdout) as {
      ok: boolean;
      format: string;
      summary: object;
      dispatchfile: { task: object };
    };
    expect(body).to.deep.include({
      ok: true,
      format: "cue",
      summary: { resources: 1, tasks: 1, actions: 1, imagePushActions: 1 },
    });
    expect(Object.keys(body.dispatchfile.task)).to.deep.equal(["test"]);

    const bad = await bosun([
      "dispatchfile",
      "check",
      real("broken-missing-task.cue.Dispatchfile"),
      "--json",
    ]);
    expect(bad.code).to.equal(1);
    const problems = JSON.parse(bad.stdout) as { ok: boolean; errors: object[] };
    expect(problems.ok).to.equal(false);
    expect(problems.errors[0]).to.deep.include({
      code: "DISPATCHFILE_REFERENCE",
      path: "actions[0].tasks[1]",
      line: 14,
      column: 22,
    });
  });

  it("check: warnings go to stderr and do not fail the check", async () => {
    const file = join(dir, "helpers.Dispatchfile");
    writeFileSync(file, 'user: "me"\ntask "t": steps: [{ image: user + "/tool" }]\n');
    const r = await bosun(["dispatchfile", "check", file]);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal(
      `${file}:1:1: warning: top-level field "user" is not part of the Dispatchfile schema; ignored [DISPATCHFILE_UNSUPPORTED]\n`,
    );
  });

  it("match: which actions and tasks a tag runs, in order", async () => {
    const file = real("release-pipeline.cue.Dispatchfile");
    const r = await bosun(["dispatchfile", "match", file, "--tag", "v1.2", "--repository", "example/app"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(
      [
        "push of example/app:v1.2: 1 action matches",
        '  actions[0]: tags ["v*","!*-rc*"] → verify, publish',
        "tasks, in order: verify → publish",
        "",
      ].join("\n"),
    );
    const none = await bosun(["dispatchfile", "match", file, "--tag", "latest"]);
    expect(none.code).to.equal(0);
    expect(none.stdout).to.equal("push of latest: no action matches; nothing would run\n");
  });

  it("match --json: the seed example runs test on release and nothing on v1", async () => {
    const file = real("image-push-release.cue.Dispatchfile");
    const release = await bosun([
      "dispatchfile",
      "match",
      file,
      "--tag",
      "release",
      "--repository",
      "example/app",
      "--json",
    ]);
    expect(JSON.parse(release.stdout)).to.deep.equal({
      repository: "example/app",
      tag: "release",
      actions: [0],
      tasks: ["test"],
    });
    const v1 = await bosun(["dispatchfile", "match", file, "--tag", "v1", "--json"]);
    expect(JSON.parse(v1.stdout)).to.deep.equal({ tag: "v1", actions: [], tasks: [] });
  });

  it("match: a file with problems prints them and exits 1; --tag is required", async () => {
    const broken = await bosun([
      "dispatchfile",
      "match",
      real("broken-missing-task.cue.Dispatchfile"),
      "--tag",
      "v1",
    ]);
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.include('unknown task "deploy"');
    const noTag = await bosun(["dispatchfile", "match", real("image-push-release.cue.Dispatchfile")]);
    expect(noTag.code).to.not.equal(0);
    expect(noTag.stderr).to.include("--tag");
  });

  it("reports a missing file with its code", async () => {
    const r = await bosun(["dispatchfile", "check", join(dir, "nope")]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/nope: cannot read Dispatchfile: .* \[DISPATCHFILE_NOT_FOUND\]/);
  });
});
