/** `bosun manifests`: print the Kubernetes objects that run Bosun's gateways and worker on a cluster. */
import type { Command } from "commander";
import { refuse } from "./common.js";
import {
  buildManifests,
  checkOptions,
  chooseImage,
  DEFAULT_CONFIG_SECRET,
  DEFAULT_IMAGE,
  DEFAULT_IMAGE_REGISTRY,
  DEFAULT_NAMESPACE,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_STORE_SECRET,
  GATEWAY_KINDS,
  ManifestError,
  OUTPUT_FORMATS,
  render,
  type OutputFormat,
} from "../manifests/index.js";

interface ManifestsOpts {
  gateway: string[];
  worker?: boolean;
  all?: boolean;
  namespace: string;
  jobsNamespace?: string;
  image?: string;
  imageRegistry?: string;
  replicas: string;
  workerReplicas?: string;
  store: string;
  storeSecret?: string;
  configSecret: string;
  storageSize: string;
  output: string;
}

export function registerManifestsCommands(program: Command): void {
  program
    .command("manifests")
    .description("print the Kubernetes objects to run Bosun on a cluster (kubectl apply -f -)")
    .option(
      "--gateway <kind>",
      `a gateway Deployment and Service for this registry (repeatable): ${GATEWAY_KINDS.join(", ")}`,
      (kind: string, kinds: string[]) => [...kinds, kind],
      [],
    )
    .option("--worker", "the worker Deployment and Service, its ServiceAccount, Role and RoleBinding")
    .option("--all", "every gateway and the worker")
    .option("--namespace <ns>", "namespace of Bosun's objects", DEFAULT_NAMESPACE)
    .option(
      "--jobs-namespace <ns>",
      "namespace of job pods (bosun.yaml's kubernetes.namespace; default: --namespace)",
    )
    .option("--image <image>", `Bosun's image (scripts/build-image.sh; default: ${DEFAULT_IMAGE})`)
    .option(
      "--image-registry <registry>",
      `where Bosun's image was pushed: <registry>/bosun:<version> (default: ${DEFAULT_IMAGE_REGISTRY})`,
    )
    .option("--store <kind>", "where state is kept: sqlite (a volume, one replica) or postgres", "sqlite")
    .option(
      "--store-secret <name[/key]>",
      `with --store postgres: the Secret (and key) holding the store URL (default: ${DEFAULT_STORE_SECRET.name}/${DEFAULT_STORE_SECRET.key})`,
    )
    .option("--replicas <n>", "replicas per Deployment (the SQLite store allows 1)", "1")
    .option("--worker-replicas <n>", "replicas of the worker (default: --replicas)")
    .option(
      "--config-secret <name>",
      "the Secret holding bosun.yaml, mounted at /etc/bosun",
      DEFAULT_CONFIG_SECRET,
    )
    .option("--storage-size <size>", "size of the data volume (bosun-data)", DEFAULT_STORAGE_SIZE)
    .option("-o, --output <format>", `output format: ${OUTPUT_FORMATS.join(" or ")}`, "yaml")
    .action((o: ManifestsOpts) => manifests(o));
}

function manifests(o: ManifestsOpts): void {
  try {
    if (!OUTPUT_FORMATS.includes(o.output as OutputFormat)) {
      throw new ManifestError(`--output: expected ${OUTPUT_FORMATS.join(" or ")}, found "${o.output}"`);
    }
    for (const [option, value] of [
      ["--replicas", o.replicas],
      ["--worker-replicas", o.workerReplicas],
    ] as const) {
      if (value !== undefined && !/^[0-9]+$/.test(value)) {
        throw new ManifestError(`${option}: expected a whole number of at least 1, found "${value}"`);
      }
    }
    const options = checkOptions({
      gateways: o.all ? GATEWAY_KINDS : o.gateway,
      worker: Boolean(o.all || o.worker),
      namespace: o.namespace,
      jobsNamespace: o.jobsNamespace,
      image: chooseImage(o.image, o.imageRegistry),
      replicas: Number(o.replicas),
      ...(o.workerReplicas !== undefined ? { workerReplicas: Number(o.workerReplicas) } : {}),
      store: o.store,
      ...(o.storeSecret !== undefined ? { storeSecret: o.storeSecret } : {}),
      configSecret: o.configSecret,
      storageSize: o.storageSize,
    });
    process.stdout.write(render(buildManifests(options), o.output as OutputFormat, options));
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    refuse(err.message, err.code);
  }
}
