import { expect } from "chai";
import type { Result } from "@bosun/core";
import type { ParsedDelivery } from "../src/index.js";
import { gcr } from "../src/gcr/gateway.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";

const withToken = (path: string, token: string) =>
  `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;

const AR = "us-east1-docker.pkg.dev";
const WEBAPP_DIGEST = "sha256:e5e6ab676ea98d35fa4d840f2d994a125e509219897c94a79b2dd31bce875c08";

registryContract({
  gateway: gcr,
  authorize: (request, token) => ({ ...request, path: withToken(request.path, token) }),
  fixtures: [
    {
      file: "tag_insert.json",
      pushes: [
        {
          image: {
            registry: AR,
            repository: "acme-prod/containers/webapp",
            tag: "v2.4.0",
            digest: WEBAPP_DIGEST,
            pushedAt: "2024-06-03T09:15:27.512Z",
            ref: `${AR}/acme-prod/containers/webapp:v2.4.0`,
          },
          deliveryId: "7403931876443217",
        },
      ],
    },
    {
      file: "digest_only_insert.json",
      pushes: [
        {
          image: {
            registry: "gcr.io",
            repository: "acme-prod/worker",
            digest: "sha256:87eba76e7f3164534045ba922e7770fb58bbd14ad732bbf5ba6f11cc56989e6e",
            pushedAt: "2024-06-03T09:16:02.004Z",
            ref: "gcr.io/acme-prod/worker@sha256:87eba76e7f3164534045ba922e7770fb58bbd14ad732bbf5ba6f11cc56989e6e",
          },
          deliveryId: "7403931876443301",
        },
      ],
    },
    {
      file: "tag_delete.json",
      pushes: [
        {
          type: "image_delete",
          image: {
            registry: AR,
            repository: "acme-prod/containers/webapp",
            tag: "v2.3.9",
            pushedAt: "2024-06-03T10:02:44.930Z",
            ref: `${AR}/acme-prod/containers/webapp:v2.3.9`,
          },
          deliveryId: "7403931876449020",
        },
      ],
    },
    {
      // cosign signs by pushing a tag derived from the signed digest: an ordinary INSERT.
      file: "cosign_signature_insert.json",
      pushes: [
        {
          image: {
            registry: AR,
            repository: "acme-prod/containers/webapp",
            tag: `${WEBAPP_DIGEST.replace(":", "-")}.sig`,
            digest: "sha256:a543997d84f12798350c09bdef2cdb171bf41ed3e4a5f808af2feb0c56263009",
            pushedAt: "2024-06-03T09:15:31.270Z",
            ref: `${AR}/acme-prod/containers/webapp:${WEBAPP_DIGEST.replace(":", "-")}.sig`,
          },
          deliveryId: "7403931876443555",
        },
      ],
    },
    { file: "envelope_without_data.json", pushes: [], ignored: 1 },
  ],
});

/** A Pub/Sub push envelope around `data` (an object is JSON-encoded, a string is sent as is). */
function envelope(data: unknown, message: Record<string, unknown> = {}): Buffer {
  const encoded = typeof data === "string" ? data : Buffer.from(JSON.stringify(data)).toString("base64");
  return Buffer.from(
    JSON.stringify({
      message: { data: encoded, messageId: "42", publishTime: "2024-06-03T09:15:27.512Z", ...message },
      subscription: "projects/p/subscriptions/s",
    }),
  );
}

const parseBody = (body: Buffer): Result<ParsedDelivery> =>
  gcr.parse({ headers: {}, query: new URLSearchParams(), body });
const parse = (data: unknown, message?: Record<string, unknown>) => parseBody(envelope(data, message));

describe("GCR / Artifact Registry gateway: Pub/Sub envelopes and notifications", () => {
  it("answers base64 that is not JSON, and data that is not base64, with an error naming message.data", () => {
    for (const data of [Buffer.from("not json").toString("base64"), "%%%not-base64%%%", "abcde", "W10="]) {
      const r = parse(data);
      expect(r.errors?.[0], data).to.include({ code: "PAYLOAD_MALFORMED", path: "message.data" });
    }
    // JSON, but not an object: a number.
    expect(parse(7).errors?.[0]).to.include({ path: "message.data" });
  });

  it("rejects message.data of the wrong type and a missing message, naming the field", () => {
    expect(parseBody(Buffer.from('{"message": {"data": 7}}')).errors?.[0]).to.include({
      path: "message.data",
    });
    expect(parseBody(Buffer.from('{"subscription": "s"}')).errors?.[0]).to.include({ path: "message" });
  });

  it("says how to wrap the registry's own notification when it arrives without the Pub/Sub envelope", () => {
    const bare = '{"action": "INSERT", "tag": "gcr.io/my-project/hello-world:1.1"}';
    const e = parseBody(Buffer.from(bare)).errors?.[0];
    expect(e).to.include({ code: "PAYLOAD_MALFORMED", path: "message" });
    expect(e!.message).to.contain("the registry's notification itself");
    expect(e!.message).to.contain('{"message": {"data": "<base64 of this body>"');
  });

  it("ignores an attribute-only message (no data, or empty data)", () => {
    for (const body of ['{"message": {"attributes": {"a": "b"}}}', '{"message": {"data": ""}}']) {
      expect(parseBody(Buffer.from(body)).value).to.deep.include({ pushes: [] });
      expect(parseBody(Buffer.from(body)).value?.ignored[0]).to.include({ path: "message.data" });
    }
  });

  it("keeps a tagged INSERT whose digest is truncated (Google's samples) or names another image, without the digest", () => {
    const tag = "gcr.io/my-project/hello-world:1.1";
    for (const digest of [
      "gcr.io/my-project/hello-world@sha256:6ec128e26cd5...",
      `gcr.io/other/image@${WEBAPP_DIGEST}`,
    ]) {
      const image = parse({ action: "INSERT", tag, digest }).value?.pushes[0]?.image;
      expect(image, digest).to.deep.include({ ref: tag, tag: "1.1" });
      expect(image, digest).not.to.have.property("digest");
    }
  });

  it("refuses a digest-only notification whose digest is unusable, and one that names no image", () => {
    const truncated = parse({ action: "INSERT", digest: "gcr.io/p/app@sha256:6ec128e26cd5..." });
    expect(truncated.errors?.[0]).to.include({ path: "message.data.digest" });
    expect(parse({ action: "INSERT" }).errors?.[0]).to.include({ path: "message.data.digest" });
    expect(parse({ action: "INSERT", tag: 5 }).errors?.[0]).to.include({ path: "message.data.tag" });
  });

  it("reads tag as a full reference: a bare tag or a bad host or repository is refused", () => {
    for (const tag of ["v1", "gcr.io/app", "gcr.io/Proj/App:v1", "gcr.io/p/app:-v1", "bad_host!/p/app:v1"]) {
      expect(parse({ action: "INSERT", tag }).errors?.[0], tag).to.include({ path: "message.data.tag" });
    }
    const ported = parse({ action: "INSERT", tag: "localhost:5000/team/app:v1" }).value?.pushes[0]?.image;
    expect(ported).to.include({ registry: "localhost:5000", repository: "team/app", tag: "v1" });
  });

  it("reports a DELETE by digest as image_delete, and ignores actions other than INSERT and DELETE", () => {
    const deleted = parse({ action: "DELETE", digest: `gcr.io/p/app@${WEBAPP_DIGEST}` }).value?.pushes[0];
    expect(deleted).to.deep.include({ type: "image_delete" });
    expect(deleted?.image.ref).to.equal(`gcr.io/p/app@${WEBAPP_DIGEST}`);
    expect(parse({ action: "UPDATE", tag: "gcr.io/p/app:v1" }).value?.ignored[0]).to.include({
      path: "message.data.action",
    });
    expect(parse({ tag: "gcr.io/p/app:v1" }).errors?.[0]).to.include({ path: "message.data.action" });
  });

  it("takes the delivery id and time from the message, in either spelling, and leaves out what is unusable", () => {
    const data = { action: "INSERT", tag: "gcr.io/p/app:v1" };
    const snake = parse(data, {
      messageId: undefined,
      publishTime: undefined,
      message_id: "99",
      publish_time: "2024-01-02T03:04:05Z",
    }).value?.pushes[0];
    expect(snake).to.deep.include({ deliveryId: "99" });
    expect(snake?.image.pushedAt).to.equal("2024-01-02T03:04:05Z");
    const bare = parse(data, { messageId: undefined, publishTime: "yesterday" }).value?.pushes[0];
    expect(bare).not.to.have.property("deliveryId");
    expect(bare?.image).not.to.have.property("pushedAt");
  });

  it("survives every field of the decoded notification replaced by an odd value or removed", () => {
    const odd = [null, "", "x", 0, 1e308, true, [], {}, "A".repeat(300), "gcr.io/p/app", "@", ":"];
    for (const file of ["tag_insert.json", "digest_only_insert.json", "tag_delete.json"]) {
      const message = (JSON.parse(ownFixture("gcr", file).toString()) as { message: { data: string } })
        .message;
      const data = JSON.parse(Buffer.from(message.data, "base64").toString()) as Record<string, unknown>;
      for (const key of Object.keys(data)) {
        for (const value of [...odd, undefined]) {
          const r = parse({ ...data, [key]: value });
          const context = `${file} ${key}=${JSON.stringify(value)}`;
          if (r.errors) expect(r.errors[0]?.path, context).to.match(/^message\.data/);
          else
            for (const push of r.value.pushes)
              expect(push.image.ref, context).to.match(/^[a-z0-9.:-]+\/[a-z0-9]/);
        }
      }
    }
  });

  it("takes the token from ?token=, exactly once, for a project without pubsub settings", () => {
    const auth = (query: string, headers: Record<string, string> = {}) =>
      gcr.authenticator.reads === "head" &&
      gcr.authenticator.authenticate({ headers, query: new URLSearchParams(query) }, "t0ken");
    expect(auth("token=t0ken")).to.equal(true);
    expect(auth("token=t0ken&token=t0ken")).to.equal(false);
    expect(auth("token=nope")).to.equal(false);
    expect(auth("access_token=t0ken")).to.equal(false);
    expect(auth("", { authorization: "Bearer t0ken" })).to.equal(false);
  });
});
