import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatProblems, parseConfig } from "../src/index.js";

describe("config: store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-store-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is SQLite (no store section) by default", () => {
    expect(parseConfig("", { env: {} }).value!.store).to.equal(undefined);
  });

  it("takes store.url with its password from ${env:...} and a pool size", () => {
    const r = parseConfig(
      "store:\n  url: postgres://bosun@db:5432/bosun\n  password: ${env:PGPASS}\n  poolSize: 4\n",
      { env: { PGPASS: "from-env" } },
    );
    expect(r.errors).to.equal(undefined);
    expect(r.value!.store).to.deep.equal({
      url: "postgres://bosun@db:5432/bosun",
      password: "from-env",
      poolSize: 4,
    });
  });

  it("reads store.passwordFile relative to the config file, without its trailing newline", () => {
    writeFileSync(join(dir, "pg-password"), "from-file\n");
    const r = parseConfig("store: { url: 'postgresql://bosun@db/bosun', passwordFile: pg-password }\n", {
      file: join(dir, "bosun.yaml"),
      env: {},
    });
    expect(r.value!.store).to.deep.equal({ url: "postgresql://bosun@db/bosun", password: "from-file" });
  });

  it("lets BOSUN_STORE_URL choose the store over bosun.yaml", () => {
    const r = parseConfig("store: { url: 'postgres://a@one/bosun' }\n", {
      env: { BOSUN_STORE_URL: "postgres://b@two/bosun" },
    });
    expect(r.value!.store?.url).to.equal("postgres://b@two/bosun");
    expect(parseConfig("", { env: { BOSUN_STORE_URL: "postgres://c@three/x" } }).value!.store?.url).to.equal(
      "postgres://c@three/x",
    );
  });

  it("refuses a URL that is not PostgreSQL's, without repeating it (it may hold a password)", () => {
    const r = parseConfig("store:\n  url: mysql://root:hunter2@db/bosun\n", { file: "bosun.yaml", env: {} });
    expect(r.errors).to.have.length(1);
    const text = formatProblems(r.errors!);
    expect(r.errors![0]).to.include({ path: "store.url", line: 2, found: "(hidden)" });
    expect(text).to.match(/store\.url is not a PostgreSQL URL/);
    expect(text).to.not.include("hunter2");
    const fromEnv = parseConfig("", { env: { BOSUN_STORE_URL: "nonsense:pw" } });
    expect(formatProblems(fromEnv.errors!)).to.match(/BOSUN_STORE_URL is not a PostgreSQL URL/);
  });

  it("hides the password in schema problems, and refuses password with passwordFile", () => {
    const r = parseConfig("store: { url: 'postgres://a@b/c', password: 42, passwordFile: x }\n", { env: {} });
    const text = formatProblems(r.errors!);
    expect(text).to.not.include("42");
    const both = parseConfig("store: { url: 'postgres://a@b/c', password: pw, passwordFile: x }\n", {
      env: {},
    });
    expect(formatProblems(both.errors!)).to.match(/password and store.passwordFile are both set/);
  });

  it("a missing password file is a config error naming the file", () => {
    const r = parseConfig("store: { url: 'postgres://a@b/c', passwordFile: ./nope }\n", {
      file: join(dir, "bosun.yaml"),
      env: {},
    });
    expect(r.errors).to.have.length(1);
    expect(r.errors![0]).to.include({ path: "store.passwordFile", line: 1 });
    expect(r.errors![0]!.message).to.match(/cannot read the store password file .*nope \(ENOENT\)/);
  });
});
