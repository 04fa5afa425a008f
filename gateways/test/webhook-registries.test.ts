/** What each registry's webhook client sends beyond the shared contract: bodies, paths, logins. */
import { expect } from "chai";
import { dockerHubWebhooks } from "../src/dockerhub/hooks.js";
import { ghcrWebhooks } from "../src/ghcr/hooks.js";
import { harborWebhooks } from "../src/harbor/hooks.js";
import { WebhookError } from "../src/hooks/errors.js";
import { jfrogWebhooks } from "../src/jfrog/hooks.js";
import { quayWebhooks } from "../src/quay/hooks.js";
import { DOCKERHUB_LOGIN, startDockerHubStandIn } from "@bosun/test-support";
import { GITHUB_TOKEN, startGithubStandIn } from "@bosun/test-support";
import { HARBOR_LOGIN, startHarborStandIn } from "@bosun/test-support";
import { JFROG_TOKEN, startJfrogStandIn } from "@bosun/test-support";
import { QUAY_TOKEN, startQuayStandIn } from "@bosun/test-support";
import type { HookStandIn, SeenRequest } from "@bosun/test-support";

const SECRET = "bosun-webhook-token-3f9a0c7e11";
const url = (kind: string) => `https://bosun.example.com/events/${kind}/webapp`;
const written = (standIn: HookStandIn, method: string): SeenRequest[] =>
  standIn.requests.filter((r) => r.method === method);

async function failure(promise: Promise<unknown>): Promise<WebhookError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookError) return error;
    throw error;
  }
  expect.fail("expected a WebhookError");
}

describe("webhook clients: what each registry is sent", () => {
  let standIn: HookStandIn | undefined;
  afterEach(async () => {
    expect(standIn?.violations ?? []).to.deep.equal([]);
    await standIn?.close();
    standIn = undefined;
  });

  it("Harbor: the project's policy, its HTTP target carrying `Bearer <token>`, by project name", async () => {
    standIn = await startHarborStandIn();
    const manager = harborWebhooks({ url: standIn.url, ...HARBOR_LOGIN });
    const events = ["image_push", "image_delete"] as const;
    await manager.ensure({ repository: "library/webapp", url: url("harbor"), secret: SECRET, events });
    const [post] = written(standIn, "POST");
    expect(post?.path).to.equal("/api/v2.0/projects/library/webhook/policies");
    expect(post?.headers["x-is-resource-name"]).to.equal("true");
    expect(post?.body).to.deep.equal({
      name: "bosun-webapp",
      description: `Bosun: ${url("harbor")}`,
      enabled: true,
      event_types: ["PUSH_ARTIFACT", "DELETE_ARTIFACT"],
      targets: [
        {
          type: "http",
          address: url("harbor"),
          auth_header: `Bearer ${SECRET}`,
          skip_cert_verify: false,
          payload_format: "Default",
        },
      ],
    });
  });

  it("Quay: a repo_push webhook with the token in the URL; a change is created before the old one goes", async () => {
    standIn = await startQuayStandIn();
    const manager = quayWebhooks({ url: standIn.url, token: QUAY_TOKEN });
    const spec = {
      repository: "acme/webapp",
      url: url("quay"),
      secret: SECRET,
      events: ["image_push"] as const,
    };
    const first = await manager.ensure(spec);
    expect(written(standIn, "POST")[0]?.body).to.deep.equal({
      event: "repo_push",
      method: "webhook",
      config: { url: `${url("quay")}?access_token=${SECRET}` },
      eventConfig: {},
      title: "bosun-webapp",
    });
    const second = await manager.ensure({ ...spec, secret: "another-token-1234" });
    expect(second.state).to.equal("updated");
    expect(second.id).to.not.equal(first.id);
    const writes = standIn.writes().map((r) => `${r.method} ${r.path}`);
    expect(writes.slice(1)).to.deep.equal([
      "POST /api/v1/repository/acme/webapp/notification/",
      `DELETE /api/v1/repository/acme/webapp/notification/${first.id}`,
    ]);
  });

  it("Docker Hub: logs in once, and again when the JWT is refused", async () => {
    standIn = await startDockerHubStandIn();
    const manager = dockerHubWebhooks({ url: standIn.url, ...DOCKERHUB_LOGIN });
    const spec = {
      repository: "acme/webapp",
      url: url("dockerhub"),
      secret: SECRET,
      events: ["image_push"] as const,
    };
    await manager.ensure(spec);
    await manager.ensure(spec);
    const logins = () => standIn?.requests.filter((r) => r.path === "/v2/users/login").length;
    expect(logins()).to.equal(1);
    standIn.failNext(401);
    expect((await manager.ensure(spec)).state).to.equal("unchanged");
    expect(logins()).to.equal(2);
    expect(written(standIn, "POST").find((r) => r.path.endsWith("/webhook_pipeline/"))?.body).to.deep.equal({
      name: "bosun-webapp",
      expect_final_callback: false,
      webhooks: [{ name: "bosun-webapp", hook_url: `${url("dockerhub")}?access_token=${SECRET}` }],
      registry: "registry-1.docker.io",
    });
  });

  it("Docker Hub: a JWT given is used as it is, without a login", async () => {
    standIn = await startDockerHubStandIn();
    const manager = dockerHubWebhooks({ url: standIn.url, token: "not-a-jwt-hub-knows" });
    const error = await failure(
      manager.ensure({
        repository: "acme/webapp",
        url: url("dockerhub"),
        secret: SECRET,
        events: ["image_push"],
      }),
    );
    expect(error.code).to.equal("WEBHOOK_UNAUTHORIZED");
    expect(error.message).to.not.include("not-a-jwt-hub-knows");
    expect(standIn.requests.map((r) => r.path)).to.not.include("/v2/users/login");
  });

  it("JFrog: a docker-domain subscription on the repository, signing with the token", async () => {
    standIn = await startJfrogStandIn();
    const manager = jfrogWebhooks({ url: standIn.url, token: JFROG_TOKEN });
    const hookUrl = `${url("jfrog")}?registry=acme.jfrog.io`;
    await manager.ensure({
      repository: "docker-local",
      url: hookUrl,
      secret: SECRET,
      events: ["image_push"],
    });
    expect(written(standIn, "POST")[0]?.body).to.deep.equal({
      key: "bosun-webapp",
      description: `Bosun: ${hookUrl}`,
      enabled: true,
      event_filter: {
        domain: "docker",
        event_types: ["pushed"],
        criteria: {
          anyLocal: false,
          anyRemote: false,
          anyFederated: false,
          repoKeys: ["docker-local"],
          includePatterns: [],
          excludePatterns: [],
        },
      },
      handlers: [
        {
          handler_type: "webhook",
          url: hookUrl,
          secret: SECRET,
          use_secret_for_signing: true,
          custom_http_headers: [],
        },
      ],
    });
  });

  it("GitHub: an organisation's hook for a name without a slash, package events as JSON", async () => {
    standIn = await startGithubStandIn();
    const manager = ghcrWebhooks({ url: standIn.url, token: GITHUB_TOKEN });
    await manager.ensure({ repository: "acme", url: url("ghcr"), secret: SECRET, events: ["image_push"] });
    const [post] = written(standIn, "POST");
    expect(post?.path).to.equal("/orgs/acme/hooks");
    expect(post?.headers["x-github-api-version"]).to.equal("2022-11-28");
    expect(post?.body).to.deep.equal({
      name: "web",
      active: true,
      events: ["package", "registry_package"],
      config: { url: url("ghcr"), content_type: "json", insecure_ssl: "0", secret: SECRET },
    });
  });

  it("GitHub: an exhausted rate limit (403, x-ratelimit-remaining: 0) is WEBHOOK_RATE_LIMITED until its reset", async () => {
    standIn = await startGithubStandIn();
    const manager = ghcrWebhooks({ url: standIn.url, token: GITHUB_TOKEN });
    const reset = Math.floor(Date.now() / 1000) + 120;
    standIn.failNext(403, { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
    const error = await failure(
      manager.ensure({ repository: "acme/webapp", url: url("ghcr"), secret: SECRET, events: ["image_push"] }),
    );
    expect(error.code).to.equal("WEBHOOK_RATE_LIMITED");
    expect(error.retryAfterSeconds).to.be.within(100, 120);
  });

  it("GitHub: a secondary rate limit (403 with Retry-After) is WEBHOOK_RATE_LIMITED, a plain 403 is not", async () => {
    standIn = await startGithubStandIn();
    const manager = ghcrWebhooks({ url: standIn.url, token: GITHUB_TOKEN });
    const spec = {
      repository: "acme/webapp",
      url: url("ghcr"),
      secret: SECRET,
      events: ["image_push"] as const,
    };
    standIn.failNext(403, { headers: { "retry-after": "60" } });
    const limited = await failure(manager.ensure(spec));
    expect([limited.code, limited.retryAfterSeconds]).to.deep.equal(["WEBHOOK_RATE_LIMITED", 60]);
    standIn.failNext(403);
    expect((await failure(manager.ensure(spec))).code).to.equal("WEBHOOK_FORBIDDEN");
  });
});
