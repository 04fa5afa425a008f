import { expect } from "chai";
import { acr } from "../src/acr/gateway.js";
import { ACR_PLACEHOLDER_HOST } from "../src/acr/event.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";

const HOST = "contoso.azurecr.io";
const CHART_DIGEST = "sha256:8653a06e0a800e1c561d6bf251500cd0f6b364d9846ce2e1d992f8835b75d585";

registryContract({
  gateway: acr,
  authorize: (request, token) => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${token}` },
  }),
  fixtures: [
    {
      file: "push.json",
      pushes: [
        {
          deliveryId: "451e2d90-f45b-4c5f-8029-2a441c7cc68c",
          image: {
            registry: HOST,
            repository: "team/api",
            tag: "v1.4.2",
            digest: "sha256:b99a21de5ae6833cb0e80f73b62f73cd653a6430a71b99c2f5f4f3fd337542dd",
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            pushedAt: "2024-06-11T09:15:02.123456789Z",
            ref: `${HOST}/team/api:v1.4.2`,
          },
        },
      ],
    },
    {
      file: "push_by_digest.json",
      pushes: [
        {
          deliveryId: "e80a6b70-d979-4f61-9f49-0c0baeb7a5b3",
          image: {
            registry: HOST,
            repository: "team/api",
            digest: "sha256:124865f71800b950b29f5d9437e547acfdce78765443459c819239d011262632",
            mediaType: "application/vnd.oci.image.index.v1+json",
            pushedAt: "2024-06-11T09:16:40.5Z",
            ref: `${HOST}/team/api@sha256:124865f71800b950b29f5d9437e547acfdce78765443459c819239d011262632`,
          },
        },
      ],
    },
    {
      file: "delete.json",
      pushes: [
        {
          type: "image_delete",
          deliveryId: "9e501406-981e-402b-b226-dd2c04f6c3a5",
          image: {
            registry: HOST,
            repository: "team/api",
            digest: "sha256:1666a1ecf58e6d1cddad1ac4137ea929b64543b9728782c093144dd0c434960d",
            pushedAt: "2024-06-12T07:00:00Z",
            ref: `${HOST}/team/api@sha256:1666a1ecf58e6d1cddad1ac4137ea929b64543b9728782c093144dd0c434960d`,
          },
        },
      ],
    },
    {
      file: "chart_push.json",
      pushes: [
        {
          deliveryId: "ee9ef693-8bb0-4cbc-bb88-3fc9899a5e66",
          image: {
            registry: ACR_PLACEHOLDER_HOST,
            repository: "webapp",
            tag: "2.3.1",
            digest: CHART_DIGEST,
            mediaType: "application/vnd.acr.helm.chart",
            pushedAt: "2024-06-12T08:30:00.25Z",
            ref: `${ACR_PLACEHOLDER_HOST}/webapp:2.3.1`,
          },
        },
      ],
    },
    {
      file: "chart_delete.json",
      pushes: [
        {
          type: "image_delete",
          deliveryId: "b4310855-ce4d-4b55-9fc9-5db23c0ed311",
          image: {
            registry: ACR_PLACEHOLDER_HOST,
            repository: "webapp",
            tag: "2.3.1",
            digest: CHART_DIGEST,
            pushedAt: "2024-06-13T10:00:00Z",
            ref: `${ACR_PLACEHOLDER_HOST}/webapp:2.3.1`,
          },
        },
      ],
    },
    { file: "ping.json", pushes: [], ignored: 1 },
    { file: "quarantine.json", pushes: [], ignored: 1 },
    {
      file: "eventgrid_push_and_delete.json",
      pushes: [
        {
          deliveryId: "fa34c106-87e4-4bb9-9d07-21fd9847c9a8",
          image: {
            registry: HOST,
            repository: "team/web",
            tag: "2024.06.1",
            digest: "sha256:a29ce1ee42ff760a3eadb235ef6e5f0326cf2a4447ad89279e790e3c3daacefd",
            mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
            pushedAt: "2024-06-14T11:00:00.3981234Z",
            ref: `${HOST}/team/web:2024.06.1`,
          },
        },
        {
          type: "image_delete",
          deliveryId: "f119b94d-13cb-4c47-8fef-3ce031a860b5",
          image: {
            registry: HOST,
            repository: "team/web",
            digest: "sha256:610096fd483ee9cc321b52af32fb7c54c37dc9ed9a006c1498fb0205890af780",
            pushedAt: "2024-06-14T11:05:00Z",
            ref: `${HOST}/team/web@sha256:610096fd483ee9cc321b52af32fb7c54c37dc9ed9a006c1498fb0205890af780`,
          },
        },
      ],
    },
    {
      file: "eventgrid_cloudevents_image_pushed.json",
      contentType: "application/cloudevents+json; charset=utf-8",
      pushes: [
        {
          deliveryId: "31c51664-e5bd-416a-a5df-e5206bc47ed0",
          image: {
            registry: HOST,
            repository: "team/api",
            tag: "v2.0.0",
            digest: "sha256:3f1c4b6e0a9d8c7b2e5f4a1d0c9b8a7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
            mediaType: "application/vnd.docker.distribution.manifest.v2+json",
            pushedAt: "2024-06-15T08:00:01.276585742Z",
            ref: `${HOST}/team/api:v2.0.0`,
          },
        },
      ],
    },
    {
      file: "eventgrid_cloudevents_batch.json",
      contentType: "application/cloudevents-batch+json; charset=utf-8",
      pushes: [
        {
          deliveryId: "0f3e2d1c-aaaa-4bbb-8ccc-000000000001",
          image: {
            registry: HOST,
            repository: "team/api",
            digest: "sha256:7d2e9a1b4c6f8e0d3a5b7c9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f80",
            mediaType: "application/vnd.oci.image.index.v1+json",
            pushedAt: "2024-06-15T08:05:00.05Z",
            ref: `${HOST}/team/api@sha256:7d2e9a1b4c6f8e0d3a5b7c9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f80`,
          },
        },
        {
          type: "image_delete",
          deliveryId: "0f3e2d1c-aaaa-4bbb-8ccc-000000000002",
          image: {
            registry: HOST,
            repository: "team/api",
            digest: "sha256:3f1c4b6e0a9d8c7b2e5f4a1d0c9b8a7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
            pushedAt: "2024-06-15T08:06:00Z",
            ref: `${HOST}/team/api@sha256:3f1c4b6e0a9d8c7b2e5f4a1d0c9b8a7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a`,
          },
        },
      ],
    },
    {
      file: "eventgrid_docs_short_event_type.json",
      pushes: [
        {
          deliveryId: "31c51664-e5bd-416a-a5df-e5206bc47ed1",
          image: {
            registry: HOST,
            repository: "aci-helloworld",
            tag: "v1",
            digest: "sha256:3f1c4b6e0a9d8c7b2e5f4a1d0c9b8a7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
            mediaType: "application/vnd.docker.distribution.manifest.v2+json",
            pushedAt: "2024-06-15T09:39:47.276585742Z",
            ref: `${HOST}/aci-helloworld:v1`,
          },
        },
      ],
    },
  ],
});

describe("ACR gateway: webhook and Event Grid payloads", () => {
  const parse = (body: unknown, query = "") =>
    acr.parse({
      headers: { "content-type": "application/json" },
      query: new URLSearchParams(query),
      body: Buffer.from(JSON.stringify(body)),
    });
  const digest = "sha256:" + "c".repeat(64);
  const push = (target: object = {}, event: object = {}) => ({
    id: "ev-1",
    action: "push",
    target: { repository: "team/api", digest, tag: "v1", ...target },
    request: { host: HOST },
    ...event,
  });
  const chart = (target: object = {}) => ({
    id: "ch-1",
    action: "chart_push",
    target: { name: "webapp", version: "1.0.0", repository: "repo", ...target },
  });

  it("takes a chart's host from ?registry=, else the placeholder, and drops a .tgz from its version", () => {
    expect(parse(chart(), "registry=contoso.azurecr.io").value?.pushes[0]?.image.ref).to.equal(
      "contoso.azurecr.io/webapp:1.0.0",
    );
    expect(parse(chart({ version: "5.4.0.tgz" })).value?.pushes[0]?.image).to.include({
      registry: ACR_PLACEHOLDER_HOST,
      tag: "5.4.0",
      mediaType: "application/vnd.acr.helm.chart",
    });
    expect(parse(chart({ version: "" })).errors?.[0]).to.include({ path: "target.version" });
    expect(parse(chart({ name: "WebApp" })).errors?.[0]).to.include({ path: "target.name" });
  });

  it("prefers request.host to ?registry=, and uses ?registry= when the request has no host", () => {
    expect(parse(push(), "registry=other.azurecr.io").value?.pushes[0]?.image.registry).to.equal(HOST);
    expect(
      parse(push({}, { request: {} }), "registry=other.azurecr.io").value?.pushes[0]?.image.registry,
    ).to.equal("other.azurecr.io");
    expect(parse(push({}, { request: undefined })).errors?.[0]).to.include({ path: "request.host" });
  });

  it("refuses a ?registry= that is not one host, whatever the body", () => {
    for (const query of ["registry=", "registry=a.io&registry=b.io", "registry=evil.io/path"]) {
      expect(parse(push(), query).errors?.[0], query).to.include({ path: "?registry" });
    }
  });

  it("needs a digest on a push, reads an empty tag as a push by digest, and never tags a delete", () => {
    expect(parse(push({ digest: undefined })).errors?.[0]).to.include({ path: "target.digest" });
    expect(parse(push({ tag: "" })).value?.pushes[0]?.image.ref).to.equal(`${HOST}/team/api@${digest}`);
    const deleted = parse(push({ tag: "v1", digest: undefined }, { action: "delete" })).value?.pushes[0];
    expect(deleted).to.deep.equal({
      type: "image_delete",
      deliveryId: "ev-1",
      image: { registry: HOST, repository: "team/api", ref: `${HOST}/team/api` },
    });
  });

  it("ignores ping, quarantine and unknown actions with a reason, and refuses a missing action", () => {
    for (const action of ["ping", "quarantine", "import"]) {
      const r = parse(push({}, { action }));
      expect(r.value?.pushes, action).to.deep.equal([]);
      expect(r.value?.ignored[0]?.reason, action).to.be.a("string").and.not.equal("");
    }
    expect(parse(push({}, { action: "quarantine" })).value?.ignored[0]?.reason).to.include("not pullable");
    expect(parse({ target: {} }).errors?.[0]).to.include({ path: "action" });
  });

  it("maps Event Grid types to actions, falls back to the envelope id, and ignores other types", () => {
    const { id: _id, ...withoutId } = push();
    const r = parse([
      { id: "eg-1", eventType: "Microsoft.ContainerRegistry.ImagePushed", data: withoutId },
      { id: "eg-2", eventType: "Microsoft.ContainerRegistry.ChartPushed", data: chart() },
      { id: "eg-3", eventType: "Microsoft.Storage.BlobCreated", data: {} },
    ]);
    expect(r.value?.pushes.map((p) => [p.deliveryId, p.image.ref])).to.deep.equal([
      ["eg-1", `${HOST}/team/api:v1`],
      ["ch-1", `${ACR_PLACEHOLDER_HOST}/webapp:1.0.0`],
    ]);
    expect(r.value?.ignored.map((i) => i.path)).to.deep.equal(["[2]"]);
  });

  it("names the Event Grid event that is wrong, and refuses an empty batch", () => {
    expect(parse([]).errors?.[0]).to.include({ path: "[0]" });
    expect(parse([{ data: {} }]).errors?.[0]).to.include({ path: "[0].eventType" });
    const bad = parse([
      { eventType: "Microsoft.ContainerRegistry.ImagePushed", data: push() },
      { eventType: "Microsoft.ContainerRegistry.ImagePushed", data: push({ repository: "Team/Api" }) },
      { eventType: "Microsoft.ContainerRegistry.ImageDeleted" },
    ]);
    expect(bad.errors?.map((p) => p.path)).to.deep.equal(["[1].data.target.repository", "[2].data"]);
  });

  it("accepts the token as Bearer <token> or verbatim in Authorization", () => {
    const auth = (authorization?: string) =>
      acr.authenticator.reads === "head" &&
      acr.authenticator.authenticate(
        { headers: authorization === undefined ? {} : { authorization }, query: new URLSearchParams() },
        "t0ken",
      );
    expect(auth("Bearer t0ken")).to.equal(true);
    expect(auth("t0ken")).to.equal(true);
    expect(auth("Bearer other")).to.equal(false);
    expect(auth()).to.equal(false);
  });
});

describe("ACR gateway: Event Grid CloudEvents schema and validation", () => {
  const parse = (body: unknown) =>
    acr.parse({
      headers: { "content-type": "application/cloudevents+json" },
      query: new URLSearchParams(),
      body: Buffer.from(JSON.stringify(body)),
    });
  const data = {
    id: "ev-9",
    action: "push",
    target: { repository: "team/api", digest: "sha256:" + "d".repeat(64), tag: "v9" },
    request: { host: HOST },
  };
  const cloudEvent = (fields: object) => ({
    specversion: "1.0",
    id: "ce-1",
    source: "/subscriptions/x/registries/contoso",
    type: "Microsoft.ContainerRegistry.ImagePushed",
    data,
    ...fields,
  });

  it("reads a single CloudEvent by its type, naming its fields without an index", () => {
    expect(parse(cloudEvent({})).value?.pushes[0]?.image.ref).to.equal(`${HOST}/team/api:v9`);
    expect(parse(cloudEvent({ type: undefined })).errors?.[0]).to.include({ path: "type" });
    expect(parse(cloudEvent({ data: "x" })).errors?.[0]).to.include({ path: "data" });
    expect(parse(cloudEvent({ type: "Microsoft.Storage.BlobCreated" })).value?.ignored[0]?.path).to.equal("");
  });

  it("reads the type of a CloudEvents batch from type, not eventType", () => {
    const r = parse([cloudEvent({}), cloudEvent({ type: "Microsoft.ContainerRegistry.ImageDeleted" })]);
    expect(r.value?.pushes.map((p) => p.type)).to.deep.equal(["image_push", "image_delete"]);
    expect(parse([cloudEvent({ type: 3 })]).errors?.[0]).to.include({ path: "[0].type" });
  });

  it("returns the validation code to echo, and nothing for other events", () => {
    const validation = JSON.parse(ownFixture("acr", "eventgrid_validation.json").toString("utf8")) as unknown;
    expect(parse(validation).value?.reply).to.deep.equal({
      validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
    });
    expect(parse([cloudEvent({})]).value?.reply).to.equal(undefined);
  });
});
