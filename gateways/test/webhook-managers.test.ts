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
import { DOCKERHUB_LOGIN, startDockerHubStandIn } from "./support/hook-standins/dockerhub.js";
import { GITHUB_TOKEN, startGithubStandIn } from "./support/hook-standins/github.js";
import { HARBOR_LOGIN, startHarborStandIn } from "./support/hook-standins/harbor.js";
import { JFROG_TOKEN, startJfrogStandIn } from "./support/hook-standins/jfrog.js";
import { QUAY_TOKEN, startQuayStandIn } from "./support/hook-standins/quay.js";
import { webhookManagerContract } from "./webhook-contract.js";

webhookManagerContract({
  gateway: harbor,
  standIn: startHarborStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "harbor",
      url,
      ...HARBOR_LOGIN,
      ...(login === "wrong" ? { password: "not-the-password" } : {}),
    }),
  loginSecrets: [HARBOR_LOGIN.password],
});

webhookManagerContract({
  gateway: quay,
  standIn: startQuayStandIn,
  manager: (url, login) =>
    webhookManagerFor({ kind: "quay", url, token: login === "right" ? QUAY_TOKEN : "not-the-token" }),
  loginSecrets: [QUAY_TOKEN],
});

webhookManagerContract({
  gateway: dockerHub,
  standIn: startDockerHubStandIn,
  manager: (url, login) =>
    webhookManagerFor({
      kind: "dockerhub",
      url,
      ...DOCKERHUB_LOGIN,
      ...(login === "wrong" ? { password: "not-the-password" } : {}),
    }),
  loginSecrets: [DOCKERHUB_LOGIN.password],
});

webhookManagerContract({
  gateway: jfrog,
  standIn: startJfrogStandIn,
  manager: (url, login) =>
    webhookManagerFor({ kind: "jfrog", url, token: login === "right" ? JFROG_TOKEN : "not-the-token" }),
  loginSecrets: [JFROG_TOKEN],
  url: "https://bosun.example.com/events/jfrog/webapp?registry=acme.jfrog.io",
});

webhookManagerContract({
  gateway: ghcr,
  standIn: startGithubStandIn,
  manager: (url, login) =>
    webhookManagerFor({ kind: "ghcr", url, token: login === "right" ? GITHUB_TOKEN : "not-the-token" }),
  loginSecrets: [GITHUB_TOKEN],
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
