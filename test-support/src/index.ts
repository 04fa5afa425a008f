export {
  TEST_IMAGE,
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
