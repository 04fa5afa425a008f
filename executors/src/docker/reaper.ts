/**
 * Removes job containers whose run is over: what a worker that died mid-job leaves behind. A container
 * is reaped only when it carries a run label and that run is no longer running (finished, or abandoned
 * once its event was claimed again), so a live job of another worker is never touched.
 */
import type { DockerClient } from "./client.js";
import { MANAGED_LABEL } from "./container-config.js";

export const RUN_LABEL = "bosun.run";

/** Resolves true while the run is still in progress. */
export type RunActive = (runId: string) => Promise<boolean>;

/** Returns how many containers were removed. */
export async function reapContainers(client: DockerClient, runActive: RunActive): Promise<number> {
  const containers = await client.listContainers({ [MANAGED_LABEL]: "true" });
  let removed = 0;
  for (const c of containers) {
    const runId = c.Labels?.[RUN_LABEL];
    if (!runId || (await runActive(runId))) continue;
    await client.removeContainer(c.Id);
    removed++;
  }
  return removed;
}
