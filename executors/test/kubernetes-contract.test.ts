/**
 * The kubernetes executor runs the shared executor contract against a Kubernetes API stand-in
 * (test/support/kube-standin) whose pods run for real on Podman: the same jobs, the same checks as
 * docker and host, with one limitation declared (see below). Then a few checks that the stand-in
 * behaves like an API server rather than a pass-through: schema validation, dropped and expired
 * watches, a dropped log stream, claims with subPaths, owner references, and nothing left in Podman afterwards.
 */
import type { JobSpec } from "@bosun/core";
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerClient } from "../src/docker/index.js";
import { kubernetesExecutorFrom } from "../src/kubernetes/from-config.js";
import { KUBERNETES_JOB_SUPPORT, type KubernetesExecutor } from "../src/kubernetes/index.js";
import { executorContract } from "./executor-contract.js";
import {
  KubeStandin,
  TEST_IMAGE,
  ensureTestImage,
  startDockerSocket,
  startRegistry,
  type DockerSocket,
} from "@bosun/test-support";

const NS = "jobs";

describe("kubernetes executor on the API stand-in (pods run on Podman)", function () {
  this.timeout(120_000);
  let socket: DockerSocket;
  let standin: KubeStandin;
  const runId = randomBytes(4).toString("hex");

  before(async function () {
    ensureTestImage();
    socket = await startDockerSocket();
    standin = await KubeStandin.start({ socketPath: socket.socketPath, namespaces: [NS] });
  });
  after(async function () {
    await standin?.stop();
    await socket?.stop();
  });

  /** Built as the worker builds it: from a kubeconfig file, with the claims for storage and cache. */
  const executorOn = (): KubernetesExecutor =>
    kubernetesExecutorFrom({
      kubeconfig: standin.kubeconfigFile(NS),
      namespace: NS,
      workspaceClaim: "bosun-workspaces",
      cacheClaim: "bosun-cache",
      watchRetryDelayMs: 100,
      imagePullTimeoutMs: 10_000,
    });

  executorContract(
    "kubernetes (API stand-in running pods on Podman)",
    async () => {
      const executor = executorOn();
      return {
        executor,
        image: TEST_IMAGE,
        leftovers: (labels) => standin.leftovers(NS, labels),
        // JobMount.source names a PersistentVolumeClaim on kubernetes; both jobs mount its root.
        sharedMount: async () => {
          const claim = `shared-${randomBytes(3).toString("hex")}`;
          return { source: claim, cleanup: async () => standin.removeClaim(NS, claim) };
        },
        cleanup: () => executor.close(),
      };
    },
    KUBERNETES_JOB_SUPPORT,
    {
      separateStderr:
        "pods/log serves a container's stdout and stderr as one log (split streams need the alpha PodLogsQuerySplitStreams gate)",
    },
  );

  describe("what the stand-in checks", function () {
    let executor: KubernetesExecutor;
    let n = 0;
    before(function () {
      executor = executorOn();
    });
    after(async function () {
      await executor?.close();
    });

    const job = (extra: Partial<JobSpec> = {}): JobSpec => {
      const name = `standin-${runId}-${++n}`;
      return { name, image: TEST_IMAGE, tasks: [], env: {}, labels: { "bosun.test/job": name }, ...extra };
    };
    const run = (spec: JobSpec) => executor.run(spec, { signal: new AbortController().signal });
    const watchesOf = (pod: string) =>
      standin.received.filter(
        (r) => r.query.watch === "true" && r.query.fieldSelector === `metadata.name=${pod}`,
      );

    it("refuses an invalid pod with 422 and a Status; the job fails saying why, and nothing is left", async function () {
      const spec = job({ tasks: ["echo never"], env: { A: "b" }, resourceLimits: { cpu: "lots" } });
      const result = await run(spec);
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("KUBERNETES_INVALID");
      expect(result.error?.message).to.match(/^creating pod bosun-standin-[-0-9a-f]+ in namespace jobs: /);
      expect(result.error?.message).to.include("spec.containers[0].resources.limits.cpu");
      expect(result.error?.message).to.include("(HTTP 422)");
      // The env Secret was created before the pod was refused, and deleted by the executor.
      expect(standin.received.some((r) => r.method === "POST" && r.path.endsWith("/secrets"))).to.equal(true);
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("runs sidecars beside the job on its localhost, stopped and removed with the pod", async function () {
      const spec = job({
        tasks: [
          "for i in $(seq 100); do wget -q -O - http://127.0.0.1:8081/ && exit 0; sleep 0.1; done; exit 1",
        ],
        sidecars: [
          {
            name: "web",
            image: TEST_IMAGE,
            command: [
              "/bin/sh",
              "-c",
              "mkdir -p /tmp/w && echo up > /tmp/w/index.html && exec httpd -f -p 8081 -h /tmp/w",
            ],
            env: {},
          },
          { name: "idle", image: TEST_IMAGE, command: ["sleep", "300"], env: {} },
        ],
      });
      const result = await run(spec);
      expect(result.outcome, result.output).to.equal("succeeded");
      expect(result.output).to.equal("up\n");
      // The sidecars' containers (an idle one among them) went with the pod.
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("refuses init containers that are not sidecars (400) and restartPolicy on a main container (422)", async function () {
      const post = (pod: object) =>
        fetch(`${standin.url}/api/v1/namespaces/${NS}/pods`, {
          method: "POST",
          headers: { authorization: `Bearer ${standin.token}`, "content-type": "application/json" },
          body: JSON.stringify(pod),
        });
      const pod = (spec: object) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `strict-${runId}-${++n}`, namespace: NS },
        spec: { restartPolicy: "Never", containers: [{ name: "job", image: TEST_IMAGE }], ...spec },
      });
      const plainInit = await post(pod({ initContainers: [{ name: "setup", image: TEST_IMAGE }] }));
      expect(plainInit.status).to.equal(400);
      expect(await plainInit.text()).to.include("initContainers other than sidecars");
      const onMain = await post(
        pod({ containers: [{ name: "job", image: TEST_IMAGE, restartPolicy: "Always" }] }),
      );
      expect(onMain.status).to.equal(422);
      expect(await onMain.text()).to.include("may not be set for non-init containers");
      const badSidecar = await post(
        pod({ initContainers: [{ name: "s", image: TEST_IMAGE, restartPolicy: "OnFailure" }] }),
      );
      expect(badSidecar.status).to.equal(422);
      expect(await badSidecar.text()).to.include("spec.initContainers[0].restartPolicy");
    });

    it("refuses what the schemas allow but the API server does not (requests above limits)", async function () {
      const spec = job({
        tasks: ["echo never"],
        resourceRequests: { cpu: "2" },
        resourceLimits: { cpu: "500m" },
      });
      const result = await run(spec);
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("KUBERNETES_INVALID");
      expect(result.error?.message).to.include("must be less than or equal to cpu limit of 500m");
    });

    it("resumes a watch dropped mid-run from its last resourceVersion, and the job completes", async function () {
      const spec = job({ tasks: ["echo before-drop", "sleep 2", "echo after-drop"] });
      const running = run(spec);
      await standin.untilLogged(NS, spec.labels, "before-drop");
      const pod = (await standin.untilPhase(NS, spec.labels, "Running")).metadata.name;
      expect(standin.dropWatches()).to.be.at.least(1);
      const result = await running;
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("before-drop\nafter-drop\n");
      const watches = watchesOf(pod);
      expect(watches.length).to.be.at.least(2);
      expect(watches[1]?.query.resourceVersion).to.match(/^\d+$/);
      expect(Number(watches[1]?.query.resourceVersion)).to.be.greaterThan(
        Number(watches[0]?.query.resourceVersion),
      );
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("lists afresh when the resourceVersion has expired (410 Gone), and the job completes", async function () {
      const spec = job({ tasks: ["echo before-expiry", "sleep 2", "echo after-expiry"] });
      const running = run(spec);
      await standin.untilLogged(NS, spec.labels, "before-expiry");
      const pod = (await standin.untilPhase(NS, spec.labels, "Running")).metadata.name;
      const before = standin.received.length;
      standin.expireHistory();
      standin.dropWatches();
      const result = await running;
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("before-expiry\nafter-expiry\n");
      const after = standin.received.slice(before);
      const relist = after.findIndex(
        (r) =>
          r.method === "GET" &&
          r.query.watch === undefined &&
          r.query.fieldSelector === `metadata.name=${pod}`,
      );
      expect(relist, "a list after the 410").to.be.at.least(1);
      expect(after.slice(relist).some((r) => r.query.watch === "true")).to.equal(true);
    });

    it("streams the log while the pod runs, and resumes a dropped log stream without repeating or losing any", async function () {
      const spec = job({ tasks: ["echo before-drop", "sleep 2", "echo after-drop"] });
      let streamed = "";
      let seen: () => void = () => undefined;
      const before = new Promise<void>((resolve) => (seen = resolve));
      const running = executor.run(spec, {
        signal: new AbortController().signal,
        onOutput: (text) => {
          streamed += text;
          if (streamed.includes("before-drop")) seen();
        },
      });
      await before;
      const [pod] = standin.list("pods", NS, spec.labels);
      expect(pod?.status?.phase, "the pod still runs when its first line arrives").to.equal("Running");
      expect(standin.dropLogs()).to.be.at.least(1);
      const result = await running;
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("before-drop\nafter-drop\n");
      expect(streamed).to.equal(result.output);
      const follows = standin.received.filter(
        (r) => r.path.endsWith(`/pods/${pod?.metadata.name}/log`) && r.query.follow === "true",
      );
      expect(follows.length).to.be.at.least(2);
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("gives the jobs of a run one workspace and keeps a project's cache across runs (claims, subPaths)", async function () {
      const project = `shop-${runId}`;
      const onKube = (runName: string, name: string, tasks: string[]) =>
        job({
          name,
          tasks,
          labels: { "bosun.project": project, "bosun.run": runName, "bosun.job": `${runName}-${name}` },
          storage: { enabled: true, path: "/workspace" },
          cache: { enabled: true, path: "/cache", size: "1Gi" },
        });
      const first = await run(
        onKube("run-1", "build", ["echo from-build > /workspace/made", "echo hit >> /cache/hits"]),
      );
      expect(first.outcome).to.equal("succeeded");
      const second = await run(onKube("run-1", "check", ["cat /workspace/made"]));
      expect(second.output).to.equal("from-build\n");
      const next = await run(
        onKube("run-2", "build", [
          "test ! -e /workspace/made && echo fresh-workspace",
          "echo hit >> /cache/hits",
          "cat /cache/hits",
        ]),
      );
      expect(next.outcome).to.equal("succeeded");
      expect(next.output).to.equal("fresh-workspace\nhit\nhit\n");
      // Where volumes.ts puts them: <claim>/<project>/<run> and <claim>/<project>/<job name>.
      const workspace = join(standin.claimPath(NS, "bosun-workspaces"), project, "run-1", "made");
      expect(readFileSync(workspace, "utf8")).to.equal("from-build\n");
      expect(
        readFileSync(join(standin.claimPath(NS, "bosun-cache"), project, "build", "hits"), "utf8"),
      ).to.equal("hit\nhit\n");
    });

    it("makes the pod the owner of its env Secret, which goes with the pod", async function () {
      const spec = job({ tasks: ['echo "v=$VALUE"', "sleep 1"], env: { VALUE: "from-the-secret" } });
      const running = run(spec);
      const pod = await standin.untilPhase(NS, spec.labels, "Running");
      const [secret] = standin.list("secrets", NS, spec.labels);
      expect(secret?.metadata.ownerReferences).to.deep.equal([
        { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid },
      ]);
      const result = await running;
      expect(result.output).to.equal("v=from-the-secret\n");
      // Only the pod was deleted; the Secret went through garbage collection.
      const deletes = standin.received.filter(
        (r) => r.method === "DELETE" && r.path.includes(pod.metadata.name),
      );
      expect(deletes.map((r) => r.path.split("/").at(-2))).to.deep.equal(["pods"]);
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("reports a missing image as IMAGE_PULL_FAILED, with the kubelet's reason", async function () {
      const quick = kubernetesExecutorFrom({
        kubeconfig: standin.kubeconfigFile(NS),
        namespace: NS,
        imagePullTimeoutMs: 1_500,
      });
      const spec = job({ image: "127.0.0.1:9/nowhere/app:v1", tasks: ["echo never"] });
      const result = await quick.run(spec, { signal: new AbortController().signal });
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
      expect(result.error?.message).to.match(/ErrImagePull|ImagePullBackOff/);
      expect(await standin.leftovers(NS, spec.labels)).to.equal(0);
    });

    it("pulls a private image with the job's registry-login Secret, and fails the pull without it", async function () {
      const login = { username: "ci-bot", password: "pull-secret-K8s-4v2" };
      const registry = await startRegistry({ auth: { users: [login] } });
      const client = new DockerClient({ socketPath: socket.socketPath });
      try {
        const image = (await registry.push("team/private", "v1")).ref;
        await client.removeImage(image, true);
        const registryCredentials = [{ registry: registry.host, ...login }];
        const pulled = await run(
          job({
            image,
            tasks: ["echo pulled-privately"],
            registryCredentials,
            secretValues: [login.password],
          }),
        );
        expect(pulled.outcome).to.equal("succeeded");
        expect(pulled.output).to.equal("pulled-privately\n");
        await client.removeImage(image, true);
        const quick = kubernetesExecutorFrom({
          kubeconfig: standin.kubeconfigFile(NS),
          namespace: NS,
          imagePullTimeoutMs: 1_500,
        });
        const refused = await quick.run(job({ image, tasks: ["echo never"] }), {
          signal: new AbortController().signal,
        });
        expect(refused.outcome).to.equal("failed");
        expect(refused.error?.code).to.equal("IMAGE_PULL_FAILED");
        await client.removeImage(image, true);
      } finally {
        client.close();
        await registry.stop();
      }
    });

    // Kubernetes expands `$(NAME)` (a variable of the container) and turns `$$` into `$` in command
    // and args; pod.ts escapes every `$` so the shell gets the tasks as written, as on docker and host.
    it("runs tasks with `$$` and `$(NAME)` as the shell wrote them", async function () {
      const result = await run(
        job({
          tasks: ['test "$$" = 1 && echo pid-one', 'echo "[$(GREETING)]" 2>&1 || true'],
          env: { GREETING: "hi" },
        }),
      );
      expect(result.output).to.include("pid-one\n");
      expect(result.output).to.not.include("[hi]");
    });
  });

  describe("after the suite", function () {
    it("leaves no container of the stand-in in Podman, and no pod or Secret in the API", async function () {
      await standin.settled();
      expect(await standin.containers()).to.equal(0);
      expect(standin.list("pods", NS)).to.deep.equal([]);
      expect(standin.list("secrets", NS)).to.deep.equal([]);
    });
  });
});
