/**
 * `bosun serve` and `bosun gateway` against clients that trickle their request: the configured
 * header and request timeouts cut them off in seconds, not Node's minutes.
 */
import { connect, type Socket } from "node:net";
import { expect } from "chai";
import type { StartOptions } from "../src/server/server.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "slow-client-token";
const CONFIG = `
server: { headersTimeout: 500ms, requestTimeout: 1s }
projects:
  - { name: hub, script: ./ok.js, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }
`;
const FILES = { "ok.js": `require("brigadier").events.on("image_push", () => {});\n` };
/** Far above the configured timeouts, far below Node's defaults (60 s for headers, 300 s in all). */
const BOUND_MS = 8_000;
const REQUEST_LINE = `POST /events/dockerhub/hub?access_token=${TOKEN} HTTP/1.1\r\nHost: bosun\r\n`;

interface Trickled {
  closedAfterMs: number;
  received: string;
}

/** Sends `head` at once, then one `drip` every 100 ms until the server closes the connection. */
async function trickle(url: string, head: string, drip: () => string): Promise<Trickled> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const started = Date.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => {});
  socket.write(head);
  const dripping = setInterval(() => socket.writable && socket.write(drip()), 100);
  const bound = setTimeout(() => socket.destroy(), BOUND_MS);
  await new Promise((resolve) => socket.once("close", resolve));
  clearInterval(dripping);
  clearTimeout(bound);
  return { closedAfterMs: Date.now() - started, received };
}

const modes: [string, StartOptions][] = [
  ["bosun serve", { worker: false }],
  ["bosun gateway", { worker: false, registries: ["dockerhub"] }],
];

for (const [mode, options] of modes) {
  describe(`${mode}: slow clients`, function () {
    this.timeout(30_000);
    let t: TestServer;
    before(async () => {
      t = await startTestServer(CONFIG, FILES, options);
    });
    after(async () => t?.dispose());

    it("closes a connection whose headers trickle in, with 408, after headersTimeout", async () => {
      let n = 0;
      const result = await trickle(t.url, REQUEST_LINE, () => `X-Slow-${n++}: a\r\n`);
      expect(result.closedAfterMs).to.be.below(BOUND_MS - 1_000);
      expect(result.received).to.match(/^HTTP\/1\.1 408 /);
    });

    it("closes a connection whose body trickles in, with 408, after requestTimeout", async () => {
      const head = `${REQUEST_LINE}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`;
      const result = await trickle(t.url, head, () => " ");
      expect(result.closedAfterMs).to.be.below(BOUND_MS - 1_000);
      expect(result.received).to.match(/^HTTP\/1\.1 408 /);
      expect(await t.api.events()).to.have.length(0);
    });
  });
}
