import { expect } from "chai";
import { existsSync } from "node:fs";
import pg from "pg";
import { startPostgres } from "@bosun/test-support";

describe("throwaway PostgreSQL (test support)", function () {
  this.timeout(30_000);

  it("starts a durable cluster on a free port, stops it and removes its folder", async function () {
    const server = await startPostgres();
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ fsync: string; version: string }>(
          "SELECT current_setting('fsync') AS fsync, current_setting('server_version_num') AS version",
        );
        expect(rows[0]?.fsync).to.equal("on");
        expect(Number(rows[0]?.version)).to.be.within(150000, 159999);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dir)).to.equal(false);
  });

  it("fails with a clear message when the binaries are missing", async function () {
    const outcome = await startPostgres({ bin: "/nonexistent/postgresql/bin" }).then(
      (s) => s.stop(),
      (err: unknown) => err,
    );
    expect(outcome).to.be.instanceOf(Error);
    expect((outcome as Error).message).to.match(/PostgreSQL 15 is not installed.*initdb is missing/);
  });
});
