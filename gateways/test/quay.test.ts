import { expect } from "chai";
import { quay } from "../src/quay/gateway.js";
import { registryContract } from "./contract.js";

const withToken = (path: string, name: string, token: string) =>
  `${path}${path.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(token)}`;

registryContract({
  gateway: quay,
  authorize: (request, token) => ({ ...request, path: withToken(request.path, "secret", token) }),
  fixtures: [
    {
      file: "repo_push_tags_list.json",
      pushes: [
        {
          image: {
            registry: "quay.io",
            repository: "acme/billing",
            tag: "v2.1.0",
            ref: "quay.io/acme/billing:v2.1.0",
          },
        },
        {
          image: {
            registry: "quay.io",
            repository: "acme/billing",
            tag: "latest",
            ref: "quay.io/acme/billing:latest",
          },
        },
      ],
    },
    {
      file: "repo_push_tags_object.json",
      pushes: [
        {
          image: {
            registry: "registry.acme.test:8443",
            repository: "ops/ops-tool",
            tag: "1.0.3",
            ref: "registry.acme.test:8443/ops/ops-tool:1.0.3",
          },
        },
        {
          image: {
            registry: "registry.acme.test:8443",
            repository: "ops/ops-tool",
            tag: "stable",
            ref: "registry.acme.test:8443/ops/ops-tool:stable",
          },
        },
      ],
    },
    { file: "build_success.json", pushes: [], ignored: 1 },
    { file: "vulnerability_found.json", pushes: [], ignored: 1 },
  ],
});

describe("Quay gateway: notifications and credentials", () => {
  const parse = (body: unknown) =>
    quay.parse({ headers: {}, query: new URLSearchParams(), body: Buffer.from(JSON.stringify(body)) });
  const push = (fields: object = {}) =>
    parse({ repository: "acme/app", docker_url: "quay.io/acme/app", updated_tags: ["v1"], ...fields });

  it("fans out one push per tag, each tag once, with a derived delivery id", () => {
    const r = push({ updated_tags: ["v1", "latest", "v1"] });
    expect(r.value?.pushes.map((p) => p.image.tag)).to.deep.equal(["v1", "latest"]);
    expect(r.value?.pushes.every((p) => p.deliveryId === undefined)).to.equal(true);
    expect(
      push({ updated_tags: { v2: "abc", latest: "abc" } }).value?.pushes.map((p) => p.image.tag),
    ).to.deep.equal(["v2", "latest"]);
  });

  it("answers an empty tag list as nothing to do", () => {
    expect(push({ updated_tags: [] }).value).to.deep.equal({
      pushes: [],
      ignored: [{ path: "updated_tags", reason: "no tags were updated" }],
    });
  });

  it("ignores Quay's other notifications, and refuses a body that is none of them", () => {
    for (const marker of ["build_id", "vulnerability", "expiring_in", "message", "threshold_percent"]) {
      const r = parse({ repository: "acme/app", [marker]: "x" });
      expect(r.value?.pushes, marker).to.deep.equal([]);
      expect(r.value?.ignored[0]?.reason, marker).to.include("not a push");
    }
    expect(parse({ repository: "acme/app", docker_url: "quay.io/acme/app" }).errors?.[0]).to.include({
      path: "updated_tags",
    });
  });

  it("names the field that is missing or invalid", () => {
    expect(push({ updated_tags: ["v1", 7] }).errors?.[0]).to.include({ path: "updated_tags[1]" });
    expect(push({ updated_tags: ["-bad"] }).errors?.[0]).to.include({ path: "updated_tags[0]" });
    expect(push({ updated_tags: "v1" }).errors?.[0]).to.include({ path: "updated_tags" });
    expect(push({ docker_url: undefined }).errors?.[0]).to.include({ path: "docker_url" });
    expect(push({ docker_url: "user@quay.io/acme/app" }).errors?.[0]).to.include({ path: "docker_url" });
    expect(push({ repository: "Acme/App" }).errors?.[0]).to.include({ path: "repository" });
    expect(
      push({ repository: undefined, namespace: "acme", name: "api" }).value?.pushes[0]?.image.repository,
    ).to.equal("acme/api");
  });

  it("takes the token from ?access_token= or ?secret=, as Docker Hub does", () => {
    const auth = (query: string) =>
      quay.authenticator.reads === "head" &&
      quay.authenticator.authenticate({ headers: {}, query: new URLSearchParams(query) }, "t0ken");
    expect(auth("access_token=t0ken")).to.equal(true);
    expect(auth("secret=t0ken")).to.equal(true);
    expect(auth("access_token=nope&secret=t0ken")).to.equal(false);
    expect(auth("secret=t0ken&secret=t0ken")).to.equal(false);
    expect(auth("")).to.equal(false);
  });
});
