/**
 * One ACR event in the webhook shape. Image pushes and deletes name the registry in `request.host`;
 * Helm chart events have no `request`, so their host is the configured one or a placeholder.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { Json, JsonObject } from "../common/json.js";
import { checkedValue, field, isObject, malformed, optionalString } from "../common/json.js";
import { digestProblem, hostProblem, pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import { rfc3339 } from "../common/time.js";
import type { PushOutcome } from "../common/outcome.js";

export const ACR_TITLE = "Azure Container Registry";
export const ACR_CHART_MEDIA_TYPE = "application/vnd.acr.helm.chart";
/** The host of chart events when the webhook URL has no `?registry=`: `.invalid` never resolves. */
export const ACR_PLACEHOLDER_HOST = "azurecr.invalid";

/** Where the host comes from when the event does not name it. */
export interface HostFallback {
  /** From `?registry=` on the webhook URL. */
  configured?: string | undefined;
}

/** One webhook-shaped event; `path` is where it sits in the body ("" for a bare webhook). */
export function readAcrEvent(
  event: JsonObject,
  path: string,
  action: string,
  fallback: HostFallback,
  envelopeId?: string,
): Result<PushOutcome> {
  const ignore = (reason: string): Result<PushOutcome> => ({ value: { ignored: { path, reason } } });
  const context: EventContext = { event, path, fallback, envelopeId };
  switch (action) {
    case "push":
      return readImageEvent(context, "image_push");
    case "delete":
      return readImageEvent(context, "image_delete");
    case "chart_push":
      return readChartEvent(context, "image_push");
    case "chart_delete":
      return readChartEvent(context, "image_delete");
    case "ping":
      return ignore("ping from the Azure portal or CLI");
    case "quarantine":
      // With quarantine on, the image cannot be pulled yet; ACR sends `push` once it is released.
      return ignore("quarantine: the image is not pullable until it passes; a push event follows");
    default:
      return ignore(`unknown action ${JSON.stringify(action.slice(0, 40))}`);
  }
}

interface EventContext {
  event: JsonObject;
  path: string;
  fallback: HostFallback;
  envelopeId: string | undefined;
}

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** push: repository, digest and (unless pushed by digest) tag. delete: repository, maybe a digest. */
function readImageEvent(
  { event, path, fallback, envelopeId }: EventContext,
  type: EventType,
): Result<PushOutcome> {
  const target = field(event, "target");
  if (!isObject(target)) {
    return { errors: [malformed(at(path, "target"), "an object with repository and digest", target)] };
  }
  const errors: Problem[] = [];
  const where = at(path, "target");
  const repository = checked(target, "repository", where, repositoryProblem, errors, true);
  const digest = checked(target, "digest", where, digestProblem, errors, type === "image_push");
  // ACR sends no tag on deletes ("not triggered when a tag is deleted"); an empty tag is a digest push.
  const tag = type === "image_push" ? checked(target, "tag", where, tagProblem, errors, false) : undefined;
  const request = field(event, "request");
  const host = hostOf(
    isObject(request) ? field(request, "host") : undefined,
    at(path, "request.host"),
    errors,
    fallback,
  );
  if (errors.length > 0 || repository === undefined || host === undefined) return { errors };
  const push = pushOf(
    type,
    {
      registry: host,
      repository,
      tag,
      digest,
      mediaType: type === "image_push" ? optionalString(target, "mediaType") : undefined,
      pushedAt: rfc3339(field(event, "timestamp")),
    },
    optionalString(event, "id") ?? envelopeId,
  );
  return { value: { push } };
}

/** A Helm chart in ACR's legacy chart repository: the chart name is the repository, its version the tag. */
function readChartEvent(
  { event, path, fallback, envelopeId }: EventContext,
  type: EventType,
): Result<PushOutcome> {
  const target = field(event, "target");
  if (!isObject(target)) {
    return { errors: [malformed(at(path, "target"), "an object with name and version", target)] };
  }
  const errors: Problem[] = [];
  const where = at(path, "target");
  const name = checked(target, "name", where, repositoryProblem, errors, true);
  const rawVersion = field(target, "version");
  // Microsoft's sample sends "5.4.0.tgz": the file suffix is not part of the chart version.
  const version = typeof rawVersion === "string" ? rawVersion.replace(/\.tgz$/i, "") : rawVersion;
  const tag = checkedValue(version, "version", `${where}.version`, tagProblem, errors, true);
  const digest = checked(target, "digest", where, digestProblem, errors, false);
  const request = field(event, "request");
  const host = isObject(request)
    ? hostOf(field(request, "host"), at(path, "request.host"), errors, fallback)
    : (fallback.configured ?? ACR_PLACEHOLDER_HOST);
  if (errors.length > 0 || name === undefined || host === undefined) return { errors };
  const push = pushOf(
    type,
    {
      registry: host,
      repository: name,
      tag,
      digest,
      mediaType:
        type === "image_push" ? (optionalString(target, "mediaType") ?? ACR_CHART_MEDIA_TYPE) : undefined,
      pushedAt: rfc3339(field(event, "timestamp")),
    },
    optionalString(event, "id") ?? envelopeId,
  );
  return { value: { push } };
}

/** `request.host`, else the configured `?registry=`; neither is a 400 naming request.host. */
function hostOf(
  value: Json | undefined,
  path: string,
  errors: Problem[],
  fallback: HostFallback,
): string | undefined {
  if ((value === undefined || value === "") && fallback.configured !== undefined) return fallback.configured;
  if (typeof value !== "string" || value === "") {
    errors.push(
      malformed(
        path,
        "the registry host, e.g. myregistry.azurecr.io (or ?registry= on the webhook URL)",
        value,
      ),
    );
    return undefined;
  }
  const bad = hostProblem(value, path);
  if (bad) errors.push(bad);
  return bad ? undefined : value;
}

function checked(
  object: JsonObject,
  key: string,
  where: string,
  check: (value: string, path: string) => Problem | undefined,
  errors: Problem[],
  required: boolean,
): string | undefined {
  return checkedValue(field(object, key), key, `${where}.${key}`, check, errors, required);
}
