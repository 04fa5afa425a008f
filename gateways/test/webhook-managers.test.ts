/** The WebhookManager contract, run against every registry client and its stand-in. */
import { dockerHub } from "../src/dockerhub/gateway.js";
import { dockerHubWebhooks } from "../src/dockerhub/hooks.js";
import { ghcr } from "../src/ghcr/gateway.js";
import { ghcrWebhooks } from "../src/ghcr/hooks.js";
import { harbor } from "../src/harbor/gateway.js";
import { harborWebhooks } from "../src/harbor/hooks.js";
import { jfrog } from "../src/jfrog/gateway.js";
import { jfrogWebhooks } from "../src/jfrog/hooks.js";
import { quay } from "../src/quay/gateway.js";
import { quayWebhooks } from "../src/quay/hooks.js";
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
    harborWebhooks({ url, ...HARBOR_LOGIN, ...(login === "wrong" ? { password: "not-the-password" } : {}) }),
  loginSecrets: [HARBOR_LOGIN.password],
});

webhookManagerContract({
  gateway: quay,
  standIn: startQuayStandIn,
  manager: (url, login) => quayWebhooks({ url, token: login === "right" ? QUAY_TOKEN : "not-the-token" }),
  loginSecrets: [QUAY_TOKEN],
});

webhookManagerContract({
  gateway: dockerHub,
  standIn: startDockerHubStandIn,
  manager: (url, login) =>
    dockerHubWebhooks({
      url,
      ...DOCKERHUB_LOGIN,
      ...(login === "wrong" ? { password: "not-the-password" } : {}),
    }),
  loginSecrets: [DOCKERHUB_LOGIN.password],
});

webhookManagerContract({
  gateway: jfrog,
  standIn: startJfrogStandIn,
  manager: (url, login) => jfrogWebhooks({ url, token: login === "right" ? JFROG_TOKEN : "not-the-token" }),
  loginSecrets: [JFROG_TOKEN],
  url: "https://bosun.example.com/events/jfrog/webapp?registry=acme.jfrog.io",
});

webhookManagerContract({
  gateway: ghcr,
  standIn: startGithubStandIn,
  manager: (url, login) => ghcrWebhooks({ url, token: login === "right" ? GITHUB_TOKEN : "not-the-token" }),
  loginSecrets: [GITHUB_TOKEN],
});
