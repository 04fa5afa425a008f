/** The objects as `kubectl apply -f -` reads them: a YAML stream with a note at its head, or a v1 List. */
import { stringify } from "yaml";
import type { KubeObject } from "./objects.js";
import { DATA_CLAIM } from "./objects.js";
import type { ManifestOptions } from "./options.js";

export type OutputFormat = "yaml" | "json";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["yaml", "json"];

/** What to know before applying, as YAML comment lines (JSON has no comments: see docs/kubernetes.md). */
export function headNote(o: ManifestOptions): string[] {
  const ns = o.namespace;
  const lines = [
    "Bosun on Kubernetes, from `bosun manifests` (docs/kubernetes.md).",
    ...storeNote(o),
    "Before applying:",
    `  kubectl create namespace ${ns}`,
    `  kubectl -n ${ns} create secret generic ${o.configSecret} --from-file=bosun.yaml [--from-file=brigade.js ...]`,
  ];
  if (o.store.kind === "postgres") {
    const { name, key } = o.store.secret;
    lines.push(
      `  kubectl -n ${ns} create secret generic ${name} --from-literal=${key}='postgres://USER:PASSWORD@HOST:5432/DB'`,
    );
  }
  if (o.worker) {
    const jobs = o.jobsNamespace ?? ns;
    lines.push(
      `Jobs run as pods in namespace ${jobs} (executor: kubernetes); bosun.yaml must say`,
      `  kubernetes: { namespace: ${jobs} }`,
    );
  }
  return lines.map((line) => `# ${line}`);
}

function storeNote(o: ManifestOptions): string[] {
  if (o.store.kind === "sqlite") {
    return [
      `Store: the embedded SQLite store on the PersistentVolumeClaim ${DATA_CLAIM} (ReadWriteOnce).`,
      "One SQLite file is shared by processes of one node only: each Deployment runs one replica and",
      "every Bosun pod is scheduled on the same node. For more replicas: --store postgres.",
    ];
  }
  return [
    `Store: PostgreSQL, its URL from Secret ${o.store.secret.name} (key ${o.store.secret.key}), as BOSUN_STORE_URL.`,
    `Replicas: ${o.replicas} per gateway, ${o.workerReplicas} worker(s), spread over nodes, rolled one at a time;`,
    "with more than one, a PodDisruptionBudget keeps all but one through drains.",
    "Give every replica the same admin token: server.adminToken in bosun.yaml (e.g. ${env:...}).",
  ];
}

export function render(objects: readonly KubeObject[], format: OutputFormat, o: ManifestOptions): string {
  if (format === "json") {
    return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`;
  }
  const docs = objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`);
  return `${headNote(o).join("\n")}\n${docs.join("")}`;
}
