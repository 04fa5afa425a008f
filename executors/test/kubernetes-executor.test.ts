/**
 * The kubernetes executor against recorded API exchanges (no Kubernetes API server runs in the test environment).
 *
 * Each fixture in fixtures/kubernetes/ is one job's conversation with the API server, in order: the
 * request expected (method, path, the query parameters that matter) and the response recorded for it
 * (a JSON body, a log text, a watch stream of newline-delimited events, or a followed log in chunks,
 * each stream then closing, dropping the connection or staying open). The fake server below replays
 * it to the real @kubernetes/client-node, refuses any request that is not the next one expected, and
 * keeps every request, so a test can also check what was sent. The log is followed while the pod is
 * watched, so pods/log requests are in their own order: each is matched against the next recorded
 * pods/log exchange, every other request against the next other one. Generated names come in through placeholders:
 * {{secret}}, {{pullSecret}} and {{pod}} are the names the executor chose in its create requests
 * (the env Secret, the registry-login Secret, the Pod).
 */
import type { JobResult, JobSpec } from "@bosun/core";
import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { KubernetesExecutor, toPod, type KubernetesExecutorOptions } from "../src/kubernetes/index.js";

interface Exchange {
  method: string;
  path: string;
  query?: Record<string, string>;
  status: number;
  body?: unknown;
  text?: string;
  events?: unknown[];
  /** Between two watch events; default 20 ms. */
  eventGapMs?: number;
  /** A followed log: these pieces, 20 ms apart, then the ending. */
  chunks?: string[];
  /** A followed log "close"s this long (default 100 ms) after every recorded watch event was sent. */
  endAfterMs?: number;
  /** "end": a followed log that ends at once after its chunks, before the pod has. */
  then?: "close" | "end" | "drop" | "hold";
}

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  body: string;
}

const fixtures = new URL("../../test/fixtures/kubernetes/", import.meta.url);

class FakeApiServer {
  readonly received: Received[] = [];
  readonly mismatches: string[] = [];
  /** Watch events as they were sent: "<type> <phase>". */
  readonly sent: string[] = [];
  private readonly names = { pod: "", secret: "", pullSecret: "" };
  private readonly played = new Set<number>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly exchanges: Exchange[]) {}

  static async start(fixture: string): Promise<FakeApiServer> {
    const recorded = JSON.parse(readFileSync(new URL(`${fixture}.json`, fixtures), "utf8")) as {
      exchanges: Exchange[];
    };
    const fake = new FakeApiServer(recorded.exchanges);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many watch events the fixture has, in all its watches. */
  private get watchEvents(): number {
    return this.exchanges.reduce((n, e) => n + (e.events?.length ?? 0), 0);
  }

  get unplayed(): number {
    return this.exchanges.length - this.played.size;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private fill(text: string): string {
    return text
      .replaceAll("{{pod}}", this.names.pod)
      .replaceAll("{{secret}}", this.names.secret)
      .replaceAll("{{pullSecret}}", this.names.pullSecret);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://fake");
    const got: Received = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers["content-type"] ?? "",
      body: Buffer.concat(chunks).toString("utf8"),
    };
    this.received.push(got);
    if (got.method === "POST" && got.body) {
      const name = (JSON.parse(got.body) as { metadata?: { name?: string } }).metadata?.name ?? "";
      if (got.path.endsWith("/secrets")) this.names[name.endsWith("-pull") ? "pullSecret" : "secret"] = name;
      if (got.path.endsWith("/pods")) this.names.pod = name;
      this.names.pod ||= (this.names.secret || this.names.pullSecret).replace(/-(env|pull)$/, "");
    }
    const isLog = (path: string) => path.endsWith("/log");
    const next = this.exchanges.findIndex((e, i) => !this.played.has(i) && isLog(e.path) === isLog(got.path));
    const raw = this.exchanges[next];
    const want = raw && (JSON.parse(this.fill(JSON.stringify(raw))) as Exchange);
    const matches =
      want &&
      want.method === got.method &&
      want.path === got.path &&
      Object.entries(want.query ?? {}).every(([k, v]) => got.query[k] === v);
    if (!want || !matches) {
      this.mismatches.push(
        `unexpected ${got.method} ${req.url} (expected ${raw?.method} ${raw?.path} ${JSON.stringify(raw?.query ?? {})})`,
      );
      res.writeHead(500, { "content-type": "application/json" }).end('{"kind":"Status","code":500}');
      return;
    }
    this.played.add(next);
    if (want.events) return this.stream(want, res);
    if (want.chunks) return this.follow(want, res);
    if (want.text !== undefined) {
      res.writeHead(want.status, { "content-type": "text/plain" }).end(want.text);
      return;
    }
    res.writeHead(want.status, { "content-type": "application/json" }).end(JSON.stringify(want.body));
  }

  /** A watch: events as JSON lines, a little apart, then the recorded ending. */
  private async stream(want: Exchange, res: http.ServerResponse): Promise<void> {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    for (const event of want.events ?? []) {
      if (res.destroyed) return;
      res.write(`${JSON.stringify(event)}\n`);
      const e = event as { type: string; object?: { status?: { phase?: string } } };
      this.sent.push(`${e.type} ${e.object?.status?.phase ?? ""}`);
      await sleep(want.eventGapMs ?? 20);
    }
    if (want.then === "close") res.end();
    if (want.then === "drop") {
      // Half an event, then the connection is gone.
      res.write('{"type":"MODIFIED","object":{"kind":"Po');
      await sleep(20);
      res.socket?.destroy();
    }
  }

  /** A followed log: its pieces, a little apart, then the recorded ending. */
  private async follow(want: Exchange, res: http.ServerResponse): Promise<void> {
    res.writeHead(want.status, { "content-type": "text/plain", "transfer-encoding": "chunked" });
    for (const chunk of want.chunks ?? []) {
      if (res.destroyed) return;
      res.write(chunk);
      await sleep(20);
    }
    if (want.then === "close") {
      // As the kubelet's: the stream ends once the container has exited, which the watch reports.
      // So a followed log closes only after every recorded watch event has been sent.
      while (this.sent.length < this.watchEvents && !res.destroyed) await sleep(10);
      await sleep(want.endAfterMs ?? 100);
      res.end();
    }
    if (want.then === "end") res.end();
    // The connection is gone without the stream's last chunk.
    if (want.then === "drop") res.socket?.destroy();
  }
}

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "fake", server, skipTLSVerify: true }],
    users: [{ name: "worker", token: "test-token" }],
    contexts: [{ name: "fake", cluster: "fake", user: "worker", namespace: "jobs" }],
    currentContext: "fake",
  });
  return kc;
}

interface Ran {
  result: JobResult;
  streamed: string;
  /** What onOutput was given, call by call. */
  chunks: string[];
  /** The watch events the server had sent when the first output arrived. */
  firstOutputAfter: string[];
}

const SECRET = "s3cret-value-9f2";
const job = (extra: Partial<JobSpec> = {}): JobSpec => ({
  name: "build",
  image: "registry.example.com/team/app:v1.2.3",
  tasks: ["echo hello", "echo world"],
  env: {},
  labels: { "bosun.project": "shop", "bosun.run": "run-1", "bosun.job": "job-1" },
  ...extra,
});

describe("kubernetes executor (recorded API exchanges)", function () {
  this.timeout(20_000);
  let fake: FakeApiServer | undefined;

  afterEach(async function () {
    await fake?.stop();
    fake = undefined;
  });

  async function run(
    fixture: string,
    spec: JobSpec,
    opts: Partial<KubernetesExecutorOptions> = {},
    signal = new AbortController().signal,
  ): Promise<Ran> {
    fake = await FakeApiServer.start(fixture);
    const executor = new KubernetesExecutor({
      kubeConfig: kubeConfig(fake.url),
      namespace: "jobs",
      imagePullTimeoutMs: 300,
      watchRetryDelayMs: 20,
      ...opts,
    });
    const chunks: string[] = [];
    let firstOutputAfter: string[] | undefined;
    const server = fake;
    const result = await executor.run(spec, {
      signal,
      onOutput: (text) => {
        firstOutputAfter ??= [...server.sent];
        chunks.push(text);
      },
    });
    expect(fake.mismatches).to.deep.equal([]);
    expect(fake.unplayed, "recorded exchanges left unplayed").to.equal(0);
    return { result, streamed: chunks.join(""), chunks, firstOutputAfter: firstOutputAfter ?? [] };
  }

  const logRequests = () => (fake?.received ?? []).filter((r) => r.path.endsWith("/log"));

  const sent = (method: string, pathEnd: string) =>
    fake?.received.find((r) => r.method === method && r.path.endsWith(pathEnd));

  it("runs a job to success: secret, pod, ownerReference, watch, log followed live (redacted), deletion", async function () {
    const spec = job({ env: { TOKEN: SECRET, MODE: "ci" }, secretValues: [SECRET] });
    const { result, streamed, chunks, firstOutputAfter } = await run("success", spec);
    expect(result.outcome).to.equal("succeeded");
    expect(result.exitCode).to.equal(0);
    expect(result.error).to.equal(undefined);
    expect(result.output).to.equal("hello\nworld\ntoken is ***\n");
    expect(streamed).to.equal(result.output);
    // Live: the first output came while the pod was running, not once it had ended.
    expect(firstOutputAfter).to.include("MODIFIED Running");
    expect(firstOutputAfter).to.not.include("MODIFIED Succeeded");
    // The secret came in two chunks; no chunk handed on holds a piece of it.
    for (const c of chunks) {
      expect(c).to.not.include(SECRET.slice(0, 7));
      expect(c).to.not.include(SECRET.slice(7));
    }
    expect(logRequests().map((r) => r.query)).to.deep.equal([
      { container: "job", follow: "true", limitBytes: "10485760" },
    ]);

    const secretBody = sent("POST", "/secrets")?.body ?? "";
    const podBody = sent("POST", "/pods")?.body ?? "";
    expect(secretBody).to.include(Buffer.from(SECRET).toString("base64"));
    for (const form of [SECRET, Buffer.from(SECRET).toString("base64"), "ci"]) {
      expect(podBody).to.not.include(`"${form}"`);
    }
    // What reached the server is exactly the pure mapping (nothing dropped by the client's serializer).
    const pod = JSON.parse(podBody) as { metadata: { name: string } };
    const expected = JSON.stringify(toPod(spec, { namespace: "jobs" }).pod).replace(
      /bosun-shop-run-1-build-[0-9a-f]{8}/g,
      pod.metadata.name,
    );
    expect(pod).to.deep.equal(JSON.parse(expected));

    const patch = sent("PATCH", "-env");
    expect(patch?.contentType).to.equal("application/json-patch+json");
    expect(JSON.parse(patch?.body ?? "null")).to.deep.equal([
      {
        op: "add",
        path: "/metadata/ownerReferences",
        value: [
          {
            apiVersion: "v1",
            kind: "Pod",
            name: pod.metadata.name,
            uid: "6b0f4a2e-2d0c-4b8e-9a51-0c1f3c9e7d21",
          },
        ],
      },
    ]);
  });

  it("creates the registry-login Secret before the pod, lists it as an imagePullSecret, lets the pod own it", async function () {
    const password = "registry-pa55-7c1";
    const spec = job({
      env: { TOKEN: SECRET },
      secretValues: [SECRET, password],
      registryCredentials: [{ registry: "registry.example.com", username: "robot", password }],
    });
    const { result } = await run("registry-login", spec, { imagePullSecrets: ["site-wide"] });
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("pulled from the private registry\n");

    const order = (fake?.received ?? []).map(
      (r) => `${r.method} ${r.path.replace(/.*\/namespaces\/jobs\//, "")}`,
    );
    const pod = JSON.parse(sent("POST", "/pods")?.body ?? "{}") as {
      metadata: { name: string };
      spec: { imagePullSecrets?: { name: string }[] };
    };
    const podName = pod.metadata.name;
    expect(order.slice(0, 5)).to.deep.equal([
      "POST secrets",
      "POST secrets",
      "POST pods",
      `PATCH secrets/${podName}-env`,
      `PATCH secrets/${podName}-pull`,
    ]);
    expect(order.at(-1)).to.equal(`DELETE pods/${podName}`);
    expect(pod.spec.imagePullSecrets).to.deep.equal([{ name: "site-wide" }, { name: `${podName}-pull` }]);
    expect(JSON.stringify(pod)).to.not.include(password);
    expect(JSON.stringify(pod)).to.not.include(Buffer.from(`robot:${password}`).toString("base64"));

    const pullBody = fake?.received.filter((r) => r.method === "POST" && r.path.endsWith("/secrets"))[1]
      ?.body;
    const pullSecret = JSON.parse(pullBody ?? "{}") as {
      metadata: { name: string };
      type: string;
      data: Record<string, string>;
    };
    expect(pullSecret.metadata.name).to.equal(`${podName}-pull`);
    expect(pullSecret.type).to.equal("kubernetes.io/dockerconfigjson");
    expect(
      JSON.parse(Buffer.from(pullSecret.data[".dockerconfigjson"] ?? "", "base64").toString()),
    ).to.deep.equal({
      auths: {
        "registry.example.com": {
          username: "robot",
          password,
          auth: Buffer.from(`robot:${password}`).toString("base64"),
        },
      },
    });
    const owner = JSON.parse(sent("PATCH", "-pull")?.body ?? "null") as { value: { name: string }[] }[];
    expect(owner[0]?.value[0]?.name).to.equal(podName);
  });

  it("deletes both Secrets when the pod they were made for is refused", async function () {
    const password = "registry-pa55-7c1";
    const spec = job({
      env: { TOKEN: SECRET },
      registryCredentials: [{ registry: "registry.example.com", username: "robot", password }],
    });
    const { result } = await run("invalid-pod-registry-login", spec);
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("KUBERNETES_INVALID");
  });

  it("fails with the exit code of the job's container", async function () {
    const { result } = await run("exit-code", job({ tasks: ["echo before", "exit 3"] }));
    expect(result.outcome).to.equal("failed");
    expect(result.exitCode).to.equal(3);
    expect(result.error).to.equal(undefined);
    expect(result.output).to.equal("before\n");
    expect(sent("POST", "/secrets")).to.equal(undefined);
  });

  it("reports a pod stopped at its deadline as timed out", async function () {
    const { result } = await run("deadline-exceeded", job({ tasks: ["sleep 600"], timeoutMs: 2_000 }));
    expect(result.outcome).to.equal("timed_out");
    expect(result.exitCode).to.equal(undefined);
    expect(result.error?.code).to.equal("JOB_TIMED_OUT");
    expect(result.output).to.equal("started\n");
    expect(JSON.parse(sent("POST", "/pods")?.body ?? "{}").spec.activeDeadlineSeconds).to.equal(2);
  });

  it("fails with IMAGE_PULL_FAILED once the image has failed to pull for long enough", async function () {
    const { result } = await run("image-pull-failure", job());
    expect(result.outcome).to.equal("failed");
    expect(result.exitCode).to.equal(undefined);
    expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    expect(result.error?.message).to.include("registry.example.com/team/app:v1.2.3");
    expect(result.error?.message).to.include("ImagePullBackOff");
  });

  it("says which registry refused the pull and how to log in to it", async function () {
    const { result } = await run("image-pull-unauthorized", job());
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    const message = result.error?.message ?? "";
    expect(message).to.include(
      'registry registry.example.com wants a login, and project "shop" has none for it',
    );
    expect(message).to.include("bosun login docker --project shop --registry registry.example.com");
    expect(message).to.include("authorization failed");
  });

  it("deletes the pod when the job is cancelled", async function () {
    const controller = new AbortController();
    const cancelOnceRunning = async () => {
      while (!fake?.received.some((r) => r.query.watch === "true")) await sleep(10);
      await sleep(100);
      controller.abort();
    };
    const [{ result }] = await Promise.all([
      run("cancel", job({ tasks: ["echo started", "sleep 600"] }), {}, controller.signal),
      cancelOnceRunning(),
    ]);
    expect(result.outcome).to.equal("cancelled");
    expect(result.error?.code).to.equal("JOB_CANCELLED");
    expect(result.output).to.equal("started\n");
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true"]);
  });

  it("does not create anything for a job cancelled before it starts", async function () {
    const controller = new AbortController();
    controller.abort();
    const executor = new KubernetesExecutor({
      kubeConfig: kubeConfig("http://127.0.0.1:9"),
      namespace: "jobs",
    });
    const result = await executor.run(job(), { signal: controller.signal });
    expect(result.outcome).to.equal("cancelled");
  });

  it("resumes a dropped watch from the last resourceVersion (and from bookmarks)", async function () {
    const { result } = await run("watch-drop", job());
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("resumed\n");
  });

  it("lists afresh and watches on after 410 Gone in the stream", async function () {
    const { result } = await run("gone-event", job());
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("after gone\n");
  });

  it("lists afresh after a watch request answered 410 Gone", async function () {
    const { result } = await run("gone-status", job());
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("finished meanwhile\n");
  });

  it("follows the log again from its start after a drop, skipping what was streamed (mid-secret)", async function () {
    const spec = job({ secretValues: [SECRET] });
    const { result, streamed, chunks } = await run("log-drop", spec);
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("line one\ntoken ***\nline three\n");
    expect(streamed).to.equal(result.output);
    for (const c of chunks) {
      expect(c).to.not.include("s3cr");
      expect(c).to.not.include("ue-9f2");
    }
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true", "true"]);
  });

  it("follows the log again when the server ends it while the container still runs", async function () {
    const { result, streamed } = await run("log-closed-early", job());
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("one\ntwo\n");
    expect(streamed).to.equal(result.output);
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true", "true"]);
  });

  it("reads what is missing once without follow when the stream does not end with the pod", async function () {
    const { result, streamed } = await run("log-incomplete", job(), { logDrainMs: 200 });
    expect(result.outcome).to.equal("succeeded");
    expect(result.output).to.equal("first part\nsecond part\n");
    expect(streamed).to.equal(result.output);
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true", undefined]);
  });

  it("reports a refused log stream as a line in the output; the result still comes from the pod", async function () {
    const { result } = await run("log-forbidden", job());
    expect(result.outcome).to.equal("succeeded");
    expect(result.exitCode).to.equal(0);
    expect(result.error).to.equal(undefined);
    const pod = JSON.parse(sent("POST", "/pods")?.body ?? "{}") as { metadata: { name: string } };
    const name = pod.metadata.name;
    expect(result.output).to.equal(
      `[bosun: following the log of pod ${name}: pods "${name}" is forbidden: User ` +
        `"system:serviceaccount:bosun:bosun-worker" cannot get resource "pods/log" in API group "" ` +
        `in the namespace "jobs" (HTTP 403)]\n`,
    );
    // A refusal is not asked again, not even once the pod has ended.
    expect(logRequests()).to.have.length(1);
  });

  it("asks again for a log stream answered 500, and streams the log on the next try", async function () {
    const { result, streamed } = await run("log-retry", job());
    expect(result.outcome).to.equal("succeeded");
    expect(streamed).to.equal("hello\nworld\n");
    expect(result.output).to.equal("hello\nworld\n");
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true", "true"]);
  });

  it("gives up following a log answered 503 after maxFailures, says so, and reads the log once the pod has ended", async function () {
    const { result } = await run("log-unavailable", job(), { watchMaxFailures: 3 });
    expect(result.outcome).to.equal("succeeded");
    const pod = JSON.parse(sent("POST", "/pods")?.body ?? "{}") as { metadata: { name: string } };
    expect(result.output).to.equal(
      `[bosun: following the log of pod ${pod.metadata.name}: the server is currently unable to handle ` +
        "the request (HTTP 503)]\nhello\nworld\n",
    );
    expect(logRequests().map((r) => r.query.follow)).to.deep.equal(["true", "true", "true", undefined]);
  });

  it("turns a 403 into a clear failure", async function () {
    const { result } = await run("forbidden", job({ env: { TOKEN: SECRET }, secretValues: [SECRET] }));
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("KUBERNETES_FORBIDDEN");
    expect(result.error?.message).to.match(
      /^creating secret bosun-shop-run-1-build-[0-9a-f]{8}-env in namespace jobs: /,
    );
    expect(result.error?.message).to.include('cannot create resource "secrets"');
    expect(result.error?.message).to.include("(HTTP 403)");
  });

  it("turns a 422 into a clear failure and deletes the secret it created", async function () {
    const { result } = await run("invalid-pod", job({ env: { TOKEN: SECRET } }));
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("KUBERNETES_INVALID");
    expect(result.error?.message).to.include("must be less than or equal to cpu limit");
  });

  it("reports an unreachable API server as EXECUTOR_UNAVAILABLE", async function () {
    const executor = new KubernetesExecutor({
      kubeConfig: kubeConfig("http://127.0.0.1:9"),
      namespace: "jobs",
    });
    const result = await executor.run(job(), { signal: new AbortController().signal });
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("EXECUTOR_UNAVAILABLE");
    expect(result.error?.message).to.include("http://127.0.0.1:9");
  });

  it("fails a spec that cannot become a pod without calling the API", async function () {
    const executor = new KubernetesExecutor({
      kubeConfig: kubeConfig("http://127.0.0.1:9"),
      namespace: "jobs",
    });
    const spec = job({ mounts: [{ source: "/host/dir", target: "/data" }] });
    const result = await executor.run(spec, { signal: new AbortController().signal });
    expect(result.outcome).to.equal("failed");
    expect(result.error?.code).to.equal("KUBERNETES_INVALID_JOB");
  });
});
