import { createHash, createHmac } from "node:crypto";
import { expect } from "chai";
import { ghcr } from "../src/ghcr/gateway.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";
import type { OutgoingRequest } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import { openTestStore } from "./support/store.js";

const FORM = "application/x-www-form-urlencoded";
const TAGGED_DIGEST = "sha256:c9b91a1f9e0d2c4a7b6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const UNTAGGED_DIGEST = "sha256:5e872f2480445ce993b4d2029c240c1f5405efdfcd26c12ffd1276fe54ee5157";

const signature = (body: Buffer, secret: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
/** GitHub names a delivery with a GUID; here a hash of the body stands in for it. */
const deliveryOf = (body: Buffer) => createHash("sha1").update(body).digest("hex");

/** The X-GitHub-Event GitHub would send with this body. */
function githubEventOf(body: Buffer, contentType: string | undefined): string {
  try {
    const text =
      contentType === FORM ? (new URLSearchParams(body.toString()).get("payload") ?? "") : body.toString();
    const json = JSON.parse(text) as Record<string, unknown>;
    if ("zen" in json && "hook_id" in json) return "ping";
    return "registry_package" in json ? "registry_package" : "package";
  } catch {
    return "package";
  }
}

/** Signs like GitHub: headers for the event and delivery, the HMAC of the exact body. */
function signed(request: OutgoingRequest, token: string): OutgoingRequest {
  return {
    ...request,
    headers: {
      ...request.headers,
      "x-github-event": githubEventOf(request.body, request.headers["content-type"]),
      "x-github-delivery": deliveryOf(request.body),
      "x-hub-signature-256": signature(request.body, token),
    },
  };
}

registryContract({
  gateway: ghcr,
  authorize: signed,
  fixtures: [
    {
      file: "package_published_tagged.json",
      pushes: [
        {
          image: {
            registry: "ghcr.io",
            repository: "acme-corp/web-app",
            tag: "v3.0.0",
            digest: TAGGED_DIGEST,
            mediaType: "application/vnd.oci.image.index.v1+json",
            pusher: "release-bot",
            pushedAt: "2024-06-15T08:45:12Z",
            ref: "ghcr.io/acme-corp/web-app:v3.0.0",
          },
        },
      ],
    },
    {
      file: "registry_package_updated_tagged.json",
      pushes: [
        {
          image: {
            registry: "ghcr.io",
            repository: "acme-corp/web-app",
            tag: "latest",
            digest: TAGGED_DIGEST,
            mediaType: "application/vnd.oci.image.index.v1+json",
            pusher: "release-bot",
            pushedAt: "2024-06-15T08:45:13Z",
            ref: "ghcr.io/acme-corp/web-app:latest",
          },
        },
      ],
    },
    {
      file: "package_published_untagged.json",
      pushes: [
        {
          image: {
            registry: "ghcr.io",
            repository: "acme-corp/web-app",
            digest: UNTAGGED_DIGEST,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            pusher: "release-bot",
            pushedAt: "2024-06-15T08:45:12Z",
            ref: `ghcr.io/acme-corp/web-app@${UNTAGGED_DIGEST}`,
          },
        },
      ],
    },
    { file: "ping.json", pushes: [], ignored: 1 },
    { file: "npm_package_published.json", pushes: [], ignored: 1 },
  ],
});

describe("GHCR gateway: form encoding and signatures over HTTP", () => {
  const tagged = ownFixture("ghcr", "package_published_tagged.json");
  const form = Buffer.from(new URLSearchParams({ payload: tagged.toString("utf8") }).toString());
  const request = (body: Buffer, contentType: string): OutgoingRequest => ({
    path: `/events/ghcr/${PROJECT}`,
    headers: { "content-type": contentType },
    body,
  });

  it("tells deliveries apart by their signed body, not by X-GitHub-Delivery", async () => {
    const db = await openTestStore();
    const server = await startGateway({ store: db.store, registries: [ghcr] });
    const updated = ownFixture("ghcr", "registry_package_updated_tagged.json");
    const withId = (body: Buffer, id: string) => {
      const made = signed(request(body, "application/json"), TOKEN);
      return { ...made, headers: { ...made.headers, "x-github-delivery": id } };
    };
    try {
      // One captured delivery replayed under five new ids, and another push under a reused id.
      for (const id of ["a", "b", "c", "d", "e"]) await send(server.url, withId(tagged, id));
      expect((await send(server.url, withId(updated, "a"))).status).to.equal(202);
      const stored = await db.events();
      expect(stored.map((e) => e.image?.tag)).to.deep.equal(["v3.0.0", "latest"]);
    } finally {
      await server.close();
      await db.close();
    }
  });

  it("accepts a form-encoded delivery signed over the encoded body, keeping that body as the payload", async () => {
    const db = await openTestStore();
    const server = await startGateway({ store: db.store, registries: [ghcr] });
    try {
      const reply = await send(server.url, signed(request(form, FORM), TOKEN));
      expect(reply.status, reply.text).to.equal(202);
      const [event] = await db.events();
      expect(event?.image?.ref).to.equal("ghcr.io/acme-corp/web-app:v3.0.0");
      expect(event?.payload).to.equal(form.toString("utf8"));
      expect(event?.deliveryId).to.match(/^[0-9a-f]{64}$/);
    } finally {
      await server.close();
      await db.close();
    }
  });

  it("refuses a signature over the decoded JSON, a SHA-1 signature alone, and a signature without its prefix", async () => {
    const db = await openTestStore();
    const server = await startGateway({ store: db.store, registries: [ghcr] });
    try {
      const overJson = signed(request(form, FORM), TOKEN);
      overJson.headers["x-hub-signature-256"] = signature(tagged, TOKEN);
      const sha1Only = request(tagged, "application/json");
      sha1Only.headers["x-hub-signature"] = `sha1=${createHmac("sha1", TOKEN).update(tagged).digest("hex")}`;
      const bare = request(tagged, "application/json");
      bare.headers["x-hub-signature-256"] = signature(tagged, TOKEN).slice("sha256=".length);
      for (const r of [overJson, sha1Only, bare]) expect((await send(server.url, r)).status).to.equal(401);
      expect(await db.events()).to.have.length(0);
    } finally {
      await server.close();
      await db.close();
    }
  });
});

describe("GHCR gateway: package payloads", () => {
  const parse = (body: unknown, headers: Record<string, string> = {}) =>
    ghcr.parse({
      headers: { "content-type": "application/json", ...headers },
      query: new URLSearchParams(),
      body: Buffer.from(JSON.stringify(body)),
    });
  const digest = "sha256:" + "e".repeat(64);
  const version = (fields: object = {}) => ({
    name: digest,
    package_url: "ghcr.io/Owner/App:v1",
    container_metadata: { tag: { name: "v1", digest }, manifest: { digest } },
    ...fields,
  });
  const event = (pkg: object = {}, fields: object = {}) => ({
    action: "published",
    package: {
      name: "App",
      package_type: "CONTAINER",
      owner: { login: "Owner" },
      package_version: version(),
      ...pkg,
    },
    sender: { login: "someone" },
    ...fields,
  });
  const image = (body: unknown, headers?: Record<string, string>) =>
    parse(body, headers).value?.pushes[0]?.image;

  it("lowercases the repository and trims the bare colon of an untagged package_url", () => {
    expect(image(event())?.ref).to.equal("ghcr.io/owner/app:v1");
    const untagged = version({
      package_url: "ghcr.io/Owner/App:",
      container_metadata: { tag: { name: "", digest }, manifest: { digest } },
    });
    expect(image(event({ package_version: untagged }))?.ref).to.equal(`ghcr.io/owner/app@${digest}`);
  });

  it("falls back to owner and name without a package_url, and to the version name for the digest", () => {
    const bare = { name: digest, container_metadata: { tag: { name: "" } } };
    expect(image(event({ package_version: bare }))).to.include({
      registry: "ghcr.io",
      repository: "owner/app",
      digest,
    });
  });

  it("reads the tags of metadata.container.tags when container_metadata names none, one push each", () => {
    const listed = version({
      package_url: "ghcr.io/Owner/App:",
      container_metadata: { tag: { name: "", digest }, manifest: { digest } },
      metadata: { package_type: "container", container: { tags: ["v3", "latest"] } },
    });
    const pushes = parse(event({ package_version: listed }), { "x-github-delivery": "d-1" }).value?.pushes;
    // The unsigned X-GitHub-Delivery is no id: the handler derives one from the body and each tag.
    expect(pushes?.map((p) => [p.image.ref, p.deliveryId])).to.deep.equal([
      ["ghcr.io/owner/app:v3", undefined],
      ["ghcr.io/owner/app:latest", undefined],
    ]);
    const bad = version({ container_metadata: {}, metadata: { container: { tags: ["v3", "-x"] } } });
    expect(parse(event({ package_version: bad })).errors?.[0]).to.include({
      path: "package.package_version.metadata.container.tags[1]",
    });
    const both = version({ metadata: { container: { tags: ["other"] } } });
    expect(parse(event({ package_version: both })).value?.pushes.map((p) => p.image.tag)).to.deep.equal([
      "v1",
    ]);
  });

  it("keeps the host of the older docker.pkg.github.com packages", () => {
    const old = version({ package_url: "docker.pkg.github.com/owner/repo/app:v1" });
    expect(image(event({ package_type: "docker", package_version: old }))?.ref).to.equal(
      "docker.pkg.github.com/owner/repo/app:v1",
    );
  });

  it("takes the time from the version unless it is GitHub's zero time", () => {
    expect(image(event({ updated_at: "2024-01-02T03:04:05Z" }))?.pushedAt).to.equal("2024-01-02T03:04:05Z");
    const zero = version({ created_at: "0001-01-01T00:00:00Z" });
    expect(image(event({ package_version: zero }))).to.not.have.property("pushedAt");
  });

  it("treats a package as a container when package_type or ecosystem says so", () => {
    expect(image(event({ package_type: "npm", ecosystem: "docker" }))?.repository).to.equal("owner/app");
    const npm = parse(event({ package_type: "npm", ecosystem: "npm" }));
    expect(npm.value).to.deep.equal({
      pushes: [],
      ignored: [{ path: "", reason: "npm package, not a container image" }],
    });
    expect(parse(event({ package_type: undefined })).errors?.[0]).to.include({
      path: "package.package_type",
    });
  });

  it("reads registry_package, and the key the X-GitHub-Event header names", () => {
    const { package: pkg, ...rest } = event();
    expect(image({ ...rest, registry_package: pkg })?.repository).to.equal("owner/app");
    expect(image({ ...rest, registry_package: pkg }, { "x-github-event": "registry_package" })?.tag).to.equal(
      "v1",
    );
    expect(image({ ...rest, registry_package: pkg }, { "x-github-event": "package" })?.tag).to.equal("v1");
  });

  it("ignores pings, other GitHub events and other actions, and accepts the beta's create", () => {
    for (const [body, headers] of [
      [{ zen: "Design for failure.", hook_id: 1 }, { "x-github-event": "ping" }],
      [event(), { "x-github-event": "push" }],
      [event({}, { action: "deleted" }), {}],
    ] as const) {
      const r = parse(body, headers);
      expect(r.value?.pushes).to.deep.equal([]);
      expect(r.value?.ignored).to.have.length(1);
    }
    expect(image(event({}, { action: "create" }))?.tag).to.equal("v1");
  });

  it("names the field that is missing or invalid", () => {
    expect(parse({ package: {} }).errors?.[0]).to.include({ path: "action" });
    expect(parse(event({ package_version: undefined })).errors?.[0]).to.include({
      path: "package.package_version",
    });
    expect(
      parse(event({ package_version: version({ package_url: "ghcr.io/a b/c:v1" }) })).errors?.[0],
    ).to.include({
      path: "package.package_version.package_url",
    });
    const badTag = version({ container_metadata: { tag: { name: "-x" }, manifest: { digest } } });
    expect(parse(event({ package_version: badTag })).errors?.[0]).to.include({
      path: "package.package_version.container_metadata.tag.name",
    });
    const form = (body: string) =>
      ghcr.parse({
        headers: { "content-type": FORM },
        query: new URLSearchParams(),
        body: Buffer.from(body),
      });
    expect(form("payload=1&payload=2").errors?.[0]).to.include({ path: "payload" });
    expect(form("other=1").errors?.[0]).to.include({ path: "payload" });
  });
});
