import { expect } from "chai";
import { dockerHub } from "../src/index.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";

const withToken = (path: string, name: string, token: string) =>
  `${path}${path.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(token)}`;

registryContract({
  gateway: dockerHub,
  authorize: (request, token) => ({ ...request, path: withToken(request.path, "access_token", token) }),
  fixtures: [
    {
      file: "current_push.json",
      pushes: [
        {
          image: {
            registry: "docker.io",
            repository: "acme/webapp",
            tag: "v1.2.3",
            mediaType: "application/vnd.oci.image.index.v1+json",
            pusher: "acme-ci",
            pushedAt: "2024-05-31T16:08:37.000Z",
            ref: "docker.io/acme/webapp:v1.2.3",
          },
        },
      ],
    },
    {
      file: "legacy_push_with_images.json",
      pushes: [
        {
          image: {
            registry: "docker.io",
            repository: "acme/legacy-worker",
            tag: "latest",
            pusher: "release-bot",
            pushedAt: "2023-11-14T22:13:20.500Z",
            ref: "docker.io/acme/legacy-worker:latest",
          },
        },
      ],
    },
    {
      file: "official_image.json",
      pushes: [
        {
          image: {
            registry: "docker.io",
            repository: "library/redis",
            tag: "7.2-alpine",
            pusher: "doijanky",
            pushedAt: "2024-05-31T16:10:00.000Z",
            ref: "docker.io/library/redis:7.2-alpine",
          },
        },
      ],
    },
  ],
});

describe("Docker Hub gateway: payloads and credentials", () => {
  const parse = (body: unknown) =>
    dockerHub.parse({ headers: {}, query: new URLSearchParams(), body: Buffer.from(JSON.stringify(body)) });
  const push = (pushData: object, repository: object = { repo_name: "acme/app" }) =>
    parse({ push_data: { tag: "v1", ...pushData }, repository });

  it("answers a callback response with PAYLOAD_UNSUPPORTED naming push_data", () => {
    const r = dockerHub.parse({
      headers: {},
      query: new URLSearchParams(),
      body: ownFixture("dockerhub", "callback_response.json"),
    });
    expect(r.errors?.[0]).to.include({ code: "PAYLOAD_UNSUPPORTED", path: "push_data" });
    expect(r.errors?.[0]?.message).to.include("callback");
  });

  it("reads pushed_at in exponent notation, as a numeric string, and leaves out unusable times", () => {
    expect(push({ pushed_at: 1.417566161e9 }).value?.pushes[0]?.image.pushedAt).to.equal(
      "2014-12-03T00:22:41.000Z",
    );
    const exponent = Buffer.from(
      '{"push_data":{"tag":"v1","pushed_at":1.417566161e+09},"repository":{"repo_name":"a/b"}}',
    );
    const parsed = dockerHub.parse({ headers: {}, query: new URLSearchParams(), body: exponent });
    expect(parsed.value?.pushes[0]?.image.pushedAt).to.equal("2014-12-03T00:22:41.000Z");
    expect(push({ pushed_at: "1417566161" }).value?.pushes[0]?.image.pushedAt).to.equal(
      "2014-12-03T00:22:41.000Z",
    );
    for (const odd of [1e300, -1e300, "yesterday", null, true, {}]) {
      const r = push({ pushed_at: odd });
      expect(r.errors).to.equal(undefined);
      expect(r.value?.pushes[0]?.image).to.not.have.property("pushedAt");
    }
  });

  it("tolerates null full_description, comment_count as a string, and a missing pusher", () => {
    const r = push({}, { repo_name: "acme/app", full_description: null, comment_count: "0" });
    expect(r.value?.pushes[0]?.image).to.deep.equal({
      registry: "docker.io",
      repository: "acme/app",
      tag: "v1",
      ref: "docker.io/acme/app:v1",
    });
  });

  it("normalises official images to library/ and falls back to namespace + name", () => {
    expect(push({}, { repo_name: "nginx" }).value?.pushes[0]?.image.ref).to.equal(
      "docker.io/library/nginx:v1",
    );
    expect(push({}, { namespace: "acme", name: "api" }).value?.pushes[0]?.image.repository).to.equal(
      "acme/api",
    );
    expect(push({}, { name: "busybox" }).value?.pushes[0]?.image.repository).to.equal("library/busybox");
  });

  it("names the field that is missing or invalid", () => {
    expect(parse({ push_data: { tag: "v1" } }).errors?.[0]).to.include({ path: "repository" });
    expect(push({}, { repo_name: 7 }).errors?.[0]).to.include({
      path: "repository.repo_name",
      found: "number 7",
    });
    expect(push({}, { repo_name: "Acme/App" }).errors?.[0]).to.include({ path: "repository.repo_name" });
    expect(push({}, { repo_name: "acme/../etc" }).errors?.[0]).to.include({ path: "repository.repo_name" });
    expect(push({ tag: "" }).errors?.[0]).to.include({ path: "push_data.tag", code: "PAYLOAD_MALFORMED" });
    expect(push({ tag: "-v1" }).errors?.[0]).to.include({ path: "push_data.tag" });
    expect(push({ tag: "x".repeat(129) }).errors?.[0]).to.include({ path: "push_data.tag" });
    expect(parse({ repository: { repo_name: "a/b" }, push_data: [] }).errors?.[0]).to.include({
      path: "push_data",
    });
  });

  it("takes the token from ?access_token= or ?secret=, exactly once", () => {
    const auth = (query: string) =>
      dockerHub.authenticator.reads === "head" &&
      dockerHub.authenticator.authenticate({ headers: {}, query: new URLSearchParams(query) }, "t0ken");
    expect(auth("access_token=t0ken")).to.equal(true);
    expect(auth("secret=t0ken")).to.equal(true);
    expect(auth("access_token=t0ken&secret=nope")).to.equal(true);
    expect(auth("access_token=nope&secret=t0ken")).to.equal(false);
    expect(auth("access_token=t0ken&access_token=t0ken")).to.equal(false);
    expect(auth("access_token=")).to.equal(false);
    expect(auth("token=t0ken")).to.equal(false);
    expect(auth("")).to.equal(false);
  });
});
