/**
 * A Dispatchfile run on the kubernetes executor (the API stand-in, pods on Podman): the worker clones
 * the task's git input into the task's workspace under its data dir, and the task's steps, each a
 * pod, see that workspace through the claim the data dir is on (`kubernetes.pathClaims`), one step's
 * files reaching the next.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSqliteStore, type Store } from "@bosun/store";
import { runPush, testProject } from "./support/runs.js";
import { kubernetesExecutorFrom, type KubernetesExecutor } from "@bosun/executors";
import { DispatchfileHandler } from "../src/handlers/dispatchfile/index.js";
import {
  git,
  KubeStandin,
  TEST_IMAGE,
  ensureTestImage,
  startDockerSocket,
  type DockerSocket,
} from "@bosun/test-support";

const NS = "jobs";
const DATA_CLAIM = "bosun-data";

const dispatchfile = (repo: string) => `#!mesosphere/dispatch-cue:v0.7
resource "src": {
  type: "git"
  param url: "${repo}"
  param revision: "main"
}
task "build": {
  inputs: ["src"]
  steps: [
    { name: "write", image: "${TEST_IMAGE}", script: "cat /workspace/src/README > /workspace/built && echo wrote" },
    { name: "read", image: "${TEST_IMAGE}", script: "echo read: $(cat /workspace/built)" }
  ]
}
actions: [{ tasks: ["build"], on image push: tags: ["v*"] }]
`;

describe("Dispatchfile on the kubernetes executor (API stand-in, pods on Podman)", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let standin: KubeStandin;
  let dir: string;
  let store: Store;
  let executor: KubernetesExecutor;

  before(async function () {
    ensureTestImage();
    socket = await startDockerSocket();
    standin = await KubeStandin.start({ socketPath: socket.socketPath, namespaces: [NS] });
  });
  after(async function () {
    await standin?.stop();
    await socket?.stop();
  });
  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), "bosun-kube-dispatchfile-"));
    store = await openSqliteStore({ dataDir: join(dir, "store") });
  });
  afterEach(async function () {
    await executor?.close();
    await store?.close();
    standin.removeClaim(NS, DATA_CLAIM);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the project's Dispatchfile for a push of v1, the worker's data dir being `dataDir`. */
  async function runOnCluster(dataDir: string, pathClaims: { path: string; claim: string }[]) {
    const repo = join(dir, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet", "--initial-branch=main");
    writeFileSync(join(repo, "README"), "from the repository\n");
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "first");
    writeFileSync(join(dir, "Dispatchfile"), dispatchfile(repo));

    executor = kubernetesExecutorFrom({
      kubeconfig: standin.kubeconfigFile(NS),
      namespace: NS,
      pathClaims,
      keepPodsMs: 60_000,
      watchRetryDelayMs: 100,
      imagePullTimeoutMs: 10_000,
    });
    const handler = new DispatchfileHandler({ workDir: dataDir });
    const project = testProject({
      name: "app",
      dispatchfile: { path: join(dir, "Dispatchfile") },
      executor: "kubernetes",
    });
    const { run, log } = await runPush(store, project, {
      handlerFor: () => handler,
      executorFor: () => executor,
    });
    const jobs = await store.listJobs(run.id);
    // Kept for a while after each job (keepPodsMs), so the test can read what was created.
    const podsCreated = standin
      .list("pods", NS, { "bosun.run": run.id })
      .map((pod) => pod.spec as unknown as PodSpecWithVolumes);
    return { run, jobs, log, podsCreated };
  }

  it("gives the task's pods its workspace, with the git input the worker cloned, through the data claim", async function () {
    // As in a cluster: the worker's data dir is the claim's root, mounted in the worker's pod.
    const dataDir = standin.claimPath(NS, DATA_CLAIM);
    mkdirSync(dataDir, { recursive: true });
    const { run, jobs, log, podsCreated } = await runOnCluster(dataDir, [
      { path: dataDir, claim: DATA_CLAIM },
    ]);
    expect(run.status, log).to.equal("succeeded");
    expect(jobs.map((j) => [j.name, j.status])).to.deep.equal([
      ["build-write", "succeeded"],
      ["build-read", "succeeded"],
    ]);
    expect(log).to.contain("wrote\n");
    expect(log).to.contain("read: from the repository\n");
    // Each step's pod mounted the data claim at the task's workspace subPath.
    expect(podsCreated).to.have.length(2);
    for (const spec of podsCreated) {
      expect(spec.volumes).to.deep.include({
        name: "path-0",
        persistentVolumeClaim: { claimName: DATA_CLAIM },
      });
      expect(spec.containers[0]!.volumeMounts).to.deep.include({
        name: "path-0",
        mountPath: "/workspace",
        subPath: `runs/${run.id}/tasks/build`,
      });
    }
  });

  it("without a claim for the data dir, fails the task saying what to configure, and creates no pod", async function () {
    const dataDir = join(dir, "data");
    const { run, jobs, log, podsCreated } = await runOnCluster(dataDir, []);
    expect(run.status).to.equal("failed");
    expect(jobs[0]!.error?.code).to.equal("KUBERNETES_INVALID_JOB");
    expect(jobs[0]!.error?.message).to.contain("kubernetes.pathClaims");
    expect(log).not.to.contain("wrote");
    expect(podsCreated).to.deep.equal([]);
  });
});

interface PodSpecWithVolumes {
  volumes: unknown[];
  containers: { volumeMounts: unknown[] }[];
}
