/**
 * Every real Brigade v1 script, bundled where it lies and run with a recording runJob: the jobs each
 * starts (names, images) and a successful outcome. The scripts are the repository's copies in
 * fixtures/brigade, and those in ../shared/fixtures/brigade as well when it sits beside the checkout.
 */
import type { ImagePushEvent, JobSpec } from "@bosun/core";
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ScriptEvent } from "../src/index.js";
import { scriptEventFromPush } from "../src/sandbox/isolated/host.js";
import { execEvent, repoRoot, runFixture } from "./sandbox-harness.test.js";

const copies = join(repoRoot, "fixtures");
const sharedScripts = join(repoRoot, "..", "shared", "fixtures", "brigade");
const payload = (registry: string, file: string) =>
  readFileSync(join(copies, "registries", registry, file), "utf8");

function push(source: "acr" | "dockerhub", body: string, image: ImagePushEvent["image"]): ScriptEvent {
  const event: ImagePushEvent = {
    id: "01J00000000000000000000000",
    project: "demo",
    source,
    type: "image_push",
    image,
    payload: body,
    deliveryId: "delivery-1",
    receivedAt: "2024-01-01T00:00:00Z",
  };
  return scriptEventFromPush(event, { buildID: "build-1" });
}

const acrPush = () =>
  push("acr", payload("acr", "msdocs_push.json"), {
    registry: "myregistry.azurecr.io",
    repository: "hello-world",
    tag: "v1",
    ref: "myregistry.azurecr.io/hello-world:v1",
  });
const dockerHubPush = () =>
  push("dockerhub", payload("dockerhub", "docs_current_push.json"), {
    registry: "docker.io",
    repository: "svendowideit/testhook",
    tag: "latest",
    ref: "docker.io/svendowideit/testhook:latest",
  });

interface Expectation {
  event: () => ScriptEvent;
  jobs: [name: string, image: string][];
  output: string[];
  check?: (specs: JobSpec[]) => void;
}

const EXPECTED: Record<string, Expectation> = {
  "01-image-push-acr.js": { event: acrPush, jobs: [], output: ["image version: v1"] },
  "02-smoke-test-pushed-image.js": {
    event: dockerHubPush,
    jobs: [["smoke", "svendowideit/testhook:latest"]],
    output: [
      "smoke test of svendowideit/testhook:latest said: output of smoke",
      "build build-1 done for demo",
    ],
    check: ([smoke]) =>
      expect(smoke).to.deep.include({ tasks: ["echo running smoke test", "ls /"], timeoutMs: 60000 }),
  },
  "03-groups.js": {
    event: () => execEvent(),
    jobs: [
      ["lint", "alpine:3.20"],
      ["unit", "alpine:3.20"],
      ["scan", "alpine:3.20"],
    ],
    output: ["scan finished: output of scan"],
    check: ([lint, , scan]) => {
      expect(lint?.env).to.deep.equal({ TARGET: "service" });
      expect(scan?.env).to.deep.equal({ SCAN_TOKEN: "scan-token-value" });
    },
  },
  "04-storage-and-cache.js": {
    event: () => execEvent(),
    jobs: [
      ["write", "alpine:3.20"],
      ["read", "alpine:3.20"],
    ],
    output: ["read back: output of read"],
    check: ([write, read]) => {
      expect(write?.storage).to.deep.equal({ enabled: true, path: "/mnt/brigade/share" });
      expect(read?.cache).to.include({ enabled: true, path: "/mnt/brigade/cache" });
    },
  },
  "05-try-catch.js": {
    event: () => execEvent(),
    jobs: [["flaky", "alpine:3.20"]],
    output: [
      "second handler saw event exec from cli",
      'flaky failed as expected: job "flaky" failed with exit code 3',
    ],
  },
  "06-dockerhub-logs.js": {
    event: dockerHubPush,
    jobs: [],
    output: ["{", "  callback_url: 'https://registry.hub.docker.com/"],
  },
};

describe("sandbox: the real Brigade v1 scripts, unmodified", function () {
  this.timeout(30_000);
  const folders = [{ label: "fixtures/brigade", scripts: join(copies, "brigade") }];
  if (existsSync(sharedScripts))
    folders.push({ label: "../shared/fixtures/brigade", scripts: sharedScripts });
  else
    before(() =>
      console.log(
        "    ../shared/fixtures not present: its Brigade scripts not tried (the copies in fixtures/ were)",
      ),
    );
  for (const { label, scripts } of folders) describe(label, () => brigadeScriptTests(scripts));
});

function brigadeScriptTests(scripts: string): void {
  it(`finds the scripts in ${scripts}`, () => {
    expect(
      readdirSync(scripts)
        .filter((f) => f.endsWith(".js"))
        .sort(),
    ).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: starts ${expected.jobs.map(([name]) => name).join(", ") || "no job"} and succeeds`, async () => {
      const run = await runFixture(join(scripts, file), {
        event: expected.event(),
        project: { name: "demo", secrets: { scanToken: "scan-token-value" } },
        answer: (spec) =>
          spec.name === "flaky" ? { outcome: "failed", exitCode: 3, output: "about to fail\n" } : {},
      });
      expect(run.outcome, run.output()).to.deep.equal({ status: "succeeded", handled: true });
      expect(run.specs.map((s) => [s.name, s.image])).to.deep.equal(expected.jobs);
      for (const line of expected.output) expect(run.output()).to.include(line);
      expected.check?.(run.specs);
    });
  }
}
