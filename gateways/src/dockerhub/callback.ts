/**
 * Docker Hub's legacy webhook chains: each payload carries a `callback_url`, answered with the
 * outcome as `{state, description, context}`. Only Docker Hub's own hosts over HTTPS are ever called:
 * the URL comes from a request body, and must not turn Bosun into a way to reach arbitrary hosts.
 */
import type { ImagePushEvent, Run } from "@bosun/core";

export const DOCKER_HUB_CALLBACK_HOSTS: readonly string[] = ["registry.hub.docker.com", "hub.docker.com"];

export interface DockerHubCallback {
  url: string;
  body: { state: "success" | "failure" | "error"; description: string; context: string };
}

/** The callback to send for a finished run, or undefined when there is none to send (or none allowed). */
export function dockerHubCallback(event: ImagePushEvent, run: Run): DockerHubCallback | undefined {
  if (event.source !== "dockerhub" || run.status === "running") return undefined;
  let url: URL;
  try {
    const raw: unknown = (JSON.parse(event.payload) as { callback_url?: unknown }).callback_url;
    if (typeof raw !== "string") return undefined;
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.port !== "" || !DOCKER_HUB_CALLBACK_HOSTS.includes(url.hostname))
    return undefined;
  const state =
    run.status === "succeeded"
      ? "success"
      : run.status === "cancelled" || run.status === "abandoned"
        ? "error"
        : "failure";
  const why = run.error ? `: ${run.error.message}` : "";
  return {
    url: url.href,
    // Docker Hub's limits: description 255 characters, context 100.
    body: {
      state,
      description: `Bosun run ${run.id} ${run.status}${why}`.slice(0, 255),
      context: `Bosun project ${run.project}`.slice(0, 100),
    },
  };
}
