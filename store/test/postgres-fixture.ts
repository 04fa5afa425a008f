import pg from "pg";
import { startPostgres, type TestPostgres } from "@bosun/test-support";

/**
 * One throwaway server for a test file, and a fresh database on it for each test: started in a
 * `before` hook, stopped in `after`.
 */
export function usePostgres(): { server: () => TestPostgres; freshDatabase: () => Promise<string> } {
  let server: TestPostgres | undefined;
  let created = false;
  before(async function () {
    this.timeout(30_000);
    server = await startPostgres();
  });
  after(async function () {
    this.timeout(30_000);
    await server?.stop();
  });
  const current = () => {
    if (!server) throw new Error("the PostgreSQL server is not started (usePostgres in a describe)");
    return server;
  };
  return {
    server: current,
    /**
     * The URL of an empty database: the test database with its schema dropped and made again (far
     * cheaper than CREATE DATABASE, which copies and syncs a whole template).
     */
    async freshDatabase() {
      const admin = new pg.Client({ connectionString: current().url });
      await admin.connect();
      try {
        if (!created) await admin.query("CREATE DATABASE bosun_test");
        created = true;
      } finally {
        await admin.end();
      }
      const url = current().url.replace(/\/postgres$/, "/bosun_test");
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        await db.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
      } finally {
        await db.end();
      }
      return url;
    },
  };
}
