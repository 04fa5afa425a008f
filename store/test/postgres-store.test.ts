import { openPostgresStore, type PostgresStoreWithCredentials } from "../src/postgres/index.js";
import { credentialStoreContract } from "./credential-store-contract.js";
import { usePostgres } from "./postgres-fixture.js";
import { storeContract } from "./store-contract.js";

describe("PostgreSQL store (contracts)", function () {
  this.timeout(20_000);
  const pg = usePostgres();

  storeContract("postgres", async () => {
    const url = await pg.freshDatabase();
    const store = await openPostgresStore({ url });
    return { store, reopen: () => openPostgresStore({ url }), cleanup: () => store.close() };
  });

  credentialStoreContract("postgres", async () => {
    const url = await pg.freshDatabase();
    const opened: PostgresStoreWithCredentials[] = [await openPostgresStore({ url })];
    return {
      store: opened[0]!.credentials,
      reopen: async () => {
        await opened[0]!.close();
        opened.push(await openPostgresStore({ url }));
        return opened.at(-1)!.credentials;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
      },
    };
  });
});
