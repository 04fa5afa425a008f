/**
 * What `bosun manifests` is asked for, its defaults, and the checks made before anything is built.
 * Every problem is a ManifestError whose message names the option and what it accepts.
 */
import { BosunError } from "@bosun/core";
import { REGISTRIES } from "@bosun/gateways";
import { VERSION } from "../version.js";

/** The registry kinds that have a webhook gateway (`bosun gateway --registry <kind>` serves them). */
export const GATEWAY_KINDS: readonly string[] = REGISTRIES.map((r) => r.kind);

export const DEFAULT_NAMESPACE = "bosun";
/**
 * Bosun's image (scripts/build-image.sh) is `<registry>/bosun:<version>` once pushed to a registry the
 * cluster pulls from; `localhost/bosun:<version>`, as built, is not pullable. See docs/kubernetes.md.
 */
export const DEFAULT_IMAGE_REGISTRY = "ghcr.io/bosun";

/** `<registry>/bosun:<this version>`; a registry may end in one "/". */
export function imageIn(registry: string): string {
  return `${registry.endsWith("/") ? registry.slice(0, -1) : registry}/bosun:${VERSION}`;
}

export const DEFAULT_IMAGE = imageIn(DEFAULT_IMAGE_REGISTRY);

/** host[:port], then path components as image references allow them. */
const IMAGE_REGISTRY =
  /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/;

/** The image from --image or --image-registry (not both), or the default. */
export function chooseImage(image: string | undefined, registry: string | undefined): string {
  if (image !== undefined && registry !== undefined) {
    throw new ManifestError("--image and --image-registry: give one of them, not both");
  }
  if (registry === undefined) return image ?? DEFAULT_IMAGE;
  if (!IMAGE_REGISTRY.test(registry)) {
    throw new ManifestError(
      `--image-registry: expected a registry and optional path such as registry.example.com:5000/team, found "${registry}"`,
    );
  }
  return imageIn(registry);
}
export const DEFAULT_CONFIG_SECRET = "bosun-config";
/** The Secret and key holding the PostgreSQL store's URL (`--store-secret NAME[/KEY]`). */
export const DEFAULT_STORE_SECRET = { name: "bosun-store", key: "url" } as const;
export const STORE_KINDS = ["sqlite", "postgres"] as const;

/** Where the manifests' Bosun keeps its state. */
export type ManifestStore = { kind: "sqlite" } | { kind: "postgres"; secret: { name: string; key: string } };
export const DEFAULT_STORAGE_SIZE = "1Gi";

/** Where things are inside the containers. */
export const CONFIG_DIR = "/etc/bosun";
export const CONFIG_FILE = `${CONFIG_DIR}/bosun.yaml`;
export const DATA_DIR = "/var/lib/bosun";
export const PORT = 7744;

export interface ManifestOptions {
  /** One gateway Deployment and Service per kind (each one of GATEWAY_KINDS). */
  gateways: readonly string[];
  /** The worker's Deployment and Service, its ServiceAccount, Role and RoleBinding. */
  worker: boolean;
  namespace: string;
  /** Where the kubernetes executor creates job pods (the config's kubernetes.namespace). Default: namespace. */
  jobsNamespace?: string;
  image: string;
  /** Replicas per gateway Deployment. The embedded SQLite store allows 1. */
  replicas: number;
  /** Replicas of the worker Deployment (default: replicas). */
  workerReplicas: number;
  store: ManifestStore;
  /** The Secret holding bosun.yaml (and the scripts it names by relative path). */
  configSecret: string;
  /** The size requested for the data volume (a Kubernetes quantity). */
  storageSize: string;
}

/** Options that cannot make valid manifests: a usage mistake, named by option. */
export class ManifestError extends BosunError {
  constructor(message: string) {
    super("USAGE_INVALID", message);
    this.name = "ManifestError";
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** The options with defaults filled in, or a ManifestError saying what is wrong. */
/** What is asked for, as the command's options give it: the store by name, its Secret as NAME[/KEY]. */
export type ManifestRequest = Partial<Omit<ManifestOptions, "store">> & {
  store?: string;
  storeSecret?: string;
};

export function checkOptions(o: ManifestRequest): ManifestOptions {
  const gateways = [...new Set(o.gateways ?? [])];
  for (const kind of gateways) {
    if (!GATEWAY_KINDS.includes(kind)) {
      throw new ManifestError(
        `--gateway: unknown registry kind "${kind}"; expected one of ${GATEWAY_KINDS.join(", ")}`,
      );
    }
  }
  const worker = o.worker ?? false;
  if (gateways.length === 0 && !worker) {
    throw new ManifestError("nothing to generate: give --gateway <kind>, --worker or --all");
  }
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const jobsNamespace = o.jobsNamespace ?? namespace;
  for (const [option, value] of [
    ["--namespace", namespace],
    ["--jobs-namespace", jobsNamespace],
  ] as const) {
    if (!isDnsLabel(value)) {
      throw new ManifestError(
        `${option}: "${value}" is not a namespace name (lowercase letters, digits and '-', at most 63)`,
      );
    }
  }
  const configSecret = o.configSecret ?? DEFAULT_CONFIG_SECRET;
  if (!isDnsSubdomain(configSecret)) {
    throw new ManifestError(
      `--config-secret: "${configSecret}" is not a Secret name (lowercase letters, digits, '-' and '.')`,
    );
  }
  const image = o.image ?? DEFAULT_IMAGE;
  if (image.trim() === "" || /\s/.test(image)) {
    throw new ManifestError(`--image: "${image}" is not an image reference`);
  }
  const store = checkStore(o.store, o.storeSecret);
  const replicas = checkReplicas("--replicas", o.replicas ?? 1, store);
  const workerReplicas = checkReplicas("--worker-replicas", o.workerReplicas ?? replicas, store);
  const storageSize = o.storageSize ?? DEFAULT_STORAGE_SIZE;
  if (!QUANTITY.test(storageSize)) {
    throw new ManifestError(`--storage-size: expected a quantity like 1Gi or 500Mi, found "${storageSize}"`);
  }
  return {
    gateways,
    worker,
    namespace,
    jobsNamespace,
    image,
    replicas,
    workerReplicas,
    store,
    configSecret,
    storageSize,
  };
}

function checkStore(kind = "sqlite", secret: string | undefined): ManifestStore {
  if (kind === "sqlite") {
    if (secret !== undefined) {
      throw new ManifestError("--store-secret: only with --store postgres (SQLite is a file, not a URL)");
    }
    return { kind };
  }
  if (kind !== "postgres") {
    throw new ManifestError(`--store: expected ${STORE_KINDS.join(" or ")}, found "${kind}"`);
  }
  if (secret === undefined) return { kind, secret: { ...DEFAULT_STORE_SECRET } };
  const [name = "", key = DEFAULT_STORE_SECRET.key, ...rest] = secret.split("/");
  if (!isDnsSubdomain(name) || !SECRET_KEY.test(key) || rest.length > 0) {
    throw new ManifestError(
      `--store-secret: expected a Secret name and optional key such as bosun-store/url, found "${secret}"`,
    );
  }
  return { kind, secret: { name, key } };
}

/** A Secret's data key: letters, digits, '-', '_' and '.'. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function checkReplicas(option: string, replicas: number, store: ManifestStore): number {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new ManifestError(`${option}: expected a whole number of at least 1, found ${String(replicas)}`);
  }
  if (replicas > 1 && store.kind === "sqlite") {
    throw new ManifestError(
      `${option}: the embedded SQLite store is one file on one node, so each Deployment runs one ` +
        "replica; for more, use PostgreSQL: --store postgres (docs/kubernetes.md)",
    );
  }
  return replicas;
}
