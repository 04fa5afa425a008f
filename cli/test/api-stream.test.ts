/**
 * GET /api/v1/stream, the dashboard's live feed: `hello` once it listens, then new runs and status
 * changes; for one run, its jobs and log lines, from a given seq on; deliveries, as the gateways
 * record them. Needs a token like every route.
 */
import { expect } from "chai";
import { registryFor } from "@bosun/gateways";
import { startTestServer, type TestServer } from "./support/in-process.js";

const CONFIG = `server:
  readOnlyTokens: ["stream-view-token-0123456789"]
projects:
  - name: hub
    script: ./ok.js
    webhookToken: stream-webhook-token
    subscriptions: [{ registry: dockerhub, tags: ["!*-rc*"] }]
    events: [{ source: ci, types: [done] }]
`;
const FILES = { "ok.js": `const { events } = require("brigadier");\nevents.on("image_push", () => {});\n` };

interface Message {
  event: string;
  data: unknown;
}

/** Reads server-sent events from a fetch body, as the dashboard does. */
class StreamReader {
  readonly #messages: Message[] = [];
  #wake?: () => void;
  #buffer = "";

  constructor(readonly response: Response) {
    void this.#read();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.response.body! as AsyncIterable<Uint8Array>) {
      this.#buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = this.#buffer.indexOf("\n\n")) >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) this.#messages.push({ event, data: JSON.parse(data) });
        this.#wake?.();
      }
    }
  }

  /** The first message of this kind not yet taken. */
  async next(event: string): Promise<unknown> {
    for (;;) {
      const i = this.#messages.findIndex((m) => m.event === event);
      if (i >= 0) return this.#messages.splice(i, 1)[0]!.data;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

describe("API: the live stream", function () {
  this.timeout(30_000);
  let t: TestServer;
  const open: AbortController[] = [];

  before(async () => {
    // The stream does not poll here: whatever it sends, a write in this process woke it for.
    t = await startTestServer(CONFIG, FILES, { worker: false, streamPollMs: 3_600_000 });
  });
  after(async () => {
    for (const c of open) c.abort();
    await t?.dispose();
  });

  async function connect(query = "", token = t.server.adminToken): Promise<StreamReader> {
    const abort = new AbortController();
    open.push(abort);
    const res = await fetch(`${t.url}/api/v1/stream${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.contain("text/event-stream");
    const reader = new StreamReader(res);
    await reader.next("hello");
    return reader;
  }

  async function newRun() {
    const { accepted } = await t.server.store.acceptEvents([
      { project: "hub", source: "ci", type: "done", payload: "{}", deliveryId: `d-${Math.random()}` },
    ]);
    return t.server.store.createRun({
      eventId: accepted[0]!.id,
      project: "hub",
      attempt: 1,
      handler: "script",
    });
  }

  it("refuses a request without a token", async () => {
    expect((await fetch(`${t.url}/api/v1/stream`)).status).to.equal(401);
  });

  it("pushes a new run, then its status change, to a read-only token's stream", async () => {
    const stream = await connect("", "stream-view-token-0123456789");
    const run = await newRun();
    expect(await stream.next("run")).to.deep.include({ id: run.id, status: "running" });
    await t.server.store.finishRun(run.id, "failed");
    expect(await stream.next("run")).to.deep.include({ id: run.id, status: "failed" });
  });

  it("sends a running run again when its cancel is asked for", async () => {
    const stream = await connect();
    const run = await newRun();
    expect(await stream.next("run")).to.deep.include({ id: run.id, status: "running" });
    await t.server.store.cancelRun(run.id, "admin");
    expect(await stream.next("run")).to.deep.include({
      id: run.id,
      status: "running",
      cancelRequestedBy: "admin",
    });
  });

  it("follows one run's jobs and log lines, each line once, from the seq given on", async () => {
    const run = await newRun();
    const job = await t.server.store.createJob({
      runId: run.id,
      name: "build",
      image: "alpine",
      status: "running",
      tasks: [],
      envNames: [],
    });
    await t.server.store.appendLogs([{ runId: run.id, jobId: job.id, stream: "stdout", text: "first\n" }]);
    const stream = await connect(`?run=${run.id}`);
    expect(await stream.next("job")).to.deep.include({ id: job.id, status: "running" });
    const backlog = (await stream.next("logs")) as { seq: number; text: string }[];
    expect(backlog.map((l) => l.text)).to.deep.equal(["first\n"]);

    await t.server.store.appendLogs([{ runId: run.id, jobId: job.id, stream: "stdout", text: "second\n" }]);
    const live = (await stream.next("logs")) as { seq: number; text: string }[];
    expect(live.map((l) => l.text)).to.deep.equal(["second\n"]);
    await t.server.store.updateJob(job.id, { status: "succeeded", exitCode: 0 });
    expect(await stream.next("job")).to.deep.include({ id: job.id, status: "succeeded", exitCode: 0 });

    // A page that reconnects says which lines it has: it gets only the ones after.
    const again = await connect(`?run=${run.id}&after=${backlog[0]!.seq}`);
    expect(((await again.next("logs")) as { text: string }[]).map((l) => l.text)).to.deep.equal(["second\n"]);
  });

  it("with deliveries=1, sends each delivery recorded after it opened, without its body", async () => {
    const record = (tag: string) =>
      t.server.store.recordDelivery({
        registry: "dockerhub",
        project: "hub",
        headers: {},
        body: `{"tag":"${tag}"}`,
        bodyTruncated: false,
        images: [{ repository: "team/app", tag }],
        ignored: [{ what: `team/app:${tag}`, reasons: [`subscription 1: tag ${tag} excluded by !*-rc*`] }],
        outcome: "ignored",
        keep: 100,
      });
    const before = await record("v0-rc1");
    const stream = await connect("?deliveries=1");
    const after = await record("v1-rc1");
    const sent = (await stream.next("delivery")) as Record<string, unknown>;
    expect(sent).to.deep.include({ id: after.id, outcome: "ignored", project: "hub" });
    expect(sent).not.to.have.property("body");
    // The one recorded before it opened is the listing's, not the stream's: the next one sent is newer.
    const later = await record("v2-rc1");
    expect(((await stream.next("delivery")) as { id: string }).id).to.equal(later.id);
    expect(before.id < after.id).to.equal(true);
  });

  it("with deliveries=1, sends each webhook request's delivery as the gateway records it", async () => {
    const stream = await connect("?deliveries=1");
    const dockerHub = registryFor("dockerhub")!;
    const post = async (tag: string, body?: string) => {
      const request = dockerHub.synthesize(
        { repository: "team/app", tag, pusher: "alice" },
        "stream-webhook-token",
      );
      const res = await fetch(`${t.url}/events/dockerhub/hub?${request.query.toString()}`, {
        method: "POST",
        headers: request.headers as Record<string, string>,
        body: body ?? request.body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    const next = async () => ((await stream.next("delivery")) as { outcome: string }).outcome;
    expect(await post("v1")).to.equal(202);
    expect(await next()).to.equal("accepted");
    expect(await post("v1")).to.equal(202);
    expect(await next()).to.equal("duplicate");
    expect(await post("v2-rc1")).to.equal(200);
    expect(await next()).to.equal("ignored");
    expect(await post("v3", "{not json")).to.equal(400);
    expect(await next()).to.equal("rejected");
  });
});
