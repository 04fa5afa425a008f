/**
 * What the store changes in the manifests. The embedded SQLite store is one file on a ReadWriteOnce
 * volume: one replica per Deployment, every Bosun pod on that volume's node. PostgreSQL holds all
 * state elsewhere: replicas are stateless, so they scale, spread over nodes, roll one at a time and
 * keep one pod through voluntary disruptions; the data folder is scratch space (an emptyDir).
 */
import type {
  V1Affinity,
  V1DeploymentStrategy,
  V1EnvVar,
  V1PodDisruptionBudget,
  V1TopologySpreadConstraint,
  V1Volume,
} from "@kubernetes/client-node";
import type { ManifestOptions } from "./options.js";

export const DATA_CLAIM = "bosun-data";
const APP_LABEL = { "app.kubernetes.io/name": "bosun" };

/** The data volume: the SQLite file's claim, or scratch space beside a PostgreSQL store. */
export function dataVolume(o: ManifestOptions): V1Volume {
  return o.store.kind === "sqlite"
    ? { name: "data", persistentVolumeClaim: { claimName: DATA_CLAIM } }
    : { name: "data", emptyDir: {} };
}

/** The store URL from its Secret; SQLite needs none (it is the file under --data). */
export function storeEnv(o: ManifestOptions): V1EnvVar[] {
  if (o.store.kind === "sqlite") return [];
  const { name, key } = o.store.secret;
  return [{ name: "BOSUN_STORE_URL", valueFrom: { secretKeyRef: { name, key } } }];
}

/** Where pods go: beside the SQLite file's other users, or spread over nodes. */
export function placement(
  o: ManifestOptions,
  podLabels: Record<string, string>,
): { affinity?: V1Affinity; topologySpreadConstraints?: V1TopologySpreadConstraint[] } {
  if (o.store.kind === "sqlite") {
    // The first pod anywhere (a pod matching its own term may start alone), the others beside it.
    return {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: APP_LABEL }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    };
  }
  // ScheduleAnyway: a cluster with fewer nodes than replicas still runs them all.
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: podLabels },
      },
    ],
  };
}

/**
 * Rolling updates that never take every replica down: a new pod is ready before an old one goes.
 * SQLite keeps Kubernetes' default (its one replica and the new one share the node and the file).
 */
export function strategy(o: ManifestOptions): { strategy?: V1DeploymentStrategy } {
  if (o.store.kind === "sqlite") return {};
  return { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } };
}

/** Keeps all but one replica through drains and other voluntary disruptions (more than one only). */
export function disruptionBudget(
  o: ManifestOptions,
  name: string,
  replicas: number,
  labels: Record<string, string>,
  selector: Record<string, string>,
): V1PodDisruptionBudget[] {
  if (o.store.kind === "sqlite" || replicas < 2) return [];
  return [
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace: o.namespace, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    },
  ];
}
