/**
 * util, assert, url, path and events, as scripts require them (also under node:), run in a real
 * isolate as pure JavaScript; the rest of Node stays refused, and the script still has no process.
 */
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleScript } from "../src/index.js";
import { fixture, runFixture } from "./sandbox-harness.test.js";

describe("sandbox: safe Node built-ins", function () {
  this.timeout(30_000);

  it("runs a script that formats with util, checks with assert, builds paths and URLs, and emits events", async () => {
    const { outcome, output } = await runFixture(fixture("safe-builtins", "brigade.js"), {
      limits: { memoryMb: 64, timeoutMs: 10_000, cpuMs: 5_000 },
    });
    expect(outcome, output()).to.deep.include({ status: "succeeded" });
    const text = output();
    expect(text).to.include('format: team/app has 2 tags {"latest":true}');
    expect(text).to.include("inspect: { image: 'team/app', tags: [ 'v1', 'v2' ] }");
    expect(text).to.include("types: true true");
    expect(text).to.include("promisify: 42");
    expect(text).to.include("assert: AssertionError tags differ true");
    expect(text).to.include("path: /workspace/charts/values.yaml c .yaml /rel");
    expect(text).to.include("url: registry.example.com:5000 /v2/team/app/manifests/v1 ?x=1&tag=v+2");
    expect(text).to.include("url.parse: example.com 2");
    expect(text).to.include("events: deployed v1");
    expect(text).to.include("listeners left: 0");
    // The ports' own `process` is local to them: the script sees none.
    expect(text).to.include("process in the script: undefined");
  });

  describe("everything else stays refused", () => {
    let temp: string;
    beforeEach(async () => (temp = await mkdtemp(join(tmpdir(), "bosun-safe-"))));
    afterEach(() => rm(temp, { recursive: true, force: true }));

    for (const specifier of [
      "fs",
      "node:fs",
      "child_process",
      "net",
      "http",
      "process",
      "node:process",
      "os",
    ]) {
      it(`refuses "${specifier}" with SCRIPT_FORBIDDEN_IMPORT`, async () => {
        await writeFile(join(temp, "brigade.js"), `require(${JSON.stringify(specifier)});\n`);
        const problem = (await bundleScript(temp)).errors![0]!;
        expect(problem.code).to.equal("SCRIPT_FORBIDDEN_IMPORT");
        expect(problem.message).to.include(`imports "${specifier}"`);
      });
    }
  });
});
