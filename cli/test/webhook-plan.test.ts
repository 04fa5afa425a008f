/** Which webhook a project made through the API should have, from its config and webhook settings. */
import { expect } from "chai";
import { parseProjectSpec, type ProjectConfig } from "@bosun/core";
import { planWebhook } from "../src/server/projects/webhook-plan.js";

const PUBLIC = "https://bosun.example.com/";

function project(
  registry: string,
  repositories: string[],
  more: Record<string, unknown> = {},
): ProjectConfig {
  const parsed = parseProjectSpec({
    name: "webapp",
    script: "/srv/ci/webapp.js",
    webhookToken: "webapp-webhook-token",
    subscriptions: [{ registry, repositories }],
    ...more,
  });
  if (parsed.errors) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

describe("the webhook a project should have", () => {
  it("points at the public URL, on the login's registry by default, for the first repository without wildcards", () => {
    const plan = planWebhook(
      project("harbor", ["library/*", "library/webapp"]),
      { imageRepositorySecret: "harbor.example.com" },
      PUBLIC,
    );
    expect(plan).to.deep.equal({
      applies: true,
      target: {
        kind: "harbor",
        api: "https://harbor.example.com",
        repository: "library/webapp",
        url: "https://bosun.example.com/events/harbor/webapp",
        registry: "harbor.example.com",
      },
    });
  });

  it("knows Docker Hub's and GitHub's API addresses, adds JFrog's ?registry=, and takes --url and --image-repository-api", () => {
    const target = (registry: string, repository: string, secret: string, more = {}) => {
      const plan = planWebhook(
        project(registry, [repository]),
        { imageRepositorySecret: secret, ...more },
        PUBLIC,
      );
      if (!plan.applies) throw new Error(plan.reason);
      return plan.target;
    };
    expect(target("dockerhub", "acme/webapp", "docker.io").api).to.equal("https://hub.docker.com");
    expect(target("ghcr", "acme/webapp", "ghcr.io").api).to.equal("https://api.github.com");
    expect(target("jfrog", "docker-local", "acme.jfrog.io")).to.deep.include({
      api: "https://acme.jfrog.io",
      url: "https://bosun.example.com/events/jfrog/webapp?registry=acme.jfrog.io",
    });
    expect(
      target("quay", "acme/webapp", "quay.io", {
        webhookUrl: "https://hooks.example.com/q",
        imageRepositoryApi: "http://10.0.0.5:8080",
      }),
    ).to.deep.include({ api: "http://10.0.0.5:8080", url: "https://hooks.example.com/q" });
  });

  it("says why there is none: no secret, no token, no repository, no URL, or a registry without a webhook API", () => {
    const reason = (config: ProjectConfig, settings = {}, publicUrl: string | undefined = PUBLIC) => {
      const plan = planWebhook(config, settings, publicUrl);
      return plan.applies ? "applies" : plan.reason;
    };
    const secret = { imageRepositorySecret: "harbor.example.com" };
    expect(reason(project("harbor", ["library/webapp"]))).to.include("no image-repository secret");
    expect(reason(project("harbor", ["library/webapp"], { webhookToken: undefined }), secret)).to.include(
      "no webhookToken",
    );
    expect(reason(project("harbor", ["library/*"]), secret)).to.include("names no image repository");
    const noUrl = planWebhook(project("harbor", ["library/webapp"]), secret, undefined);
    expect(noUrl.applies ? "applies" : noUrl.reason).to.include("give --url, or set server.publicUrl");
    expect(reason(project("acr", []), secret)).to.equal(
      "acr has no webhook API Bosun uses: set the webhook up by hand (docs/gateways.md)",
    );
    const pasted = planWebhook(project("distribution", []), {}, undefined);
    expect(pasted.applies).to.equal(false);
    if (!pasted.applies) {
      expect(pasted.configuration)
        .to.include("name: bosun-webapp")
        .and.include("<server.publicUrl>/events/distribution/webapp");
      expect(pasted.configuration)
        .to.include("Bearer <the project's webhookToken>")
        .and.not.include("webapp-webhook-token");
    }
  });
});
