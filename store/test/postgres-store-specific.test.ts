import { expect } from "chai";
import pg from "pg";
import { StoreSchemaTooNewError, StoreUnavailableError } from "@bosun/core";
import { openPostgresStore, type PostgresStoreWithCredentials } from "../src/postgres/index.js";
import { usePostgres } from "./postgres-fixture.js";
import { newEvent } from "./store-contract.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds, trying every 50 ms; rejects with `what` after 20 s. */
async function eventually(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    if (await check()) return;
  }
  throw new Error(`never happened: ${what}`);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("PostgreSQL store", function () {
  this.timeout(30_000);
  const server = usePostgres();
  let url: string;
  const opened: PostgresStoreWithCredentials[] = [];

  async function open(): Promise<PostgresStoreWithCredentials> {
    const store = await openPostgresStore({ url });
    opened.push(store);
    return store;
  }

  async function sql<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  beforeEach(async function () {
    url = await server.freshDatabase();
  });

  afterEach(async function () {
    for (const s of opened.splice(0)) await s.close();
  });

  describe("schema", function () {
    it("migrates once when several processes open a new database at once", async function () {
      await Promise.all(Array.from({ length: 4 }, () => open()));
      const rows = await sql<{ version: number }>("SELECT version FROM bosun_schema");
      expect(rows).to.have.length(1);
      expect(rows[0]?.version).to.be.greaterThan(0);
    });

    it("refuses a database written by a newer schema, with STORE_SCHEMA_TOO_NEW", async function () {
      await (await open()).close();
      await sql("UPDATE bosun_schema SET version = 999");
      const outcome = await failure(openPostgresStore({ url }));
      expect(outcome).to.be.instanceOf(StoreSchemaTooNewError);
      expect((outcome as StoreSchemaTooNewError).code).to.equal("STORE_SCHEMA_TOO_NEW");
      expect((outcome as Error).message).to.match(/schema version 999, newer than this Bosun knows/);
    });
  });

  describe("accepting", function () {
    it("commits the calls of one event-loop turn in one transaction", async function () {
      const store = await open();
      // txid_current() names the top-level transaction, also inside a call's savepoint.
      await sql(`
        CREATE TABLE writers (txid bigint NOT NULL);
        CREATE FUNCTION note_writer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO writers VALUES (txid_current()); RETURN NEW; END $$;
        CREATE TRIGGER note_writer AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION note_writer();`);
      await Promise.all(Array.from({ length: 20 }, () => store.acceptEvents([newEvent()])));
      const rows = await sql<{ n: number }>("SELECT count(DISTINCT txid)::int AS n FROM writers");
      expect(rows[0]?.n).to.equal(1);
      expect(await store.listEvents()).to.have.length(20);
    });

    it("rolls back only the failing call of a batch", async function () {
      const store = await open();
      await sql(`
        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.delivery_id = 'poison' THEN RAISE EXCEPTION 'poisoned delivery'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison();`);
      const alongside = newEvent();
      const [failed, other] = await Promise.allSettled([
        store.acceptEvents([newEvent(), newEvent({ deliveryId: "poison" })]),
        store.acceptEvents([alongside]),
      ]);
      expect(failed.status).to.equal("rejected");
      const reason = (failed as PromiseRejectedResult).reason as Error;
      expect(reason).to.be.instanceOf(StoreUnavailableError);
      expect(reason.message).to.match(/accepting 2 events failed: poisoned delivery/);
      expect(other.status).to.equal("fulfilled");
      expect((await store.listEvents()).map((e) => e.deliveryId)).to.deep.equal([alongside.deliveryId]);
    });

    it("tells another process's listeners, by NOTIFY on commit", async function () {
      const gateway = await open();
      const worker = await open();
      const heard: string[] = [];
      worker.onEventsAccepted((projects) => heard.push(...projects));
      await gateway.acceptEvents([newEvent({ project: "alpha" })]);
      await eventually("the worker hears of the accept", () => heard.includes("alpha"));
      expect(heard).to.deep.equal(["alpha"]);
    });
  });

  describe("claims across workers", function () {
    it("holds a project's concurrency across stores, and frees the slot when a lease expires", async function () {
      const [a, b] = [await open(), await open()];
      const events = await a.acceptEvents(Array.from({ length: 3 }, () => newEvent({ project: "solo" })));
      const concurrencyOf = () => 1;
      const first = await a.claimEvent({ owner: "wa", leaseMs: 300, concurrencyOf });
      expect(first?.event.id).to.equal(events.accepted[0]!.id);
      expect(await b.claimEvent({ owner: "wb", leaseMs: 60_000, concurrencyOf })).to.equal(undefined);
      await sleep(400);
      const after = await b.claimEvent({ owner: "wb", leaseMs: 60_000, concurrencyOf });
      expect(after?.event.id).to.equal(events.accepted[0]!.id);
      expect(after?.attempt).to.equal(2);
    });

    it("lets concurrent claims from two stores take no more than the project's slots", async function () {
      const [a, b] = [await open(), await open()];
      await a.acceptEvents(Array.from({ length: 10 }, () => newEvent({ project: "pair" })));
      await a.acceptEvents(Array.from({ length: 2 }, () => newEvent({ project: "other" })));
      const concurrencyOf = (p: string) => (p === "pair" ? 2 : 1);
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 ? a : b).claimEvent({ owner: `w${i}`, leaseMs: 60_000, concurrencyOf }),
        ),
      );
      const projects = claims.flatMap((c) => (c ? [c.event.project] : [])).sort();
      expect(projects).to.deep.equal(["other", "pair", "pair"]);
    });
  });

  describe("outages", function () {
    it("refuses calls while the server is down, and recovers by itself when it is back", async function () {
      const store = await open();
      const listener = await open();
      await store.acceptEvents([newEvent()]);
      await store.ping();

      await server.server().pause();
      const during = newEvent();
      const refused = await failure(store.acceptEvents([during]));
      expect(refused).to.be.instanceOf(StoreUnavailableError);
      expect((refused as Error).message).to.match(/^PostgreSQL store: accepting 1 event failed/);
      expect(await failure(store.ping())).to.be.instanceOf(StoreUnavailableError);
      expect(await failure(store.listEvents())).to.be.instanceOf(StoreUnavailableError);

      await server.server().resume();
      await eventually("ping succeeds again", () =>
        store.ping().then(
          () => true,
          () => false,
        ),
      );
      // Refused, not lost: the registry's retry is what brings it in.
      expect((await store.listEvents()).map((e) => e.deliveryId)).to.not.include(during.deliveryId);
      expect((await store.acceptEvents([during])).accepted).to.have.length(1);
      // The LISTEN connection came back too.
      const heard: string[] = [];
      listener.onEventsAccepted((projects) => heard.push(...projects));
      await eventually("notices arrive after the restart", async () => {
        await store.acceptEvents([newEvent({ project: "after-restart" })]);
        return heard.includes("after-restart");
      });
    });

    it("never shows the URL's password, even when the server cannot be reached", async function () {
      const down = "postgres://bosun:s3cret-pw@127.0.0.1:1/bosun";
      const outcome = await failure(openPostgresStore({ url: down, connectTimeoutMs: 2_000 }));
      expect(outcome).to.be.instanceOf(StoreUnavailableError);
      const text = `${(outcome as Error).message} ${String((outcome as Error).stack)}`;
      expect(text).to.match(/opening the database at 127\.0\.0\.1:1\/bosun failed/);
      expect(text).to.not.include("s3cret-pw");
    });
  });
});
