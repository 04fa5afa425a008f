/**
 * The accept-time rules hold across gateways sharing one PostgreSQL database: two stores, each its own
 * pool (as two processes have), accepting at once.
 */
import { expect } from "chai";
import { judgeTag } from "@bosun/core";
import { openPostgresStore, type PostgresStoreWithCredentials } from "../src/postgres/index.js";
import { freshDigest, pushOf, semverOnly } from "./admission-contract.js";
import { usePostgres } from "./postgres-fixture.js";

describe("PostgreSQL store: accept-time rules across stores on one database", function () {
  this.timeout(30_000);
  const pg = usePostgres();
  let a: PostgresStoreWithCredentials;
  let b: PostgresStoreWithCredentials;

  beforeEach(async function () {
    const url = await pg.freshDatabase();
    a = await openPostgresStore({ url });
    b = await openPostgresStore({ url });
  });
  afterEach(async function () {
    await a.close();
    await b.close();
  });

  it("a digest-only push on one and its tagged push on the other leave one event, either way round", async function () {
    const digests = Array.from({ length: 16 }, freshDigest);
    await Promise.all(
      digests.flatMap((d, i) => {
        const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
        return [
          first.acceptEvents([pushOf(undefined, { always: true, policies: [], holdMs: 60_000 }, d)]),
          second.acceptEvents([pushOf("v1", undefined, d)]),
        ];
      }),
    );
    const events = await a.listEvents({ limit: 1000 });
    for (const d of digests)
      expect(
        events.filter((e) => e.image?.digest === d).map((e) => e.image?.tag),
        d,
      ).to.deep.equal(["v1"]);
  });

  it("a tag policy's pushes on both are taken only while each becomes the best tag", async function () {
    const tags = Array.from({ length: 20 }, (_, i) => `v1.${i}.0`);
    const results = await Promise.all(
      tags.map((tag, i) =>
        (i % 2 === 0 ? a : b).acceptEvents([
          pushOf(tag, { always: false, policies: [semverOnly] }, freshDigest()),
        ]),
      ),
    );
    const taken = (await a.listEvents({ limit: 1000 })).reverse().map((e) => e.image!.tag!);
    // In the order they were stored, every taken tag is newer than the one before it.
    for (let i = 1; i < taken.length; i++)
      expect(judgeTag(semverOnly.policy, taken[i]!, taken[i - 1]).take, taken.join(" ")).to.equal(true);
    expect(taken.at(-1)).to.equal("v1.19.0");
    const declined = results.flatMap((r) => r.declined);
    expect(declined.length + taken.length).to.equal(tags.length);
    for (const d of declined) expect(d.reason).to.match(/is older than the best tag v1\.[0-9]+\.0$/);
  });

  it("runPer digest: tags of one digest sent to both gather into one event", async function () {
    const digest = freshDigest();
    const gather = { always: true, policies: [], gatherMs: 60_000 };
    await a.acceptEvents([pushOf("latest", gather, digest)]);
    await Promise.all(
      ["v1", "v1.2", "v1.2.3"].map((tag, i) => (i % 2 ? a : b).acceptEvents([pushOf(tag, gather, digest)])),
    );
    const waiting = (await a.listEvents()).filter((e) => e.image?.digest === digest && e.state === "queued");
    expect(waiting).to.have.length(1);
    expect([...waiting[0]!.image!.tags!].sort()).to.deep.equal(["latest", "v1", "v1.2", "v1.2.3"]);
  });
});
