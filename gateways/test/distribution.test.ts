import { expect } from "chai";
import { distribution } from "../src/index.js";
import { registryContract } from "./contract.js";

const V1 = "application/vnd.docker.distribution.events.v1+json";
const V2 = "application/vnd.docker.distribution.events.v2+json";
const HOST = "registry.acme.test:5000";

registryContract({
  gateway: distribution,
  authorize: (request, token) => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${token}` },
  }),
  fixtures: [
    {
      file: "batch_manifest_layers_pull.json",
      contentType: V1,
      ignored: 3,
      pushes: [
        {
          deliveryId: "55537fd6-6df7-477e-9167-0f91893d908f",
          image: {
            registry: HOST,
            repository: "team/api",
            tag: "v2.0.1",
            digest: "sha256:8e053f39db436f04674241a34ce8c39a23276b13ac40e7a6663106f85dcf3967",
            mediaType: "application/vnd.docker.distribution.manifest.v2+json",
            pusher: "ci-bot",
            pushedAt: "2024-05-31T16:08:37.123456789Z",
            ref: `${HOST}/team/api:v2.0.1`,
          },
        },
        {
          deliveryId: "e4f947bf-b1ab-4512-ae06-cd42ada21e03",
          image: {
            registry: HOST,
            repository: "team/web",
            tag: "latest",
            digest: "sha256:4e9d62b02bc05e96a460820405bb2607762573630283b411c8d034e80ddceb54",
            mediaType: "application/vnd.oci.image.index.v1+json",
            pusher: "web-builder",
            pushedAt: "2024-05-31T16:08:38.004001002Z",
            ref: `${HOST}/team/web:latest`,
          },
        },
      ],
    },
    {
      file: "push_by_digest.json",
      contentType: V1,
      pushes: [
        {
          deliveryId: "eec969a6-6bf5-4f29-80d6-5bfa4fb40076",
          image: {
            registry: "127.0.0.1:5000",
            repository: "team/web",
            digest: "sha256:e3e7ec0e171edffc7233d8af882f65ded463de14378962764a42ed8c51940abb",
            mediaType: "application/vnd.oci.image.index.v1+json",
            pushedAt: "2024-06-02T08:15:00.5Z",
            ref: "127.0.0.1:5000/team/web@sha256:e3e7ec0e171edffc7233d8af882f65ded463de14378962764a42ed8c51940abb",
          },
        },
      ],
    },
    {
      file: "push_v2_envelope.json",
      contentType: V2,
      pushes: [
        {
          deliveryId: "58db0713-9bec-4bcd-8b96-bcff1acfc684",
          image: {
            registry: "cr.acme.test",
            repository: "platform/tools/builder",
            tag: "1.0.0",
            digest: "sha256:2c6baf7fe84825eed595a09eed0f33f2ea487f7ce9fbfcfebea4b45b9e03b792",
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            pusher: "platform-release",
            pushedAt: "2024-07-10T12:00:00+02:00",
            ref: "cr.acme.test/platform/tools/builder:1.0.0",
          },
        },
      ],
    },
    {
      file: "delete.json",
      contentType: "application/json",
      pushes: [
        {
          type: "image_delete",
          deliveryId: "9a0e5c7d-1f2b-4a6c-8e3d-5b7f9a1c3e5d",
          image: {
            registry: HOST,
            repository: "team/api",
            digest: "sha256:2a33732ca5af90cc8b3e1b597d02d0e2dca9c12ddb54b600c5cee7c650742db4",
            pusher: "janitor",
            pushedAt: "2024-06-03T09:30:00Z",
            ref: `${HOST}/team/api@sha256:2a33732ca5af90cc8b3e1b597d02d0e2dca9c12ddb54b600c5cee7c650742db4`,
          },
        },
        {
          type: "image_delete",
          deliveryId: "3e5a7c9b-2d4f-4a6b-8c1e-3f5b7d9a1c2e",
          image: {
            registry: HOST,
            repository: "team/api",
            tag: "v1.0.0-rc1",
            pusher: "janitor",
            pushedAt: "2024-06-03T09:30:01Z",
            ref: `${HOST}/team/api:v1.0.0-rc1`,
          },
        },
      ],
    },
    { file: "pulls_and_mounts.json", contentType: V1, ignored: 2, pushes: [] },
  ],
});

describe("Distribution gateway: envelopes and credentials", () => {
  const parse = (body: unknown) =>
    distribution.parse({
      headers: {},
      query: new URLSearchParams(),
      body: Buffer.from(JSON.stringify(body)),
    });
  const manifestPush = (target: object = {}, event: object = {}) => ({
    id: "e1",
    action: "push",
    target: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      repository: "team/api",
      digest: "sha256:" + "a".repeat(64),
      tag: "v1",
      ...target,
    },
    request: { host: "r.test" },
    ...event,
  });

  it("accepts an empty batch with nothing to do", () => {
    expect(parse({ events: [] })).to.deep.equal({ value: { pushes: [], ignored: [] } });
  });

  it("ignores blob pushes, pulls, mounts and unknown actions, saying why", () => {
    const r = parse({
      events: [
        manifestPush({ mediaType: "application/octet-stream" }),
        manifestPush({ mediaType: undefined }),
        { action: "pull", target: {} },
        { action: "mount" },
        { action: "replicate" },
      ],
    });
    expect(r.value?.pushes).to.deep.equal([]);
    expect(r.value?.ignored.map((i) => i.path)).to.deep.equal([
      "events[0]",
      "events[1]",
      "events[2]",
      "events[3]",
      "events[4]",
    ]);
    expect(r.value?.ignored[0]?.reason).to.include("application/octet-stream");
  });

  it("treats an empty actor as anonymous and an unusable timestamp as unknown", () => {
    const image = parse({ events: [manifestPush({}, { actor: {}, timestamp: "last tuesday" })] }).value
      ?.pushes[0]?.image;
    expect(image).to.not.have.property("pusher");
    expect(image).to.not.have.property("pushedAt");
  });

  it("turns a repository delete (no tag, no digest) into an image_delete of the repository", () => {
    const r = parse({
      events: [{ action: "delete", target: { repository: "team/api" }, request: { host: "r.test" } }],
    });
    expect(r.value?.pushes[0]).to.deep.equal({
      type: "image_delete",
      image: { registry: "r.test", repository: "team/api", ref: "r.test/team/api" },
    });
  });

  it("names the event and field that is wrong, and every problem in the batch", () => {
    const r = parse({
      events: [
        manifestPush(),
        manifestPush({ digest: "md5:" }),
        manifestPush({}, { request: {} }),
        manifestPush({ repository: "Team/API" }),
        null,
        { target: {} },
      ],
    });
    expect(r.errors?.map((p) => p.path)).to.deep.equal([
      "events[1].target.digest",
      "events[2].request.host",
      "events[3].target.repository",
      "events[4]",
      "events[5].action",
    ]);
    expect(parse({ events: {} }).errors?.[0]).to.include({ path: "events", found: "an empty object" });
    expect(parse({ events: [manifestPush({ digest: undefined })] }).errors?.[0]).to.include({
      path: "events[0].target.digest",
    });
  });

  it("accepts host names, IPv4 and IPv6 hosts with ports, and rejects others", () => {
    const host = (value: unknown) => parse({ events: [manifestPush({}, { request: { host: value } })] });
    for (const ok of ["localhost", "r.test:443", "10.0.0.1:5000", "[::1]:5000", "my-registry.internal"]) {
      expect(host(ok).value?.pushes[0]?.image.registry, ok).to.equal(ok);
    }
    for (const bad of ["", "r.test/evil", "user@r.test", "r.test:port", " r.test", 5000]) {
      expect(host(bad).errors?.[0]?.path, String(bad)).to.equal("events[0].request.host");
    }
  });

  it("accepts the token as Bearer <token> or verbatim in Authorization, nothing else", () => {
    const auth = (authorization?: string | string[]) =>
      distribution.authenticator.reads === "head" &&
      distribution.authenticator.authenticate(
        { headers: authorization === undefined ? {} : { authorization }, query: new URLSearchParams() },
        "t0ken",
      );
    expect(auth("Bearer t0ken")).to.equal(true);
    expect(auth("bearer   t0ken")).to.equal(true);
    expect(auth("t0ken")).to.equal(true);
    expect(auth("Bearer nope")).to.equal(false);
    expect(auth("Basic t0ken")).to.equal(false);
    expect(auth("Bearer ")).to.equal(false);
    expect(auth(["t0ken", "t0ken"])).to.equal(false);
    expect(auth()).to.equal(false);
  });
});
