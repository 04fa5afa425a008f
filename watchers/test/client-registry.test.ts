import { expect } from "chai";
import { startRegistry, type TestRegistry } from "@bosun/test-support";
import { RegistryClient, RegistryError, RequestGate, type Login } from "../src/index.js";
import { startRegistryTrusting, startTokenServer, type TokenServer } from "./support/token-server.js";

const USER = { username: "bosun", password: "poll-secret" };
const AMD64 = { os: "linux", architecture: "amd64" };

function client(registry: TestRegistry, login: Login | undefined, pageSize?: number): RegistryClient {
  return new RegistryClient({
    address: registry.host,
    insecure: true,
    login: async () => login,
    gate: new RequestGate(),
    ...(pageSize ? { pageSize } : {}),
  });
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "a RegistryError").to.be.instanceOf(RegistryError);
  return err as RegistryError;
}

/** What every login flow must give: tags across pages, digests by HEAD, the catalog, and its refusals. */
function readsTheRegistry(start: () => Promise<{ registry: TestRegistry; stop?: () => Promise<void> }>) {
  let registry: TestRegistry;
  let stop: (() => Promise<void>) | undefined;
  let v1: string;
  let v2: string;

  before(async function () {
    this.timeout(60_000);
    ({ registry, stop } = await start());
    v1 = (await registry.push("team/app", "v1")).digest;
    v2 = (await registry.push("team/app", "v2", { format: "v2s2" })).digest;
    await registry.push("team/app", "v3");
    await registry.push("team/api", "latest");
  });

  after(async function () {
    await registry?.stop();
    await stop?.();
  });

  it("lists every tag across pages of one (Link rel=next)", async function () {
    const tags = await client(registry, USER, 1).tags("team/app");
    expect(tags).to.have.members(["v1", "v2", "v3"]);
  });

  it("reads a tag's digest with a HEAD, for OCI and Docker v2 manifests alike", async function () {
    const c = client(registry, USER);
    expect(await c.tagDigest("team/app", "v1", AMD64)).to.include({
      digest: v1,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
    expect(await c.tagDigest("team/app", "v2", AMD64)).to.include({
      digest: v2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    });
    expect(await c.tagDigest("team/app", "nope", AMD64)).to.equal(undefined);
  });

  it("lists the catalog", async function () {
    expect(await client(registry, USER, 1).catalog()).to.have.members(["team/app", "team/api"]);
  });

  it("refuses a wrong password and no login with REGISTRY_LOGIN_FAILED", async function () {
    const wrong = await failure(client(registry, { ...USER, password: "wrong" }).tags("team/app"));
    expect(wrong.code).to.equal("REGISTRY_LOGIN_FAILED");
    expect(wrong.message).to.not.contain("wrong");
    expect((await failure(client(registry, undefined).tags("team/app"))).code).to.equal(
      "REGISTRY_LOGIN_FAILED",
    );
  });

  it("names a repository that is not there", async function () {
    const err = await failure(client(registry, USER).tags("team/missing"));
    expect(err.code).to.equal("REGISTRY_REPOSITORY_NOT_FOUND");
  });
}

describe("registry client: a real registry with htpasswd (Basic)", function () {
  this.timeout(30_000);
  readsTheRegistry(async () => ({ registry: await startRegistry({ auth: { users: [USER] } }) }));
});

describe("registry client: a real registry with token auth (Bearer challenge)", function () {
  this.timeout(30_000);
  let tokens: TokenServer;
  readsTheRegistry(async () => {
    tokens = await startTokenServer([USER]);
    const registry = await startRegistryTrusting(tokens, [USER]);
    return { registry, stop: () => tokens.stop() };
  });

  it("asks the realm once per scope, with the challenge's service and scope, and the login as Basic", async function () {
    const registry = await startRegistryTrusting(tokens, [USER]);
    try {
      await registry.push("team/app", "v1");
      await registry.push("team/api", "v1");
      const before = tokens.requests.length;
      const c = client(registry, USER);
      await c.tags("team/app");
      await c.tagDigest("team/app", "v1", AMD64);
      await c.tags("team/app");
      await c.tags("team/api");
      const asked = tokens.requests.slice(before);
      expect(asked).to.deep.equal([
        { username: "bosun", scope: ["repository:team/app:pull"], service: tokens.service },
        { username: "bosun", scope: ["repository:team/api:pull"], service: tokens.service },
      ]);
    } finally {
      await registry.stop();
    }
  });
});
