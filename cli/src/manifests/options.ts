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
export const DEFAULT_STORAGE_SIZE = "1Gi";
export const STORE_KINDS = ["sqlite", "postgres"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
/** The Secret and key holding the PostgreSQL URL (--store-secret NAME[/KEY]). */
export const DEFAULT_STORE_SECRET = "bosun-store";
export const DEFAULT_STORE_SECRET_KEY = "url";

export interface SecretKey {
  name: string;
  key: string;
}

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
  /** sqlite: one file on a volume, one replica each; postgres: no volume, replicas as asked. */
  store: StoreKind;
  /** Where BOSUN_STORE_URL comes from (postgres only). */
  storeSecret: SecretKey;
  /** Replicas per Deployment unless gatewayReplicas or workerReplicas say otherwise. SQLite allows 1. */
  replicas: number;
  /** Replicas of each gateway Deployment. */
  gatewayReplicas: number;
  /** Replicas of the worker Deployment. */
  workerReplicas: number;
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
export function checkOptions(o: Partial<ManifestOptions>): ManifestOptions {
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
  const store = o.store ?? "sqlite";
  if (!STORE_KINDS.includes(store)) {
    throw new ManifestError(`--store: expected ${STORE_KINDS.join(" or ")}, found "${String(store)}"`);
  }
  const storeSecret = o.storeSecret ?? { name: DEFAULT_STORE_SECRET, key: DEFAULT_STORE_SECRET_KEY };
  checkStoreSecret(storeSecret);
  const replicas = checkReplicas("--replicas", o.replicas ?? 1, store);
  const gatewayReplicas = checkReplicas("--gateway-replicas", o.gatewayReplicas ?? replicas, store);
  const workerReplicas = checkReplicas("--worker-replicas", o.workerReplicas ?? replicas, store);
  const storageSize = o.storageSize ?? DEFAULT_STORAGE_SIZE;
  if (!QUANTITY.test(storageSize)) {
    throw new ManifestError(`--storage-size: expected a quantity like 1Gi or 500Mi, found "${storageSize}"`);
  }
  return {
    ...{ gateways, worker, namespace, jobsNamespace, image, store, storeSecret },
    ...{ replicas, gatewayReplicas, workerReplicas, configSecret, storageSize },
  };
}

function checkReplicas(option: string, replicas: number, store: StoreKind): number {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new ManifestError(`${option}: expected a whole number of at least 1, found ${String(replicas)}`);
  }
  if (replicas > 1 && store === "sqlite") {
    throw new ManifestError(
      `${option}: the embedded SQLite store is one file on one node, so each Deployment runs one ` +
        "replica; to scale out use the PostgreSQL store: --store postgres (docs/kubernetes.md)",
    );
  }
  return replicas;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** NAME[/KEY] of --store-secret: the Secret's name and the key in it (default "url"). */
export function parseStoreSecret(value: string): SecretKey {
  const slash = value.indexOf("/");
  const secret =
    slash < 0
      ? { name: value, key: DEFAULT_STORE_SECRET_KEY }
      : { name: value.slice(0, slash), key: value.slice(slash + 1) };
  checkStoreSecret(secret);
  return secret;
}

function checkStoreSecret({ name, key }: SecretKey): void {
  if (!isDnsSubdomain(name)) {
    throw new ManifestError(
      `--store-secret: "${name}" is not a Secret name (lowercase letters, digits, '-' and '.'); expected NAME[/KEY]`,
    );
  }
  if (key.length > 253 || !SECRET_KEY.test(key)) {
    throw new ManifestError(
      `--store-secret: "${key}" is not a Secret key (letters, digits, '-', '_' and '.'); expected NAME[/KEY]`,
    );
  }
}
