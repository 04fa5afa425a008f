/**
 * Everything that can go wrong between the executor and the API server, as a job failure with a
 * code a person can act on: missing permissions, a missing namespace, a name conflict, an object the
 * server refuses, or a server that cannot be reached.
 */
import { ApiException } from "@kubernetes/client-node";
import { BosunError, type ErrorCode } from "@bosun/core";

/** The registry's KUBERNETES_* codes, and the executor codes every executor shares. */
export type KubernetesErrorCode =
  Extract<ErrorCode, `KUBERNETES_${string}`> | "EXECUTOR_UNAVAILABLE" | "IMAGE_PULL_FAILED" | "INTERNAL";

export class KubernetesJobError extends BosunError {
  declare readonly code: KubernetesErrorCode;
  constructor(code: KubernetesErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, [], options);
    this.name = "KubernetesJobError";
  }
}

/** Thrown for a spec that cannot become a valid pod. */
export class PodSpecError extends KubernetesJobError {
  constructor(message: string) {
    super("KUBERNETES_INVALID_JOB", message);
  }
}

const BY_STATUS: Record<number, KubernetesErrorCode> = {
  401: "KUBERNETES_UNAUTHORIZED",
  403: "KUBERNETES_FORBIDDEN",
  404: "KUBERNETES_NOT_FOUND",
  409: "KUBERNETES_CONFLICT",
  422: "KUBERNETES_INVALID",
};

/** The HTTP status of a failed call: ApiException from the typed API, `statusCode` from Watch. */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The server's own explanation: the `message` of the Status object it sent back, when there is one. */
function serverMessage(body: unknown): string | undefined {
  let status = body;
  if (typeof body === "string") {
    try {
      status = JSON.parse(body);
    } catch {
      return body.trim() || undefined;
    }
  }
  const message = (status as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : undefined;
}

/** `doing` says what was attempted, e.g. "creating pod bosun-x in namespace jobs". */
export function apiError(err: unknown, doing: string, server: string): KubernetesJobError {
  if (err instanceof KubernetesJobError) return err;
  const status = statusOf(err);
  if (status !== undefined) {
    // An ApiException's own message repeats the whole response; the Status message is what matters.
    const fallback = !(err instanceof ApiException) && err instanceof Error ? err.message : "";
    const why =
      serverMessage(err instanceof ApiException ? err.body : undefined) ?? (fallback || "no details");
    const code = BY_STATUS[status] ?? "KUBERNETES_API_ERROR";
    return new KubernetesJobError(code, `${doing}: ${why} (HTTP ${status})`, { cause: err });
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail =
    (typeof cause?.code === "string" ? cause.code : undefined) ??
    (err instanceof Error ? err.message : String(err));
  return new KubernetesJobError(
    "EXECUTOR_UNAVAILABLE",
    `${doing}: the Kubernetes API at ${server} cannot be reached (${detail})`,
    { cause: err },
  );
}
