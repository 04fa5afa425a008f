/** What `bosun serve` counts and logs about webhook requests that go wrong on the client's side. */
import { once } from "node:events";
import { connect } from "node:net";
import { expect } from "chai";
import { pino } from "pino";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "accounting-token";
const CONFIG = `
server: { maxEventsPerRequest: 2 }
projects:
  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
  - { name: reg, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: distribution }] }
`;
/** A Distribution notification of `count` manifest pushes. */
const pushes = (count: number) =>
  JSON.stringify({
    events: Array.from({ length: count }, (_, i) => ({
      id: `push-${count}-${i}`,
      action: "push",
      target: {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${"a".repeat(63)}${i}`,
        repository: "team/app",
        tag: `v${i}`,
      },
      request: { host: "registry.test" },
    })),
  });
const FILES = { "ok.js": `require("brigadier").events.on("image_push", () => {});\n` };

describe("bosun serve: accounting of webhook requests", function () {
  this.timeout(60_000);
  let t: TestServer;
  const logs: { level: number; msg: string; err?: unknown }[] = [];
  const metrics = async () => (await fetch(`${t.url}/metrics`)).text();

  before(async () => {
    const logger = pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line)) });
    t = await startTestServer(CONFIG, FILES, { worker: false, logger });
  });
  after(async () => t?.dispose());

  it("keeps /metrics the same size however many made-up registries and projects are posted to", async () => {
    const post = (path: string) =>
      fetch(`${t.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    await post("/events/warmup/p");
    await post("/events/dockerhub/warmup");
    // Bosun's own series: the process metrics beside them (GC kinds, say) vary with the runtime's activity.
    const series = (text: string) =>
      text
        .split("\n")
        .filter((l) => /^bosun_/.test(l) && !/^bosun_(nodejs|process)_/.test(l))
        .map((l) => l.slice(0, l.lastIndexOf(" ")));
    const before = new Set(series(await metrics()));
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, i) => {
          const name = `r${batch}x${i}${Math.random().toString(36).slice(2)}`;
          expect((await post(`/events/${name}/p`)).status).to.equal(404);
          expect((await post(`/events/dockerhub/${name}`)).status).to.equal(401);
        }),
      );
    }
    const text = await metrics();
    expect(text).to.match(/bosun_gateway_requests_total\{registry="unknown",status="404"\} 501/);
    expect(text).to.match(/bosun_gateway_requests_total\{registry="dockerhub",status="401"\} 501/);
    expect(text).not.to.match(/registry="r\d/);
    // Counter values change, not the series: the warm-up requests made every one these answers count.
    const added = series(text).filter((l) => !before.has(l));
    expect(added).to.deep.equal([]);
  });

  it("refuses a request past server.maxEventsPerRequest with 413, storing none of it", async () => {
    const post = (body: string) =>
      fetch(`${t.url}/events/distribution/reg`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body,
      });
    const over = await post(pushes(3));
    expect(over.status).to.equal(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).to.equal("TOO_MANY_EVENTS");
    expect((await post(pushes(2))).status).to.equal(202);
    expect(await t.api.events("reg")).to.have.length(2);
  });

  it("counts a client that hangs up mid-body as aborted, logged below warn and without a stack", async () => {
    for (const path of ["/events/dockerhub/hub?access_token=" + TOKEN, "/events/ghcr/hub"]) {
      const { port } = new URL(t.url);
      const socket = connect(Number(port), "127.0.0.1");
      await once(socket, "connect");
      socket.write(`POST ${path} HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n`);
      socket.write(`Content-Length: 5000\r\n\r\n{"push_data":`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
    }
    const deadline = Date.now() + 5_000;
    let text = await metrics();
    while (!/registry="ghcr",status="aborted"/.test(text) && Date.now() < deadline) text = await metrics();
    expect(text).to.match(/bosun_gateway_requests_total\{registry="dockerhub",status="aborted"\} 1/);
    expect(text).to.match(/bosun_gateway_requests_total\{registry="ghcr",status="aborted"\} 1/);
    expect(text).not.to.match(/status="5\d\d"/);
    const aborted = logs.filter((l) => l.msg.includes("aborted"));
    expect(aborted).to.have.length(2);
    // pino's debug is 20, info 30: neither a warning nor an error, and no error object to print.
    expect(aborted.every((l) => l.level <= 30 && l.err === undefined)).to.equal(true);
    expect(logs.filter((l) => l.level >= 50)).to.deep.equal([]);
  });
});
