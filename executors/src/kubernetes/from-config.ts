import { KubeConfig } from "@kubernetes/client-node";
import { KubernetesExecutor, type KubernetesExecutorOptions } from "./kubernetes-executor.js";

/**
 * A Kubernetes executor from a kubeconfig file, or from where kubectl would find one (in-cluster
 * service account, $KUBECONFIG, ~/.kube/config). Throws saying why when there is no cluster.
 */
export function kubernetesExecutorFrom(
  options: Omit<KubernetesExecutorOptions, "kubeConfig"> & { kubeconfig?: string },
): KubernetesExecutor {
  const { kubeconfig, ...rest } = options;
  const kubeConfig = new KubeConfig();
  if (kubeconfig) kubeConfig.loadFromFile(kubeconfig);
  else kubeConfig.loadFromDefault();
  if (!kubeConfig.getCurrentCluster()) throw new Error("the kubeconfig names no current cluster");
  return new KubernetesExecutor({ ...rest, kubeConfig });
}
