/**
 * What every registry's gateway must do over HTTP, whatever its payloads look like. A registry's test
 * file calls registryContract with its plug-in, how it sends credentials, and its fixtures.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { EventType, ImageRef } from "@bosun/core";
import type { RegistryGateway } from "../src/index.js";
import { registryFor } from "../src/index.js";
import { parserContract } from "./parser-contract.js";
import { ownFixture } from "./support/fixtures.js";
import type { OutgoingRequest, Reply, RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN, TOKENLESS_PROJECT } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

export interface ExpectedPush {
  type?: EventType;
  image: ImageRef;
  /** The registry's own id, when it has one; otherwise a derived sha256 is expected. */
  deliveryId?: string;
}

export interface ContractFixture {
  /** File under gateways/test/fixtures/<registry>/. */
  file: string;
  /** Defaults to the registry's first accepted content type. */
  contentType?: string;
  pushes: ExpectedPush[];
  ignored?: number;
}

export interface RegistryContract {
  gateway: RegistryGateway;
  /** Puts the token where this registry sends it (query, header, or a signature over the body). */
  authorize(request: OutgoingRequest, token: string): OutgoingRequest;
  fixtures: ContractFixture[];
}

const BODY_LIMIT = 64 * 1024;

export function registryContract(contract: RegistryContract): void {
  const { gateway, fixtures } = contract;
  const first = fixtures.find((f) => f.pushes.length > 0);
  if (!first) throw new Error(`the ${gateway.kind} contract needs a fixture that produces an event`);

  const unsigned = (
    body: Buffer,
    contentType = gateway.contentTypes[0] ?? "",
    project = PROJECT,
  ): OutgoingRequest => ({
    path: `/events/${gateway.kind}/${encodeURIComponent(project)}`,
    headers: contentType ? { "content-type": contentType } : {},
    body,
  });
  const request = (body: Buffer, contentType?: string, token = TOKEN) =>
    contract.authorize(unsigned(body, contentType), token);
  const bodyOf = (fixture: ContractFixture) => ownFixture(gateway.kind, fixture.file);

  describe(`${gateway.title} gateway: HTTP contract`, () => {
    let db: TestStore;
    let server: RunningGateway;
    const start = async (bodyLimitBytes = BODY_LIMIT) => {
      await server?.close();
      server = await startGateway({ store: db.store, registries: [gateway], bodyLimitBytes });
    };
    beforeEach(async () => {
      db = await openTestStore();
      server = await startGateway({ store: db.store, registries: [gateway], bodyLimitBytes: BODY_LIMIT });
    });
    afterEach(async () => {
      await server.close();
      await db.close();
    });

    it("is registered under its kind", () => {
      expect(registryFor(gateway.kind)).to.equal(gateway);
    });

    for (const fixture of fixtures) {
      const produces = fixture.pushes.length;
      it(`${fixture.file}: ${produces} event(s)${fixture.ignored ? `, ${fixture.ignored} ignored` : ""}`, async () => {
        const body = bodyOf(fixture);
        const reply = await send(server.url, request(body, fixture.contentType));
        const stored = await db.events();
        if (produces === 0) {
          expect(reply.status, reply.text).to.equal(200);
          expect(reply.json).to.deep.equal({ accepted: [], ignored: fixture.ignored ?? 0 });
          expect(stored).to.have.length(0);
          return;
        }
        expect(reply.status, reply.text).to.equal(202);
        expect(reply.json).to.deep.equal({
          accepted: stored.map((e) => e.id),
          duplicates: 0,
          ignored: fixture.ignored ?? 0,
        });
        expect(stored.map((e) => ({ type: e.type, image: e.image }))).to.deep.equal(
          fixture.pushes.map((p) => ({ type: p.type ?? "image_push", image: p.image })),
        );
        stored.forEach((event, i) => {
          expect(event.project).to.equal(PROJECT);
          expect(event.source).to.equal(gateway.kind);
          expect(event.payload).to.equal(body.toString("utf8"));
          expect(event.deliveryId).to.match(/\S/);
          const expected = fixture.pushes[i]?.deliveryId;
          if (expected) expect(event.deliveryId).to.equal(expected);
          else expect(event.deliveryId).to.match(/^[0-9a-f]{64}$/);
        });
        expect(new Set(stored.map((e) => e.deliveryId)).size).to.equal(stored.length);
      });
    }

    it("stores a redelivered request once", async () => {
      const body = bodyOf(first);
      const once = await send(server.url, request(body, first.contentType));
      const again = await send(server.url, request(body, first.contentType));
      expect(once.status).to.equal(202);
      expect(again.status).to.equal(202);
      expect(again.json).to.deep.include({ accepted: [], duplicates: first.pushes.length });
      expect(await db.events()).to.have.length(first.pushes.length);
    });

    it("stores a replay of one captured delivery with fresh unsigned headers once", async () => {
      const captured = request(bodyOf(first), first.contentType);
      const replies = [];
      for (let n = 0; n < 4; n++) {
        // Ids senders put in headers, none covered by a token or a signature over the body.
        const fresh = randomUUID();
        const headers = { "x-github-delivery": fresh, "x-request-id": fresh, "ce-id": fresh };
        replies.push(await send(server.url, { ...captured, headers: { ...headers, ...captured.headers } }));
        replies.push(await send(server.url, { ...captured, headers: { ...captured.headers, ...headers } }));
      }
      expect(replies.map((r) => r.status)).to.deep.equal(replies.map(() => 202));
      expect(await db.events()).to.have.length(first.pushes.length);
    });

    it("gives the same 401 for a wrong token, no token, an unknown project and a project without a token", async () => {
      const body = bodyOf(first);
      const replies = [
        await send(server.url, request(body, first.contentType, "wrong-token")),
        await send(server.url, request(body, first.contentType, TOKEN.slice(0, -1))),
        await send(server.url, unsigned(body, first.contentType)),
        await send(server.url, contract.authorize(unsigned(body, first.contentType, "nobody"), TOKEN)),
        await send(
          server.url,
          contract.authorize(unsigned(body, first.contentType, TOKENLESS_PROJECT), TOKEN),
        ),
      ];
      for (const reply of replies) expectError(reply, 401, "UNAUTHORIZED");
      for (const reply of replies.slice(1)) expect(reply.text).to.equal(replies[0]?.text);
      expect(await db.events()).to.have.length(0);
    });

    it("answers 400 with a JSON error for a body that is not JSON", async () => {
      const reply = await send(server.url, request(Buffer.from('{"events": [ {"not": json')));
      expectError(reply, 400, "PAYLOAD_MALFORMED");
      expect(await db.events()).to.have.length(0);
    });

    it("answers 400 naming the field for JSON that is not this registry's payload", async () => {
      const reply = await send(server.url, request(Buffer.from('{"hello": "world"}')));
      expectError(reply, 400, "PAYLOAD_MALFORMED");
      expect((reply.json as ErrorJson).error.path)
        .to.be.a("string")
        .and.not.equal("");
      expect(await db.events()).to.have.length(0);
    });

    it("answers 415 for a content type the registry does not send", async () => {
      const reply = await send(server.url, request(bodyOf(first), "text/html"));
      expectError(reply, 415, "CONTENT_TYPE_UNSUPPORTED");
      const missing = await send(server.url, request(bodyOf(first), ""));
      if (gateway.contentTypeOptional) expect(missing.status).to.equal(202);
      else expectError(missing, 415, "CONTENT_TYPE_UNSUPPORTED");
      expect(await db.events()).to.have.length(gateway.contentTypeOptional ? first.pushes.length : 0);
    });

    it("answers 413 past the body limit, and accepts a body exactly at it", async () => {
      const body = bodyOf(first);
      await start(body.length - 1);
      expectError(await send(server.url, request(body, first.contentType)), 413, "BODY_TOO_LARGE");
      await start(BODY_LIMIT);
      const padded = Buffer.concat([body, Buffer.alloc(BODY_LIMIT, " ")]);
      expectError(await send(server.url, request(padded, first.contentType)), 413, "BODY_TOO_LARGE");
      expect(await db.events()).to.have.length(0);
      await start(body.length);
      expect((await send(server.url, request(body, first.contentType))).status).to.equal(202);
    });

    it("answers 503 with Retry-After when the store cannot commit, and accepts the retry", async () => {
      const body = bodyOf(first);
      const release = db.holdWriteLock();
      let reply: Reply;
      try {
        reply = await send(server.url, request(body, first.contentType));
      } finally {
        release();
      }
      expectError(reply, 503, "STORE_UNAVAILABLE");
      expect(Number(reply.headers.get("retry-after"))).to.be.greaterThan(0);
      expect(await db.events()).to.have.length(0);
      const retry = await send(server.url, request(body, first.contentType));
      expect(retry.status).to.equal(202);
      expect(await db.events()).to.have.length(first.pushes.length);
    });

    it("synthesizes a push its own handler accepts (bosun trigger), with the token where the registry puts it", async () => {
      const made = gateway.synthesize({ repository: "team/app", tag: "v7.0.1", pusher: "someone" }, TOKEN);
      const query = made.query.toString();
      const reply = await send(server.url, {
        path: `/events/${gateway.kind}/${PROJECT}${query ? `?${query}` : ""}`,
        headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
        body: made.body,
      });
      expect(reply.status, reply.text).to.equal(202);
      const [event] = await db.events();
      expect(event!.type).to.equal("image_push");
      expect(event!.image).to.include({ repository: "team/app", tag: "v7.0.1" });
      const wrong = gateway.synthesize({ repository: "team/app", tag: "v7.0.1" }, "not-the-token");
      const denied = await send(server.url, {
        path: `/events/${gateway.kind}/${PROJECT}?${wrong.query.toString()}`,
        headers: Object.fromEntries(Object.entries(wrong.headers).map(([k, v]) => [k, String(v)])),
        body: wrong.body,
      });
      expect(denied.status).to.equal(401);
    });
  });

  parserContract(
    gateway,
    fixtures.map((f) => ({ name: f.file, body: bodyOf(f) })),
  );
}

interface ErrorJson {
  error: { code: string; message: string; path?: string; expected?: string; found?: string };
}

/** A JSON error body with the code and a message, and nowhere the token. */
export function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).to.equal(status);
  expect(reply.headers.get("content-type")).to.match(/^application\/json/);
  const body = reply.json as ErrorJson;
  expect(body.error.code).to.equal(code);
  expect(body.error.message).to.be.a("string").and.not.equal("");
  expect(Object.keys(body)).to.deep.equal(["error"]);
  expect(reply.text).not.to.include(TOKEN);
}
