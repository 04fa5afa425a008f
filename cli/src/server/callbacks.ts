/** Answers registries' callback URLs with a run's outcome, for projects that enable it. */
import type { ProjectConfig, Run } from "@bosun/core";
import type { StoredEvent } from "@bosun/store";
import { dockerHubCallback } from "@bosun/gateways";
import type { Logger } from "./logger.js";

export type Poster = (url: string, init: RequestInit) => Promise<Response>;

const TIMEOUT_MS = 10_000;

export function createCallbackSender(logger: Logger | undefined, post: Poster = fetch) {
  return async (run: Run, event: StoredEvent, project: ProjectConfig): Promise<void> => {
    if (!project.callbacks?.dockerhub) return;
    if (!event.image) return;
    const callback = dockerHubCallback(event, run);
    if (!callback) return;
    // The callback URL holds Docker Hub's hook token: log its host only.
    const host = new URL(callback.url).host;
    try {
      const res = await post(callback.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(callback.body),
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) logger?.warn({ run: run.id, host, status: res.status }, "callback refused");
    } catch (err) {
      logger?.warn({ run: run.id, host, error: (err as Error).message }, "callback failed");
    }
  };
}
