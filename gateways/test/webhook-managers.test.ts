/**
 * The WebhookManager contract, run against every registry client (made as the server makes them,
 * through webhookManagerFor) and its stand-in.
 */
import { expect } from "chai";
import { dockerHub } from "../src/dockerhub/gateway.js";
import { ghcr } from "../src/ghcr/gateway.js";
import { harbor } from "../src/harbor/gateway.js";
import { jfrog } from "../src/jfrog/gateway.js";
import { quay } from "../src/quay/gateway.js";
import { MANAGED_WEBHOOK_KINDS, webhookManagerFor, type WebhookLogin } from "../src/index.js";
import { DOCKERHUB_LOGIN, DOCKERHUB_MEMBER, startDockerHubStandIn } from "@bosun/test-support";
import { GITHUB_READ_TOKEN, GITHUB_TOKEN, startGithubStandIn } from "@bosun/test-support";
import { HARBOR_GUEST, HARBOR_LOGIN, startHarborStandIn } from "@bosun/test-support";
import { JFROG_READ_TOKEN, JFROG_TOKEN, startJfrogStandIn } from "@bosun/test-support";
import { QUAY_READ_TOKEN, QUAY_TOKEN, startQuayStandIn } from "@bosun/test-support";
import { webhookManagerContract } from "./webhook-contract.js";

webhookManagerContract({
  gateway: harbor,
  standIn: startHarborStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "harbor",
      url,
      ...(login === "right"
        ? HARBOR_LOGIN
        : login === "wrong"
          ? { ...HARBOR_LOGIN, password: "not-the-password" }
          : HARBOR_GUEST),
    }),
  loginSecrets: [HARBOR_LOGIN.password, HARBOR_GUEST.password],
});

webhookManagerContract({
  gateway: quay,
  standIn: startQuayStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "quay",
      url,
      token: { right: QUAY_TOKEN, wrong: "not-the-token", "without rights": QUAY_READ_TOKEN }[login],
    }),
  loginSecrets: [QUAY_TOKEN, QUAY_READ_TOKEN],
});

webhookManagerContract({
  gateway: dockerHub,
  standIn: startDockerHubStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "dockerhub",
      url,
      ...(login === "right"
        ? DOCKERHUB_LOGIN
        : login === "wrong"
          ? { ...DOCKERHUB_LOGIN, password: "not-the-password" }
          : DOCKERHUB_MEMBER),
    }),
  loginSecrets: [DOCKERHUB_LOGIN.password, DOCKERHUB_MEMBER.password],
});

webhookManagerContract({
  gateway: jfrog,
  standIn: startJfrogStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "jfrog",
      url,
      token: { right: JFROG_TOKEN, wrong: "not-the-token", "without rights": JFROG_READ_TOKEN }[login],
    }),
  loginSecrets: [JFROG_TOKEN, JFROG_READ_TOKEN],
  url: "https://bosun.example.com/events/jfrog/webapp?registry=acme.jfrog.io",
});

webhookManagerContract({
  gateway: ghcr,
  standIn: startGithubStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "ghcr",
      url,
      token: { right: GITHUB_TOKEN, wrong: "not-the-token", "without rights": GITHUB_READ_TOKEN }[login],
    }),
  loginSecrets: [GITHUB_TOKEN, GITHUB_READ_TOKEN],
});

describe("webhook managers: one per kind with an API", () => {
  it("covers every managed kind, each with its registry's title", () => {
    const url = "https://registry.example.com";
    const logins: WebhookLogin[] = [
      { kind: "harbor", url, username: "u", password: "p" },
      { kind: "quay", url, token: "t" },
      { kind: "dockerhub", username: "u", password: "p" },
      { kind: "jfrog", url, token: "t" },
      { kind: "ghcr", token: "t" },
    ];
    expect(logins.map((l) => l.kind)).to.deep.equal(MANAGED_WEBHOOK_KINDS);
    expect(logins.map((l) => webhookManagerFor(l).title)).to.deep.equal([
      "Harbor",
      "Quay",
      "Docker Hub",
      "JFrog Artifactory",
      "GitHub",
    ]);
  });
});
