/** A client that hangs up mid-body is accounted as aborted, never as a fault of the gateway. */
import { once } from "node:events";
import { connect } from "node:net";
import { expect } from "chai";
import { REGISTRIES, type Answer } from "../src/index.js";
import { ABORTED_STATUS } from "../src/http/answers.js";
import type { GatewayErrorContext } from "../src/index.js";
import type { RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import { ownFixture } from "./support/fixtures.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

/** Paths whose credentials pass before the body (dockerhub), or are checked on the body (ghcr, jfrog). */
const ROUTES = [
  `/events/dockerhub/${PROJECT}?access_token=${TOKEN}`,
  `/events/ghcr/${PROJECT}`,
  `/events/jfrog/${PROJECT}`,
];

describe("gateway HTTP handling: clients that hang up mid-body", () => {
  let db: TestStore;
  let server: RunningGateway;
  let errors: unknown[];
  let aborted: GatewayErrorContext[];
  let answers: { registry: string; answer: Answer }[];
  beforeEach(async () => {
    db = await openTestStore();
    errors = [];
    aborted = [];
    answers = [];
    server = await startGateway({
      store: db.store,
      registries: REGISTRIES,
      onError: (error) => errors.push(error),
      onAborted: (context) => aborted.push(context),
      onAnswer: (registry, answer) => answers.push({ registry, answer }),
    });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  /** Sends the headers and part of the body, then closes the connection. */
  async function hangUp(path: string): Promise<void> {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: bosun\r\nContent-Type: application/json\r\n` +
        `Content-Length: 10000\r\n\r\n{"partial":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
  }

  async function settled(count: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (answers.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  it("tells onAborted, not onError, and answers it as aborted, on every route", async () => {
    for (const path of ROUTES) await hangUp(path);
    await settled(ROUTES.length);
    expect(errors).to.deep.equal([]);
    expect(answers.map((a) => [a.registry, a.answer.status, a.answer.aborted])).to.deep.equal([
      ["dockerhub", ABORTED_STATUS, true],
      ["ghcr", ABORTED_STATUS, true],
      ["jfrog", ABORTED_STATUS, true],
    ]);
    expect(aborted).to.deep.equal(
      ["dockerhub", "ghcr", "jfrog"].map((registry) => ({ registry, project: PROJECT, status: 499 })),
    );
    expect(await db.events()).to.have.length(0);
    // And keeps serving.
    const reply = await send(server.url, {
      path: ROUTES[0]!,
      headers: { "content-type": "application/json" },
      body: ownFixture("dockerhub", "current_push.json"),
    });
    expect(reply.status, reply.text).to.equal(202);
  });
});
