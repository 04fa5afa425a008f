import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCredentialsReader, putLogin } from "../src/credentials/reader.js";
import { createSealer, ownerKey, CredentialsError } from "@bosun/core";
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

  describe("service accounts", () => {
    const sealer = createSealer(KEY);
    const accountOf: Record<string, string> = { alpha: "team-a", beta: "team-b", lost: "missing" };
    const reader = () => createCredentialsReader(store.credentials, sealer, (p) => accountOf[p]);
    const put = (owner: string, target: string, password: string, kind: "docker" | "git" = "docker") =>
      putLogin(store.credentials, sealer, { project: owner, kind, target, username: "u", password });

    beforeEach(async () => {
      await store.credentials.createServiceAccount("team-a");
      await store.credentials.createServiceAccount("team-b");
      await put(ownerKey({ serviceAccount: "team-a" }), "registry.a:5000", "pw-team-a");
      await put(ownerKey({ serviceAccount: "team-a" }), "git.example.com", "pw-team-a-git", "git");
      await put(ownerKey({ serviceAccount: "team-b" }), "registry.b:5000", "pw-team-b");
    });

    it("a project reads its account's logins and its own; its own take the place of the account's", async () => {
      await put("alpha", "registry.a:5000", "pw-alpha-own");
      await put("alpha", "docker.io", "pw-alpha-hub");
      expect(await reader()("alpha")).to.deep.equal({
        docker: [
          { registry: "docker.io", username: "u", password: "pw-alpha-hub" },
          { registry: "registry.a:5000", username: "u", password: "pw-alpha-own" },
        ],
        git: [{ host: "git.example.com", username: "u", password: "pw-team-a-git" }],
      });
    });

    it("two projects with different accounts never see each other's logins", async () => {
      const text = JSON.stringify(await reader()("beta"));
      expect(text).to.include("pw-team-b").and.not.include("pw-team-a");
      expect(JSON.stringify(await reader()("alpha"))).not.to.include("pw-team-b");
      // A project without an account sees neither.
      expect(await reader()("gamma")).to.deep.equal({ docker: [], git: [] });
    });

    it("an account's sealed login moved to another account does not open there", async () => {
      const [sealed] = await store.credentials.sealedFor(ownerKey({ serviceAccount: "team-a" }));
      await store.credentials.put({ ...sealed!, project: ownerKey({ serviceAccount: "team-b" }) });
      const err = await reader()("beta").catch((e: unknown) => e);
      expect((err as CredentialsError).code).to.equal("CREDENTIALS_UNREADABLE");
    });

    it("a project naming an account that does not exist fails with a typed error saying what to do", async () => {
      const err = (await reader()("lost").catch((e: unknown) => e)) as CredentialsError;
      expect(err.code).to.equal("CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND");
      expect(err.message).to.include('"missing"').and.include("bosun serviceaccount create missing");
    });
  });
});
