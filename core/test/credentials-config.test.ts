import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatProblems, loadConfig, parseConfig } from "../src/index.js";

describe("config: credentials key", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-key-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const KEY = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE=";

  it("reads credentials.keyFile relative to the config file, without its trailing newline", async () => {
    writeFileSync(join(dir, "key"), `${KEY}\n`);
    writeFileSync(join(dir, "bosun.yaml"), "credentials: { keyFile: ./key }\n");
    const r = await loadConfig(join(dir, "bosun.yaml"), {});
    expect(r.errors).to.equal(undefined);
    expect(r.value!.credentialsKey).to.equal(KEY);
  });

  it("falls back to BOSUN_CREDENTIALS_KEY; the file wins when both are set", () => {
    expect(parseConfig("", { env: { BOSUN_CREDENTIALS_KEY: KEY } }).value!.credentialsKey).to.equal(KEY);
    expect(parseConfig("", { env: {} }).value!.credentialsKey).to.equal(undefined);
    writeFileSync(join(dir, "key"), "from-the-file-0123456789");
    const r = parseConfig("credentials:\n  keyFile: key\n", {
      file: join(dir, "bosun.yaml"),
      env: { BOSUN_CREDENTIALS_KEY: KEY },
    });
    expect(r.value!.credentialsKey).to.equal("from-the-file-0123456789");
  });

  it("a missing key file is a config error naming the file and the line", () => {
    const r = parseConfig("server: { port: 1 }\ncredentials:\n  keyFile: ./nope\n", {
      file: join(dir, "bosun.yaml"),
    });
    expect(r.errors).to.have.length(1);
    const p = r.errors![0]!;
    expect(p).to.include({ code: "CONFIG_INVALID", path: "credentials.keyFile", line: 3 });
    expect(p.message).to.include(join(dir, "nope"));
    expect(formatProblems(r.errors!)).to.include("head -c 32 /dev/urandom");
  });

  it("a key shorter than 16 characters is refused, without showing it", () => {
    writeFileSync(join(dir, "key"), "tiny-key\n");
    const r = parseConfig("credentials: { keyFile: key }\n", { file: join(dir, "bosun.yaml") });
    expect(r.errors![0]!.message).to.include("too short").and.include(join(dir, "key"));
    expect(formatProblems(r.errors!)).not.to.include("tiny-key");
    const e = parseConfig("", { env: { BOSUN_CREDENTIALS_KEY: "tiny-key" } });
    expect(e.errors![0]!.message).to.include("BOSUN_CREDENTIALS_KEY").and.not.include("tiny-key");
  });

  it("credentials takes only keyFile", () => {
    const r = parseConfig("credentials: { key: abc }\n", { file: join(dir, "bosun.yaml") });
    expect(r.errors![0]!.message).to.include('unknown key "key"');
  });

  it("a project names its service account; a name that is not one is refused with its path", () => {
    const project = (account: string) =>
      `projects:\n  - { name: app, script: ./s.js, serviceAccount: "${account}", subscriptions: [{ registry: quay }] }\n`;
    const file = join(dir, "bosun.yaml");
    expect(parseConfig(project("team-1"), { file }).value!.projects[0]!.serviceAccount).to.equal("team-1");
    expect(
      parseConfig(project("team-1").replace(', serviceAccount: "team-1"', ""), { file }).value!.projects[0],
    ).not.to.have.property("serviceAccount");
    const bad = parseConfig(project("Team 1"), { file });
    expect(bad.errors![0]).to.include({
      code: "CONFIG_INVALID",
      path: "projects[0].serviceAccount",
      line: 2,
    });
    expect(bad.errors![0]!.message).to.include("invalid service account name");
  });
});
