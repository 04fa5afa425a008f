export {
  TEST_IMAGE,
  containersOfRun,
  startDockerSocket,
  ensureTestImage,
  startRegistry,
  freePort,
  type DockerSocket,
  type RegistryOptions,
  type TestRegistry,
} from "./podman.js";
export { git } from "./git.js";
export { KubeStandin, STANDIN_LABEL, type KubeStandinOptions, type Received } from "./kube-standin/index.js";
export { ensureBosunImage, podmanAvailable, type BosunImage } from "./bosun-image.js";
export { startPostgres, POSTGRES_BIN, type PostgresOptions, type TestPostgres } from "./postgres.js";
export {
  startDockerHubStandIn,
  startGithubStandIn,
  startHarborStandIn,
  startJfrogStandIn,
  startQuayStandIn,
  DOCKERHUB_LOGIN,
  DOCKERHUB_MEMBER,
  GITHUB_TOKEN,
  GITHUB_READ_TOKEN,
  HARBOR_LOGIN,
  HARBOR_GUEST,
  JFROG_TOKEN,
  JFROG_READ_TOKEN,
  QUAY_TOKEN,
  QUAY_READ_TOKEN,
  type DeliveredRequest,
  type HookStandIn,
  type SeenRequest,
  type StandIn,
  type FailureOptions,
} from "./hook-standins/index.js";
