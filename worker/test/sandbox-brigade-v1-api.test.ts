/**
 * brigadier's v1 API as real scripts use it, through the real sandbox: what Bosun honours, what it
 * accepts without effect, and what it refuses (with an error the script can catch).
 */
import { expect } from "chai";
import { execEvent, fixture, runFixture } from "./sandbox-harness.test.js";

const project = {
  name: "demo",
  secrets: { password: "hunter2-registry", token: "unused" },
};

describe("sandbox: brigadier's v1 API", function () {
  this.timeout(20_000);

  it("runs a script using the v1 Job, Group, event and project fields", async () => {
    const run = await runFixture(fixture("brigade-v1-api", "brigade.js"), {
      event: execEvent({ revision: { commit: "c0ffee" } }),
      project: { ...project, secrets: { password: "hunter2-registry" } },
    });
    expect(run.outcome, run.output()).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.specs.map((s) => s.name)).to.deep.equal(["build", "notify", "build-2"]);

    const [build] = run.specs;
    expect(build).to.deep.include({
      image: "golang:1.22",
      tasks: ["go build ./...", "go test ./..."],
      imageForcePull: true,
      timeoutMs: 900000,
      serviceAccount: "builder",
      imagePullSecrets: ["regcred"],
      annotations: { team: "platform" },
      resourceRequests: { cpu: "500m" },
      resourceLimits: { memory: "1Gi" },
    });
    // streamLogs is accepted and not carried: output always reaches the run's log.
    expect(build).to.not.have.property("streamLogs");
    // secretKeyRef reads the project secret name/key, else key; optional and null ones become "".
    expect(build!.env).to.deep.equal({
      GOFLAGS: "-mod=mod",
      REGISTRY_PASSWORD: "hunter2-registry",
      OPTIONAL_TOKEN: "",
      EMPTY: "",
    });
    // host.nodeSelector is a Map in brigadier; it arrives as labels.
    expect(build!.host).to.deep.equal({
      os: "linux",
      name: undefined,
      nodeSelector: { "node-role.kubernetes.io/ci": "true" },
    });
    expect(build!.cache).to.deep.equal({ enabled: true, path: "/mnt/brigade/cache", size: "1Gi" });

    const out = run.output();
    for (const line of [
      "event exec from cli, build build-1, worker worker-1, logLevel 0\n",
      "revision c0ffee\n",
      "project demo (demo), repo demo []\n",
      'namespace "", build storage 50Mi\n',
      "privileged false, host mounts false\n",
      'pod name before run: ""\n',
      "group of 2\n",
      "results: output of build | output of notify\n",
      "pod name after run: build\n",
      "logs: output of build\n",
      "pod name of the second run: build-2\n",
      "after: success, logLevel 0\n",
    ])
      expect(out).to.include(line);
    expect(out).to.include("env EMPTY is null; the job gets an empty string");
  });

  it("refuses volumes and Kubernetes-only env references, with errors the script can catch", async () => {
    const run = await runFixture(fixture("brigade-v1-refused", "brigade.js"), {
      project: { name: "demo", secrets: { password: "p" } },
    });
    expect(run.outcome, run.output()).to.deep.equal({ status: "succeeded", handled: true });
    expect(run.specs).to.deep.equal([]);
    expect(run.output().split("\n").filter(Boolean)).to.deep.equal([
      'kind: job "kind": volumeConfig asks for Kubernetes volumes, which Bosun does not mount: use job.storage (a workspace shared by the run\'s jobs) or job.cache (kept across runs)',
      'config: job "config": env.LEVEL: configMapKeyRef reads a Kubernetes object, which Bosun does not do: set the value itself (p.secrets.NAME for a secret)',
      'secret: job "secret": env.TOKEN: secretKeyRef names the secret "github/token" or "token", which the project does not have: add it to the project\'s secrets (its value is redacted from logs like every project secret)',
      'shape: job "shape": env.ODD: expected a string or { secretKeyRef: { name, key } }, found an object with keys value',
      'selector: job "selector": host.nodeSelector: zone must be a string, not object',
    ]);
  });
});
