/** `bosun manifests`: the Kubernetes objects that run Bosun on a cluster (docs/kubernetes.md). */
export {
  checkOptions,
  chooseImage,
  DEFAULT_CONFIG_SECRET,
  DEFAULT_IMAGE,
  DEFAULT_IMAGE_REGISTRY,
  DEFAULT_NAMESPACE,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_STORE_SECRET,
  STORE_KINDS,
  GATEWAY_KINDS,
  imageIn,
  isDnsLabel,
  isDnsSubdomain,
  ManifestError,
  PORT,
  type ManifestOptions,
  type ManifestRequest,
} from "./options.js";
export { buildManifests, DATA_CLAIM, gatewayName, WORKER, WORKER_JOBS, type KubeObject } from "./objects.js";
export { WORKER_RULES } from "./rbac.js";
export { headNote, OUTPUT_FORMATS, render, type OutputFormat } from "./render.js";
