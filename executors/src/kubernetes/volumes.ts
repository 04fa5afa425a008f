/**
 * Volumes of a job's pod. Brigade's `storage` (a workspace shared by the jobs of one run) and `cache`
 * (kept per project and job) live on PersistentVolumeClaims named by the executor's options, each
 * job mounting its own subPath. Any other JobMount names a PersistentVolumeClaim as its `source`.
 *
 * The script handler also turns `storage` and `cache` into host-directory mounts for the local
 * executors; those have the same targets and are covered by the claims, so they are skipped here.
 *
 * A mount whose source is a folder of the worker (an absolute path: a Dispatchfile task's workspace,
 * its git clones, its step volumes, all under the data dir) reaches the pod only through a claim the
 * worker has that folder on: `pathClaims` says which, and the rest of the path is the subPath.
 */
import type { V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { isAbsolute, relative, sep } from "node:path";
import type { JobSpec } from "@bosun/core";
import type { KubernetesPodOptions } from "./pod.js";
import { PodSpecError } from "./errors.js";
import { slug } from "./names.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A subPath segment: readable, never empty, never "..". */
function segment(text: string): string {
  const trimmed = slug(text)
    .slice(0, 63)
    .replace(/(?<!-)-+$/, "");
  return trimmed || "none";
}

export function volumesFor(
  spec: JobSpec,
  id: { project: string; run: string },
  options: Pick<KubernetesPodOptions, "workspaceClaim" | "cacheClaim" | "pathClaims">,
): { volumes: V1Volume[]; volumeMounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = [];
  const volumeMounts: V1VolumeMount[] = [];
  const covered = new Set<string>();

  if (spec.storage?.enabled) {
    if (!options.workspaceClaim) {
      throw new PodSpecError(
        `job "${spec.name}" asks for storage, but the kubernetes executor has no workspaceClaim configured`,
      );
    }
    volumes.push({ name: "workspace", persistentVolumeClaim: { claimName: options.workspaceClaim } });
    const subPath = `${segment(id.project)}/${segment(id.run)}`;
    volumeMounts.push({ name: "workspace", mountPath: spec.storage.path, subPath });
    covered.add(spec.storage.path);
  }

  if (spec.cache?.enabled) {
    // Without a claim a cache still works, it just starts empty every time.
    volumes.push(
      options.cacheClaim
        ? { name: "cache", persistentVolumeClaim: { claimName: options.cacheClaim } }
        : { name: "cache", emptyDir: spec.cache.size ? { sizeLimit: spec.cache.size } : {} },
    );
    const subPath = options.cacheClaim ? `${segment(id.project)}/${segment(spec.name)}` : undefined;
    volumeMounts.push({ name: "cache", mountPath: spec.cache.path, ...(subPath ? { subPath } : {}) });
    covered.add(spec.cache.path);
  }

  // One volume per claim that worker folders map to, however many folders of it are mounted.
  const pathVolumes = new Map<string, string>();
  (spec.mounts ?? []).forEach((mount, i) => {
    if (covered.has(mount.target)) return;
    const readOnly = mount.readOnly ? { readOnly: true } : {};
    if (isAbsolute(mount.source)) {
      const { claim, subPath } = claimOfPath(mount.source, options.pathClaims ?? []);
      let name = pathVolumes.get(claim);
      if (!name) {
        name = `path-${pathVolumes.size}`;
        pathVolumes.set(claim, name);
        volumes.push({ name, persistentVolumeClaim: { claimName: claim } });
      }
      volumeMounts.push({ name, mountPath: mount.target, ...(subPath ? { subPath } : {}), ...readOnly });
    } else {
      if (!DNS_SUBDOMAIN.test(mount.source)) {
        throw new PodSpecError(
          `mount source ${JSON.stringify(mount.source)} must name a PersistentVolumeClaim on kubernetes`,
        );
      }
      const name = `mount-${i}`;
      volumes.push({ name, persistentVolumeClaim: { claimName: mount.source, ...readOnly } });
      volumeMounts.push({ name, mountPath: mount.target, ...readOnly });
    }
    covered.add(mount.target);
  });

  return { volumes, volumeMounts };
}

/** The claim a worker folder lies on (the deepest that holds it), and the folder's path inside it. */
function claimOfPath(
  source: string,
  pathClaims: readonly { path: string; claim: string }[],
): { claim: string; subPath: string } {
  let best: { claim: string; subPath: string; depth: number } | undefined;
  for (const { path, claim } of pathClaims) {
    const inside = relative(path, source);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) continue;
    const depth = path.split(sep).length;
    if (!best || depth > best.depth) best = { claim, subPath: inside.split(sep).join("/"), depth };
  }
  if (!best) {
    throw new PodSpecError(
      `the job mounts the worker's folder ${source}, which a pod cannot see: list the claim the worker ` +
        'has it on in kubernetes.pathClaims (docs/kubernetes.md, "Dispatchfiles on Kubernetes")',
    );
  }
  return { claim: best.claim, subPath: best.subPath };
}
