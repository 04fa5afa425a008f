import { expect } from "chai";
import { harbor } from "../src/harbor/gateway.js";
import { registryContract } from "./contract.js";

const HOST = "harbor.acme.test";
const CLOUDEVENTS = "application/cloudevents+json";

registryContract({
  gateway: harbor,
  // Harbor sends the policy's auth header as configured; here the token itself.
  authorize: (request, token) => ({ ...request, headers: { ...request.headers, authorization: token } }),
  fixtures: [
    {
      file: "push_artifact.json",
      pushes: [
        {
          image: {
            registry: HOST,
            repository: "platform/gateway",
            tag: "1.8.0",
            digest: "sha256:3f3f3caeb88139b9f286b55798135d52aef7a9cec7854c131a23192336bd5e0f",
            pusher: "robot$platform+ci",
            pushedAt: "2024-06-11T10:00:00.000Z",
            ref: `${HOST}/platform/gateway:1.8.0`,
          },
        },
      ],
    },
    {
      file: "push_artifact_by_digest.json",
      pushes: [
        {
          image: {
            registry: `${HOST}:8443`,
            repository: "mirror/alpine",
            digest: "sha256:fa34c10687e4bb9d0721fd9847c9a8b5b2d1c2dea7cd35101a67205ec8babaa7",
            pusher: "harbor-jobservice",
            pushedAt: "2024-06-11T10:05:00.000Z",
            ref: `${HOST}:8443/mirror/alpine@sha256:fa34c10687e4bb9d0721fd9847c9a8b5b2d1c2dea7cd35101a67205ec8babaa7`,
          },
        },
      ],
    },
    {
      file: "cloudevents_pushed.json",
      contentType: CLOUDEVENTS,
      pushes: [
        {
          deliveryId: "7f3e2d1c-0b9a-4887-a665-544332211000",
          image: {
            registry: HOST,
            repository: "web/frontend",
            tag: "2024.06.12",
            digest: "sha256:a29ce1ee42ff760a3eadb235ef6e5f0326cf2a4447ad89279e790e3c3daacefd",
            pusher: "alice",
            pushedAt: "2024-06-12T14:20:00Z",
            ref: `${HOST}/web/frontend:2024.06.12`,
          },
        },
      ],
    },
    {
      file: "v1_push_image.json",
      pushes: [
        {
          image: {
            registry: "10.20.0.5:8080",
            repository: "apps/busybox",
            tag: "latest",
            digest: "sha256:18df1a1040df6f434f5c4243dc4951d90b4890406df1926aa96718de2940ce1f",
            pusher: "admin",
            pushedAt: "2020-06-15T06:16:45.000Z",
            ref: "10.20.0.5:8080/apps/busybox:latest",
          },
        },
      ],
    },
    {
      file: "delete_artifact.json",
      pushes: [
        {
          type: "image_delete",
          image: {
            registry: HOST,
            repository: "platform/gateway",
            tag: "1.7.9",
            digest: "sha256:89ef8a797e832d8a76581f944718ff08460697f58f0c7fec6bf5fd37cdcc0c0d",
            pusher: "admin",
            pushedAt: "2024-06-12T13:46:40.000Z",
            ref: `${HOST}/platform/gateway:1.7.9`,
          },
        },
      ],
    },
    { file: "pull_artifact.json", pushes: [], ignored: 1 },
    { file: "cloudevents_scan_completed.json", contentType: CLOUDEVENTS, pushes: [], ignored: 1 },
  ],
});

describe("Harbor gateway: payload formats and credentials", () => {
  const parse = (body: unknown) =>
    harbor.parse({ headers: {}, query: new URLSearchParams(), body: Buffer.from(JSON.stringify(body)) });
  const digest = "sha256:" + "d".repeat(64);
  const resource = (fields: object = {}) => ({
    digest,
    tag: "v1",
    resource_url: `${HOST}/team/app:v1`,
    ...fields,
  });
  const payload = (resources: object[], fields: object = {}) => ({
    type: "PUSH_ARTIFACT",
    occur_at: 1718100000,
    event_data: { resources, repository: { repo_full_name: "team/app" } },
    ...fields,
  });
  const first = (body: unknown) => parse(body).value?.pushes[0]?.image;

  it("reads a digest in `tag` as a push by digest, with or without a digest field", () => {
    expect(first(payload([resource({ tag: digest })]))).to.not.have.property("tag");
    expect(first(payload([resource({ tag: digest, digest: "" })]))).to.include({
      digest,
      ref: `${HOST}/team/app@${digest}`,
    });
    expect(first(payload([resource({ tag: "" })]))?.ref).to.equal(`${HOST}/team/app@${digest}`);
  });

  it("takes the host from resource_url, with or without a scheme", () => {
    expect(
      first(payload([resource({ resource_url: "https://h.test:9443/team/app:v1" })]))?.registry,
    ).to.equal("h.test:9443");
    for (const bad of [undefined, "no-slash", "user@h.test/team/app", 7]) {
      expect(parse(payload([resource({ resource_url: bad })])).errors?.[0], String(bad)).to.include({
        path: "event_data.resources[0].resource_url",
      });
    }
  });

  it("makes one push per resource, each with its own CloudEvents-derived id", () => {
    const r = parse({
      specversion: "1.0",
      id: "ce-1",
      type: "harbor.artifact.pushed",
      time: "2024-06-12T14:20:00Z",
      data: {
        resources: [resource(), resource({ tag: "latest" })],
        repository: { namespace: "team", name: "app" },
      },
    });
    expect(r.value?.pushes.map((p) => [p.deliveryId, p.image.ref])).to.deep.equal([
      ["ce-1:0", `${HOST}/team/app:v1`],
      ["ce-1:1", `${HOST}/team/app:latest`],
    ]);
  });

  it("ignores pulls, scans, quotas, replication and chart events with their type", () => {
    for (const type of [
      "PULL_ARTIFACT",
      "SCANNING_COMPLETED",
      "QUOTA_EXCEED",
      "REPLICATION",
      "uploadChart",
      "harbor.tag_retention.finished",
    ]) {
      const r = parse(payload([resource()], { type }));
      expect(r.value?.pushes, type).to.deep.equal([]);
      expect(r.value?.ignored[0]?.reason, type).to.include(type);
    }
  });

  it("refuses the event_type/events[] shape of the 1.x design documents as unsupported", () => {
    const r = parse({
      event_type: "pushImage",
      events: [{ repo_name: "repo1", tag: "latest", full_name: "prj/repo1" }],
    });
    expect(r.errors?.[0]).to.include({ code: "PAYLOAD_UNSUPPORTED", path: "event_type" });
  });

  it("refuses JSON with // comments, as in Harbor's CloudEvents documentation", () => {
    const body = Buffer.from(
      '{\n  "specversion": "1.0", // the spec version\n  "type": "harbor.artifact.pushed"\n}',
    );
    expect(harbor.parse({ headers: {}, query: new URLSearchParams(), body }).errors?.[0]).to.include({
      code: "PAYLOAD_MALFORMED",
    });
  });

  it("names the field that is missing or invalid", () => {
    expect(parse({ event_data: {} }).errors?.[0]).to.include({ path: "type" });
    expect(parse(payload([])).errors?.[0]).to.include({ path: "event_data.resources" });
    expect(parse(payload([resource({ tag: "", digest: "" })])).errors?.[0]).to.include({
      path: "event_data.resources[0].digest",
    });
    expect(parse(payload([resource({ tag: "-v1" })])).errors?.[0]).to.include({
      path: "event_data.resources[0].tag",
    });
    expect(
      parse({
        ...payload([resource()]),
        event_data: { resources: [resource()], repository: { repo_full_name: "Team/App" } },
      }).errors?.[0],
    ).to.include({ path: "event_data.repository.repo_full_name" });
    expect(parse({ type: "PUSH_ARTIFACT", data: [] }).errors?.[0]).to.include({ path: "data" });
  });

  it("accepts the auth header as the token itself or Bearer <token>", () => {
    const auth = (authorization?: string) =>
      harbor.authenticator.reads === "head" &&
      harbor.authenticator.authenticate(
        { headers: authorization === undefined ? {} : { authorization }, query: new URLSearchParams() },
        "t0ken",
      );
    expect(auth("t0ken")).to.equal(true);
    expect(auth("Bearer t0ken")).to.equal(true);
    expect(auth("Basic t0ken")).to.equal(false);
    expect(auth()).to.equal(false);
  });
});
