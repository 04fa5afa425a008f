/**
 * Where Bosun's pods run and how a Deployment replaces them. SQLite: every pod on the node of the
 * others (one file, one machine). PostgreSQL: the replicas of a Deployment spread over nodes, and a
 * rollout that starts a new pod before stopping an old one.
 */
import type { V1DeploymentSpec, V1PodSpec } from "@kubernetes/client-node";
import type { ManifestOptions } from "./options.js";
import { APP, selector } from "./labels.js";

const NODE = "kubernetes.io/hostname";

export function podPlacement(
  o: ManifestOptions,
  component: string,
): Pick<V1PodSpec, "affinity" | "topologySpreadConstraints"> {
  if (o.store === "sqlite") {
    // The SQLite file may be shared by processes of one machine only: every Bosun pod goes where the
    // others are (the first one anywhere: a pod matching its own term may start alone).
    return {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { "app.kubernetes.io/name": APP } }, topologyKey: NODE },
          ],
        },
      },
    };
  }
  const own = { matchLabels: selector(component) };
  // Preferred, not required: a cluster with fewer nodes than replicas still runs them all.
  return {
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: NODE, whenUnsatisfiable: "ScheduleAnyway", labelSelector: own },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: own, topologyKey: NODE } },
        ],
      },
    },
  };
}

/** PostgreSQL: never fewer ready pods than asked during a rollout. SQLite: Kubernetes' default. */
export function rollout(o: ManifestOptions): Pick<V1DeploymentSpec, "strategy"> {
  if (o.store === "sqlite") return {};
  return { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } };
}
