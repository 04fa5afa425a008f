import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCredentialsReader, putLogin } from "../src/credentials/reader.js";
import { createSealer, CredentialsError } from "@bosun/core";
import { openSqliteStore, type SqliteStoreWithCredentials } from "../src/sqlite/index.js";
import { credentialStoreContract } from "./credential-store-contract.js";

const KEY = "correct horse battery staple";

credentialStoreContract("sqlite", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "bosun-credentials-"));
  const opened: SqliteStoreWithCredentials[] = [await openSqliteStore({ dataDir })];
  return {
    store: opened[0]!.credentials,
    reopen: async () => {
      await opened[0]!.close();
      opened.push(await openSqliteStore({ dataDir }));
      return opened.at(-1)!.credentials;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe("credentials in the SQLite store", function () {
  this.timeout(20_000);
  let dataDir: string;
  let store: SqliteStoreWithCredentials;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bosun-credentials-"));
    store = await openSqliteStore({ dataDir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const login = { project: "demo", kind: "docker" as const, target: "docker.io", username: "alice" };

  it("reads back a project's logins, and the password is nowhere in the database file", async () => {
    const password = "s3cret-Password-in-the-clear";
    const sealer = createSealer(KEY);
    await putLogin(store.credentials, sealer, { ...login, password });
    await putLogin(store.credentials, sealer, {
      ...login,
      kind: "git",
      target: "github.com",
      password: "git-token-1234",
    });
    expect(await createCredentialsReader(store.credentials, sealer)("demo")).to.deep.equal({
      docker: [{ registry: "docker.io", username: "alice", password }],
      git: [{ host: "github.com", username: "alice", password: "git-token-1234" }],
    });
    await store.close();
    const bytes = Buffer.concat([
      await readFile(join(dataDir, "bosun.db")),
      await readFile(join(dataDir, "bosun.db-wal")).catch(() => Buffer.alloc(0)),
    ]);
    expect(bytes.includes(password)).to.equal(false);
    expect(bytes.includes("alice")).to.equal(true);
  });

  it("another key cannot open them: a typed error that says what to do", async () => {
    await putLogin(store.credentials, createSealer(KEY), { ...login, password: "pw-1" });
    const wrong = createCredentialsReader(store.credentials, createSealer("another key, 16+ chars"));
    const err = await wrong("demo").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(CredentialsError);
    expect((err as CredentialsError).code).to.equal("CREDENTIALS_UNREADABLE");
    expect((err as Error).message)
      .to.match(/credentials key/)
      .and.not.include("pw-1");
  });

  it("a sealed value moved to another project does not open there", async () => {
    const sealer = createSealer(KEY);
    await putLogin(store.credentials, sealer, { ...login, password: "pw-of-a" });
    const [sealed] = await store.credentials.sealedFor("demo");
    await store.credentials.put({ ...sealed!, project: "other" });
    const err = await createCredentialsReader(store.credentials, sealer)("other").catch((e: unknown) => e);
    expect((err as CredentialsError).code).to.equal("CREDENTIALS_UNREADABLE");
    expect(await createCredentialsReader(store.credentials, sealer)("nobody")).to.deep.equal({
      docker: [],
      git: [],
    });
  });

  it("without a key: no logins can be stored, and a project with logins cannot be read", async () => {
    const put = await putLogin(store.credentials, undefined, { ...login, password: "pw" }).catch((e) => e);
    expect((put as CredentialsError).code).to.equal("CREDENTIALS_KEY_MISSING");
    expect((put as Error).message).to.include("BOSUN_CREDENTIALS_KEY");
    const reader = createCredentialsReader(store.credentials, undefined);
    expect(await reader("demo")).to.deep.equal({ docker: [], git: [] });
    await putLogin(store.credentials, createSealer(KEY), { ...login, password: "pw" });
    expect(((await reader("demo").catch((e) => e)) as CredentialsError).code).to.equal(
      "CREDENTIALS_KEY_MISSING",
    );
  });
});
