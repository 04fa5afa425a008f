/**
 * The worker's permissions: exactly what the kubernetes executor (executors/src/kubernetes/)
 * asks of the API server, in the namespace where it creates job pods, and nothing more.
 */
import type { V1PolicyRule } from "@kubernetes/client-node";

export const WORKER_RULES: readonly V1PolicyRule[] = [
  // createNamespacedPod, listNamespacedPod (after a watch's 410 Gone), the watch on /pods,
  // deleteNamespacedPod.
  { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "list", "watch"] },
  // readNamespacedPodLog.
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  // The job's environment: createNamespacedSecret, patchNamespacedSecret (the pod becomes its owner),
  // deleteNamespacedSecret (when that patch was refused).
  { apiGroups: [""], resources: ["secrets"], verbs: ["create", "delete", "patch"] },
];
