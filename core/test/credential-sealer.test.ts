import { expect } from "chai";
import { createSealer, CredentialsError, type CredentialBinding } from "../src/credentials/sealer.js";
import { normaliseTarget } from "../src/credentials/targets.js";

describe("credentials: sealer", function () {
  this.timeout(20_000);
  const binding: CredentialBinding = {
    project: "demo",
    kind: "docker",
    target: "docker.io",
    username: "alice",
  };
  const sealer = createSealer("a passphrase of 16+ characters\n");

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail("expected a CredentialsError"),
      (e: unknown) => e as CredentialsError,
    );

  it("seals to v1:salt:iv:tag:ciphertext, a fresh IV each time, and opens again", async () => {
    const a = await sealer.seal(binding, "hunter2-hunter2");
    const b = await sealer.seal(binding, "hunter2-hunter2");
    expect(a.split(":")).to.have.length(5);
    expect(a.startsWith("v1:")).to.equal(true);
    expect(a).not.to.equal(b);
    expect(a).not.to.include("hunter2");
    expect(await sealer.open(binding, a)).to.equal("hunter2-hunter2");
    // Another sealer with the same key (a restarted server) opens it too; the trailing newline is ignored.
    expect(await createSealer("a passphrase of 16+ characters").open(binding, a)).to.equal("hunter2-hunter2");
  });

  it("a value bound to one project, kind, target or username does not open under another", async () => {
    const sealed = await sealer.seal(binding, "pw");
    for (const other of [
      { ...binding, project: "other" },
      { ...binding, kind: "git" as const },
      { ...binding, target: "ghcr.io" },
      { ...binding, username: "mallory" },
    ]) {
      expect((await failure(sealer.open(other, sealed))).code).to.equal("CREDENTIALS_UNREADABLE");
    }
  });

  it("a damaged value or an unknown format is CREDENTIALS_UNREADABLE", async () => {
    const sealed = await sealer.seal(binding, "pw");
    const parts = sealed.split(":");
    parts[4] = Buffer.from("tampered").toString("base64");
    for (const bad of [parts.join(":"), "v2:a:b:c:d", "garbage", ""]) {
      const err = await failure(sealer.open(binding, bad));
      expect(err).to.be.instanceOf(CredentialsError);
      expect(err.code).to.equal("CREDENTIALS_UNREADABLE");
    }
  });

  it("refuses a key shorter than 16 characters", () => {
    expect(() => createSealer("short  \n")).to.throw(CredentialsError, /too short/);
  });
});

describe("credentials: targets", () => {
  it("writes Docker Hub one way, and hosts in lower case without scheme or path", () => {
    for (const hub of [
      "docker.io",
      "index.docker.io",
      "registry-1.docker.io",
      "https://index.docker.io/v1/",
    ]) {
      expect(normaliseTarget("docker", hub)).to.equal("docker.io");
    }
    expect(normaliseTarget("docker", "127.0.0.1:5000")).to.equal("127.0.0.1:5000");
    expect(normaliseTarget("docker", "GHCR.io")).to.equal("ghcr.io");
    expect(normaliseTarget("git", "https://GitHub.com/org/repo.git")).to.equal("github.com");
    expect(normaliseTarget("git", "index.docker.io")).to.equal("index.docker.io");
    expect(normaliseTarget("docker", "[::1]:5000")).to.equal("[::1]:5000");
  });

  it("rejects what is not host[:port]", () => {
    for (const bad of ["", "a b", "host:port", "-bad.example", "user@host", "host:123456"]) {
      expect(normaliseTarget("docker", bad), bad).to.equal(undefined);
    }
  });
});
