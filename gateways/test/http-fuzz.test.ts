/**
 * Every registry's gateway under random and mutated requests, over HTTP with the real store: never a
 * 5xx (only the store's own faults may give one), never an event stored from a refused request.
 * Seeds are each registry's own synthesized push; a fixed PRNG seed keeps failures reproducible.
 */
import { expect } from "chai";
import { REGISTRIES, type RegistryGateway } from "../src/index.js";
import { openTestStore, type TestStore } from "./support/store.js";
import { PROJECT, TOKEN, send, startGateway, type RunningGateway } from "./support/server.js";

const ROUNDS = 150;

/** Mulberry32: small, deterministic. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [
  "",
  "null",
  "[]",
  "{}",
  '"x"',
  "-1",
  "1e999",
  '{"a":',
  "\u0000",
  "\ud800",
  "💥",
  "[[[[[[[[",
  "true",
];

function mutate(body: Buffer, random: () => number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const text = body.toString("utf8");
  switch (Math.floor(random() * 6)) {
    case 0: {
      // Flip a few bytes.
      const out = Buffer.from(body);
      for (let i = 0; i < 1 + random() * 4; i++)
        out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
      return out;
    }
    case 1:
      return body.subarray(0, Math.floor(random() * body.length));
    case 2: {
      // Replace one JSON value (string, number, literal) with junk.
      const values = [...text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null/g)];
      if (values.length === 0) return Buffer.from(pick(JUNK));
      const v = pick(values);
      return Buffer.from(text.slice(0, v.index) + pick(JUNK) + text.slice(v.index! + v[0].length));
    }
    case 3:
      return Buffer.from(pick(JUNK));
    case 4: {
      // Duplicate a slice somewhere else.
      const a = Math.floor(random() * text.length);
      const b = Math.min(text.length, a + Math.floor(random() * 40));
      const at = Math.floor(random() * text.length);
      return Buffer.from(text.slice(0, at) + text.slice(a, b) + text.slice(at));
    }
    default:
      return Buffer.from(text.replace(/[{}[\]]/, ""));
  }
}

/**
 * The registry's own request for a push, with the body replaced. For registries that sign the body the
 * signature stays the original's: a body changed after signing must be refused.
 */
function requestOf(gateway: RegistryGateway, body: Buffer) {
  const made = gateway.synthesize({ repository: "team/app", tag: "v1.0.0" }, TOKEN);
  const query = made.query.toString();
  return {
    path: `/events/${gateway.kind}/${PROJECT}${query ? `?${query}` : ""}`,
    headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
    body,
  };
}

describe("gateways: HTTP fuzz (random and mutated bodies)", function () {
  this.timeout(120_000);
  let db: TestStore;
  let server: RunningGateway;

  before(async () => {
    db = await openTestStore();
    server = await startGateway({ store: db.store, registries: REGISTRIES });
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  for (const gateway of REGISTRIES) {
    it(`${gateway.title}: ${ROUNDS} mutated requests, no 5xx, no event from a refused one`, async () => {
      const random = prng(0x5eed ^ gateway.kind.length);
      const seed = gateway.synthesize({ repository: "team/app", tag: "v1.0.0" }, TOKEN).body;
      const statuses = new Map<number, number>();
      for (let i = 0; i < ROUNDS; i++) {
        const body = mutate(seed, random);
        const before = (await db.events()).length;
        const reply = await send(server.url, requestOf(gateway, body));
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expect(reply.status, `round ${i}: ${body.toString("utf8").slice(0, 200)}`).to.be.below(500);
        if (reply.status >= 300) {
          expect(
            (await db.events()).length,
            `round ${i} stored an event but answered ${reply.status}`,
          ).to.equal(before);
          expect(reply.json, `round ${i}`).to.have.nested.property("error.code");
        }
      }
      if (gateway.authenticator.reads === "body") {
        // Signed bodies: anything changed after signing is refused before parsing (the parser contract
        // fuzzes these parsers directly).
        const changed = ROUNDS - (statuses.get(202) ?? 0);
        expect(statuses.get(401) ?? 0, JSON.stringify([...statuses])).to.equal(changed);
      } else {
        // The mutations must have reached the parser: some requests refused as malformed.
        expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).to.be.greaterThan(0);
      }
    });
  }
});
