/**
 * Pub/Sub push authentication on the gcr gateway: a project with `pubsub` settings takes only a
 * Google-signed OIDC token for its service account and audience. Google's key set is played by a local
 * server holding a key pair made here; tokens are signed with it (or with another key, to forge them).
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type { CryptoKey, JWK, JWTPayload } from "jose";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { ProjectConfig } from "@bosun/core";
import type { GatewayErrorContext, RegistryGateway } from "../src/index.js";
import { createRegistries, registryFor } from "../src/index.js";
import { createGcrGateway, gcr } from "../src/gcr/gateway.js";
import { ownFixture } from "./support/fixtures.js";
import type { OutgoingRequest, Reply, RunningGateway } from "./support/server.js";
import { projectConfig, send, startGateway, TOKEN } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

const SERVICE_ACCOUNT = "bosun-push@acme-prod.iam.gserviceaccount.com";
const AUDIENCE = "https://bosun.example.com/events/gcr/webapp";
const KID = "test-key-1";

/** A project with pubsub settings (and a webhookToken, which must not be enough for gcr). */
const OIDC_PROJECT = "webapp";
/** The same, without a webhookToken: the OIDC token alone opens it. */
const OIDC_ONLY_PROJECT = "oidc-only";
/** No pubsub settings: ?token= as before. */
const TOKEN_PROJECT = "legacy";

function withPubSub(project: ProjectConfig, audience = AUDIENCE): ProjectConfig {
  return { ...project, pubsub: { serviceAccount: SERVICE_ACCOUNT, audience } };
}

const PROJECTS: readonly ProjectConfig[] = [
  withPubSub(projectConfig(OIDC_PROJECT, TOKEN)),
  withPubSub(projectConfig(OIDC_ONLY_PROJECT), `${AUDIENCE}-only`),
  projectConfig(TOKEN_PROJECT, TOKEN),
];

interface KeyServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** Serves a JSON Web Key Set at /certs, as Google does at /oauth2/v3/certs. */
async function serveKeys(keys: unknown): Promise<KeyServer> {
  const state = { requests: 0 };
  const server: Server = createServer((request, response) => {
    state.requests++;
    if (request.url !== "/certs") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/certs`,
    get requests() {
      return state.requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/certs`;
}

const now = () => Math.floor(Date.now() / 1000);

/** The claims Pub/Sub puts in a push token, with `changes` applied (undefined removes a claim). */
function claims(changes: Record<string, unknown> = {}): JWTPayload {
  const base: Record<string, unknown> = {
    aud: AUDIENCE,
    azp: "113774264463038321964",
    email: SERVICE_ACCOUNT,
    email_verified: true,
    exp: now() + 3600,
    iat: now(),
    iss: "https://accounts.google.com",
    sub: "113774264463038321964",
    ...changes,
  };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
}

async function sign(key: CryptoKey, payload: JWTPayload, kid = KID): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key);
}

const BODY = ownFixture("gcr", "tag_insert.json");

function push(project: string, options: { bearer?: string; token?: string; body?: Buffer } = {}) {
  const request: OutgoingRequest = {
    path: `/events/gcr/${project}${options.token === undefined ? "" : `?token=${encodeURIComponent(options.token)}`}`,
    headers: { "content-type": "application/json" },
    body: options.body ?? BODY,
  };
  if (options.bearer !== undefined) request.headers.authorization = `Bearer ${options.bearer}`;
  return request;
}

function expectUnauthorized(reply: Reply, context?: string): void {
  expect(reply.status, `${context ?? ""} ${reply.text}`).to.equal(401);
  expect((reply.json as { error: { code: string } }).error.code).to.equal("UNAUTHORIZED");
}

describe("GCR / Artifact Registry gateway: Pub/Sub push authentication (OIDC)", () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let publicJwk: JWK;
  let keyServer: KeyServer;
  let gateway: RegistryGateway;
  let db: TestStore;
  let server: RunningGateway;
  let reported: { error: unknown; context: GatewayErrorContext }[];

  const start = async (registry: RegistryGateway) => {
    await server?.close();
    server = await startGateway({
      store: db.store,
      registries: [registry],
      findProject: (name) => PROJECTS.find((p) => p.name === name),
      onError: (error, context) => reported.push({ error, context }),
    });
  };

  before(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: "RS256", use: "sig" };
    keyServer = await serveKeys([publicJwk]);
    gateway = createGcrGateway({ jwksUrl: keyServer.url });
  });
  after(async () => {
    await keyServer.close();
  });
  beforeEach(async () => {
    reported = [];
    db = await openTestStore();
    await start(gateway);
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  it("accepts a valid token: 202, and the push is stored", async () => {
    const reply = await send(server.url, push(OIDC_PROJECT, { bearer: await sign(privateKey, claims()) }));
    expect(reply.status, reply.text).to.equal(202);
    const stored = await db.events();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.deep.include({
      project: OIDC_PROJECT,
      source: "gcr",
      deliveryId: "7403931876443217",
    });
    expect(reply.json).to.deep.equal({ accepted: [stored[0]?.id], duplicates: 0, ignored: 0 });
    expect(keyServer.requests).to.be.greaterThan(0);
  });

  it("stores a replayed push once: its messageId is in the body, whatever tokens and headers come with it", async () => {
    for (let n = 0; n < 4; n++) {
      const replay = push(OIDC_PROJECT, { bearer: await sign(privateKey, claims({ iat: now() - n })) });
      replay.headers["x-request-id"] = `replay-${n}`;
      replay.headers["x-goog-delivery"] = `replay-${n}`;
      expect((await send(server.url, replay)).status).to.equal(202);
    }
    expect((await db.events()).map((e) => e.deliveryId)).to.deep.equal(["7403931876443217"]);
  });

  it("accepts the issuer without https:// too, and an email in other case", async () => {
    const token = await sign(
      privateKey,
      claims({ iss: "accounts.google.com", email: SERVICE_ACCOUNT.toUpperCase() }),
    );
    const reply = await send(server.url, push(OIDC_PROJECT, { bearer: token }));
    expect(reply.status, reply.text).to.equal(202);
  });

  it("opens a project without a webhookToken to its OIDC token alone, for gcr only", async () => {
    const token = await sign(privateKey, claims({ aud: `${AUDIENCE}-only` }));
    const reply = await send(server.url, push(OIDC_ONLY_PROJECT, { bearer: token }));
    expect(reply.status, reply.text).to.equal(202);
    expect(await db.events()).to.have.length(1);
  });

  it("gives the 401 of a wrong token for every token that is not right, storing nothing", async () => {
    const refusals: [string, string][] = [
      [
        "wrong audience",
        await sign(privateKey, claims({ aud: "https://bosun.example.com/events/gcr/other" })),
      ],
      ["another project's audience", await sign(privateKey, claims({ aud: `${AUDIENCE}-only` }))],
      ["wrong email", await sign(privateKey, claims({ email: "intruder@evil.iam.gserviceaccount.com" }))],
      ["email_verified false", await sign(privateKey, claims({ email_verified: false }))],
      ["email_verified a string", await sign(privateKey, claims({ email_verified: "true" }))],
      ["no email", await sign(privateKey, claims({ email: undefined }))],
      ["expired", await sign(privateKey, claims({ iat: now() - 7200, exp: now() - 3600 }))],
      ["no exp", await sign(privateKey, claims({ exp: undefined }))],
      ["no iat", await sign(privateKey, claims({ iat: undefined }))],
      ["wrong issuer", await sign(privateKey, claims({ iss: "https://evil.example.com" }))],
      ["another key, same kid", await sign(otherKey, claims())],
      ["another key, unknown kid", await sign(otherKey, claims(), "forged")],
      ["not a JWT", "not-a-jwt"],
      [
        "unsigned",
        `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims())).toString("base64url")}.`,
      ],
    ];
    const wrongToken = await send(server.url, push(TOKEN_PROJECT, { token: "wrong-token" }));
    expectUnauthorized(wrongToken);
    for (const [what, token] of refusals) {
      const reply = await send(server.url, push(OIDC_PROJECT, { bearer: token }));
      expectUnauthorized(reply, what);
      expect(reply.text, what).to.equal(wrongToken.text);
    }
    expect(await db.events()).to.have.length(0);
    expect(reported).to.deep.equal([]);
  });

  it("refuses a missing Authorization header, another scheme, and ?token= alone", async () => {
    const valid = await sign(privateKey, claims());
    const replies = [
      await send(server.url, push(OIDC_PROJECT)),
      await send(server.url, push(OIDC_PROJECT, { token: TOKEN })),
      await send(server.url, {
        ...push(OIDC_PROJECT),
        headers: { "content-type": "application/json", authorization: valid },
      }),
      await send(server.url, {
        ...push(OIDC_PROJECT),
        headers: { "content-type": "application/json", authorization: `Basic ${valid}` },
      }),
      // Pub/Sub's token for one project does not open another, nor a project that does not exist.
      await send(server.url, push(OIDC_ONLY_PROJECT, { bearer: valid })),
      await send(server.url, push("nobody", { bearer: valid })),
      await send(server.url, push("nobody", { bearer: valid, token: TOKEN })),
    ];
    for (const reply of replies) expectUnauthorized(reply);
    for (const reply of replies) expect(reply.text).to.equal(replies[0]?.text);
    expect(await db.events()).to.have.length(0);
  });

  it("authenticates before reading the body: a bad token on a malformed body is a 401, not a 400", async () => {
    const malformed = Buffer.from('{"message": ');
    expectUnauthorized(await send(server.url, push(OIDC_PROJECT, { body: malformed })));
    const reply = await send(
      server.url,
      push(OIDC_PROJECT, { bearer: await sign(privateKey, claims()), body: malformed }),
    );
    expect(reply.status).to.equal(400);
  });

  it("says in the 401 what kind of credential is expected", async () => {
    const reply = await send(server.url, push(OIDC_PROJECT));
    expect((reply.json as { error: { message: string } }).error.message)
      .to.include("?token=")
      .and.include("OIDC token")
      .and.include("Authorization: Bearer");
  });

  it("leaves projects without pubsub settings as they were: ?token= only", async () => {
    const valid = await sign(privateKey, claims());
    expectUnauthorized(await send(server.url, push(TOKEN_PROJECT, { bearer: valid })));
    expectUnauthorized(await send(server.url, push(TOKEN_PROJECT, { token: "wrong-token" })));
    const reply = await send(server.url, push(TOKEN_PROJECT, { token: TOKEN }));
    expect(reply.status, reply.text).to.equal(202);
    expect(await db.events()).to.have.length(1);
  });

  it("answers 503 with Retry-After when the keys cannot be fetched, and accepts the retry", async () => {
    const token = await sign(privateKey, claims());
    const unreachable = createGcrGateway({ jwksUrl: await deadUrl() });
    await start(unreachable);
    const reply = await send(server.url, push(OIDC_PROJECT, { bearer: token }));
    expect(reply.status, reply.text).to.equal(503);
    expect((reply.json as { error: { code: string } }).error.code).to.equal("KEYS_UNAVAILABLE");
    expect(Number(reply.headers.get("retry-after"))).to.be.greaterThan(0);
    expect(await db.events()).to.have.length(0);
    // Logged as a 5xx, without the token.
    expect(reported.map((r) => r.context)).to.deep.equal([
      { registry: "gcr", project: OIDC_PROJECT, status: 503 },
    ]);
    expect(describeError(reported[0]?.error)).not.to.include(token);
    expect(describeError(reported[0]?.error)).not.to.include(token.split(".")[2]);
    // A token that is not a JWT needs no keys: still the 401.
    expectUnauthorized(await send(server.url, push(OIDC_PROJECT, { bearer: "not-a-jwt" })));
    // Projects without pubsub settings do not depend on Google's keys.
    expect((await send(server.url, push(TOKEN_PROJECT, { token: TOKEN }))).status).to.equal(202);

    await start(gateway);
    const retry = await send(server.url, push(OIDC_PROJECT, { bearer: token }));
    expect(retry.status, retry.text).to.equal(202);
  });

  it("answers 503 when the key set is not served (an error status, or not a key set)", async () => {
    const token = await sign(privateKey, claims());
    const broken = await serveKeys("not a list of keys");
    try {
      for (const url of [broken.url.replace("/certs", "/missing"), broken.url]) {
        await start(createGcrGateway({ jwksUrl: url }));
        const reply = await send(server.url, push(OIDC_PROJECT, { bearer: token }));
        expect(reply.status, `${url}: ${reply.text}`).to.equal(503);
      }
    } finally {
      await broken.close();
    }
    expect(await db.events()).to.have.length(0);
  });

  it("keeps the keys it fetched: further pushes fetch nothing", async () => {
    const fresh = await serveKeys([publicJwk]);
    try {
      await start(createGcrGateway({ jwksUrl: fresh.url }));
      for (let i = 0; i < 3; i++) {
        const reply = await send(
          server.url,
          push(OIDC_PROJECT, { bearer: await sign(privateKey, claims()) }),
        );
        expect(reply.status, reply.text).to.equal(202);
      }
      expect(fresh.requests).to.equal(1);
    } finally {
      await fresh.close();
    }
  });

  it("uses Google's key set unless told otherwise", () => {
    expect(registryFor("gcr")).to.equal(gcr);
    expect(createRegistries().find((g) => g.kind === "gcr")).to.equal(gcr);
    const configured = createRegistries({ pubsubJwksUrl: keyServer.url });
    expect(configured.find((g) => g.kind === "gcr")).not.to.equal(gcr);
    expect(configured.map((g) => g.kind)).to.deep.equal(createRegistries().map((g) => g.kind));
  });
});

/** Everything an error logger could print: message, stack and causes. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(String(e), e.stack ?? "");
  return parts.join("\n");
}
