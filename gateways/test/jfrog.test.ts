import { createHmac } from "node:crypto";
import { expect } from "chai";
import { jfrog } from "../src/jfrog/gateway.js";
import { JFROG_PLACEHOLDER_HOST } from "../src/jfrog/host.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";
import type { OutgoingRequest, RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

/** The three forms X-JFrog-Event-Auth takes. */
const AUTH_FORMS: Record<string, (body: Buffer, token: string) => string> = {
  "the token itself": (_body, token) => token,
  "hex HMAC-SHA256 of the body (Kargo)": (body, token) =>
    createHmac("sha256", token).update(body).digest("hex"),
  "sha1= and hex HMAC-SHA1 of the body (Telegraf)": (body, token) =>
    `sha1=${createHmac("sha1", token).update(body).digest("hex")}`,
};
const signed = (request: OutgoingRequest, token: string): OutgoingRequest => ({
  ...request,
  headers: {
    ...request.headers,
    "x-jfrog-event-auth": AUTH_FORMS["hex HMAC-SHA256 of the body (Kargo)"]!(request.body, token),
  },
});

const STOREFRONT = {
  registry: "acme.jfrog.io",
  repository: "acme/storefront",
};

registryContract({
  gateway: jfrog,
  authorize: signed,
  fixtures: [
    {
      file: "pushed.json",
      pushes: [
        {
          image: {
            ...STOREFRONT,
            tag: "1.8.0",
            digest: "sha256:6dc8996aa35891324cc184ac9054f93b4fa140c6cc51dc49de2dede28acac8a7",
            pusher: "jfrog/ci-bot@acme.example",
            ref: "acme.jfrog.io/acme/storefront:1.8.0",
          },
        },
      ],
    },
    {
      file: "deleted.json",
      pushes: [
        {
          type: "image_delete",
          image: {
            ...STOREFRONT,
            tag: "1.7.3",
            digest: "sha256:fb29ee9c7623f175f4ab17061df02c29f475621dd4ec99fe2a0f8df0a9b5800f",
            pusher: "jfrog/release-admin",
            ref: "acme.jfrog.io/acme/storefront:1.7.3",
          },
        },
      ],
    },
    { file: "promoted.json", pushes: [], ignored: 1 },
    { file: "artifact_deployed.json", pushes: [], ignored: 1 },
  ],
});

describe("JFrog Artifactory gateway: X-JFrog-Event-Auth over HTTP", () => {
  let db: TestStore;
  let server: RunningGateway;
  beforeEach(async () => {
    db = await openTestStore();
    server = await startGateway({ store: db.store, registries: [jfrog] });
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  const body = ownFixture("jfrog", "pushed.json");
  const request = (auth: string, content = body): OutgoingRequest => ({
    path: `/events/jfrog/${PROJECT}`,
    headers: { "content-type": "application/json", "x-jfrog-event-auth": auth },
    body: content,
  });

  for (const [form, sign] of Object.entries(AUTH_FORMS)) {
    it(`accepts ${form}, and refuses it made with another token`, async () => {
      const reply = await send(server.url, request(sign(body, TOKEN)));
      expect(reply.status, reply.text).to.equal(202);
      expect((await send(server.url, request(sign(body, `${TOKEN}x`)))).status).to.equal(401);
      expect(await db.events()).to.have.length(1);
    });
  }

  it("refuses a signature of another body, a signature in the other form's prefix, and no header", async () => {
    const other = Buffer.from(body.toString("utf8").replace("1.8.0", "1.8.1"));
    const kargo = AUTH_FORMS["hex HMAC-SHA256 of the body (Kargo)"]!;
    expect((await send(server.url, request(kargo(other, TOKEN)))).status).to.equal(401);
    expect(await send(server.url, request(`sha1=${kargo(body, TOKEN)}`))).to.have.property("status", 401);
    expect(await send(server.url, request(`sha256=${kargo(body, TOKEN)}`))).to.have.property("status", 401);
    const unsigned = { ...request(""), headers: { "content-type": "application/json" } };
    expect((await send(server.url, unsigned)).status).to.equal(401);
    expect(await db.events()).to.have.length(0);
  });
});

describe("JFrog Artifactory gateway: payloads", () => {
  type Envelope = Record<string, unknown> & { data: Record<string, unknown> };
  const pushed = (): Envelope => JSON.parse(ownFixture("jfrog", "pushed.json").toString("utf8")) as Envelope;
  const parse = (event: unknown, query = "") =>
    jfrog.parse({ headers: {}, query: new URLSearchParams(query), body: Buffer.from(JSON.stringify(event)) });
  const withData = (data: Record<string, unknown>) =>
    parse({ ...pushed(), data: { ...pushed().data, ...data } });

  it("takes the host from ?registry=, else from jpd_origin, else a placeholder", () => {
    const hostOf = (event: unknown, query = "") => parse(event, query).value?.pushes[0]?.image.registry;
    expect(hostOf(pushed(), "registry=docker.acme.example:8443")).to.equal("docker.acme.example:8443");
    expect(hostOf(pushed())).to.equal("acme.jfrog.io");
    expect(hostOf({ ...pushed(), jpd_origin: "https://Artifactory.Acme.Example:8081/ui/" })).to.equal(
      "artifactory.acme.example:8081",
    );
    for (const origin of [undefined, "https://<your_origin>", "ftp://acme.example", 7, "not a url"]) {
      expect(hostOf({ ...pushed(), jpd_origin: origin }), String(origin)).to.equal(JFROG_PLACEHOLDER_HOST);
    }
  });

  it("refuses a ?registry= that is repeated, empty or not a host", () => {
    for (const query of ["registry=a.example&registry=b.example", "registry=", "registry=not a host"]) {
      expect(parse(pushed(), query).errors?.[0], query).to.include({ path: "?registry" });
    }
  });

  it("makes the digest from data.sha256 only when it is a sha256 hex (JFrog's samples say sample_checksum)", () => {
    const digestOf = (sha256: unknown) => withData({ sha256 }).value?.pushes[0]?.image.digest;
    expect(digestOf("ABCDEF" + "0".repeat(58))).to.equal(`sha256:abcdef${"0".repeat(58)}`);
    for (const odd of ["sample_checksum", "sha256:" + "0".repeat(64), "0".repeat(63), 5, undefined]) {
      expect(digestOf(odd), String(odd)).to.equal(undefined);
    }
  });

  it("ignores promotions, other event types and other domains, saying why", () => {
    const ignored = [
      parse({ ...pushed(), event_type: "promoted" }),
      parse({ ...pushed(), event_type: "scanned" }),
      parse({ ...pushed(), domain: "build" }),
    ].map((r) => r.value?.ignored[0]);
    expect(ignored.map((i) => i?.path)).to.deep.equal(["event_type", "event_type", "domain"]);
    expect(ignored[0]?.reason).to.include("promot");
  });

  it("names the field that is missing or invalid", () => {
    expect(parse({ hello: "world" }).errors?.[0]).to.include({ path: "domain" });
    expect(parse({ ...pushed(), event_type: 3 }).errors?.[0]).to.include({ path: "event_type" });
    expect(parse({ ...pushed(), data: "x" }).errors?.[0]).to.include({ path: "data" });
    expect(withData({ image_name: undefined }).errors?.[0]).to.include({ path: "data.image_name" });
    expect(withData({ image_name: "Acme/Store" }).errors?.[0]).to.include({ path: "data.image_name" });
    expect(withData({ tag: "" }).errors?.[0]).to.include({ path: "data.tag" });
    expect(withData({ tag: ".hidden" }).errors?.[0]).to.include({ path: "data.tag" });
  });
});
