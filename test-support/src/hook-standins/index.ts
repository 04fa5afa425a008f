/**
 * Stand-ins of the registry APIs whose webhooks Bosun keeps (Harbor, Quay, Docker Hub, JFrog, GitHub),
 * each strict about every request as its published reference describes: used by the gateways' client
 * contract and by the server's tests of projects whose webhooks it keeps.
 */
export { startDockerHubStandIn, DOCKERHUB_LOGIN, DOCKERHUB_MEMBER } from "./dockerhub.js";
export { startGithubStandIn, GITHUB_TOKEN, GITHUB_READ_TOKEN } from "./github.js";
export { startHarborStandIn, HARBOR_LOGIN, HARBOR_GUEST } from "./harbor.js";
export { startJfrogStandIn, JFROG_TOKEN, JFROG_READ_TOKEN } from "./jfrog.js";
export { startQuayStandIn, QUAY_TOKEN, QUAY_READ_TOKEN } from "./quay.js";
export type { DeliveredRequest, HookStandIn, SeenRequest, StandIn, FailureOptions } from "./stand-in.js";
