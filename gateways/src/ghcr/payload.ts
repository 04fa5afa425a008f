/**
 * GitHub `package` and `registry_package` webhooks (the same package object under either key).
 * Published or updated container versions become pushes on ghcr.io; other packages (npm, Maven...),
 * other actions and other GitHub events are ignored. Bodies come as JSON or, when the webhook is set
 * to form encoding, as JSON in the `payload` form field.
 */
import type { Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { decodeObject, field, isObject, malformed, optionalString, problem } from "../common/json.js";
import { singleHeader } from "../common/headers.js";
import { mediaTypeOf } from "../http/content-type.js";
import type { ParsedDelivery, RequestWithBody } from "../registry.js";
import { readContainerVersion } from "./container.js";

export const GHCR_TITLE = "GitHub Container Registry";
export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

const PACKAGE_EVENTS = ["package", "registry_package"] as const;
/** `create` is what the GHCR beta sent before `published`. */
const PUSH_ACTIONS: ReadonlySet<string> = new Set(["published", "updated", "create"]);
const CONTAINER_TYPES: ReadonlySet<string> = new Set(["container", "docker"]);

export function parseGhcrDelivery(request: RequestWithBody): Result<ParsedDelivery> {
  const event = singleHeader(request.headers, "x-github-event");
  const ignoreAll = (reason: string): Result<ParsedDelivery> => ({
    value: { pushes: [], ignored: [{ path: "", reason }] },
  });
  if (event === "ping") return ignoreAll("GitHub ping: the webhook is set up");
  if (event !== undefined && !(PACKAGE_EVENTS as readonly string[]).includes(event)) {
    return ignoreAll(`X-GitHub-Event ${JSON.stringify(event.slice(0, 40))} is not a package event`);
  }
  const json = jsonBody(request);
  if (json.errors) return json;
  const decoded = decodeObject(json.value, "GitHub", "with action and package (or registry_package)");
  if (decoded.errors) return decoded;
  const root = decoded.value;

  const action = field(root, "action");
  if (typeof action !== "string") return { errors: [malformed("action", "published or updated", action)] };
  if (!PUSH_ACTIONS.has(action)) return ignoreAll(`package ${action.slice(0, 40)}, not a published version`);
  const key = packageKey(root, event);
  const pkg = field(root, key);
  if (!isObject(pkg)) return { errors: [malformed(key, "the package object", pkg)] };
  const kind = containerKind(pkg, key);
  if (kind.errors) return kind;
  if (!kind.value.container)
    return ignoreAll(`${kind.value.type.slice(0, 40)} package, not a container image`);

  const sender = field(root, "sender");
  const push = readContainerVersion(pkg, key, {
    pusher: isObject(sender) ? optionalString(sender, "login") : undefined,
  });
  return push.errors ? push : { value: { pushes: push.value, ignored: [] } };
}

/** The key the header names, else whichever of the two the body has. */
function packageKey(root: JsonObject, event: string | undefined): string {
  const keys = event === undefined ? PACKAGE_EVENTS : [event, ...PACKAGE_EVENTS];
  return keys.find((key) => field(root, key) !== undefined) ?? keys[0] ?? "package";
}

/**
 * A container when `package_type` or `ecosystem` says so (CONTAINER for ghcr.io, docker for the older
 * docker.pkg.github.com): GitHub's own examples mix the two, e.g. package_type npm with ecosystem docker.
 */
function containerKind(pkg: JsonObject, key: string): Result<{ container: boolean; type: string }> {
  const packageType = field(pkg, "package_type");
  const ecosystem = field(pkg, "ecosystem");
  const named = [packageType, ecosystem].filter((v): v is string => typeof v === "string" && v !== "");
  if (named.length === 0) {
    return { errors: [malformed(`${key}.package_type`, "CONTAINER, docker, npm, ...", packageType)] };
  }
  const container = named.some((v) => CONTAINER_TYPES.has(v.toLowerCase()));
  return { value: { container, type: named[0] ?? "" } };
}

/** The JSON document: the body itself, or the `payload` field of a form-encoded body. */
function jsonBody(request: RequestWithBody): Result<Buffer> {
  const contentType = singleHeader(request.headers, "content-type");
  if (contentType === undefined || mediaTypeOf(contentType) !== FORM_CONTENT_TYPE)
    return { value: request.body };
  const values = new URLSearchParams(request.body.toString("utf8")).getAll("payload");
  const [payload] = values;
  if (values.length !== 1 || payload === undefined) {
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", "A form-encoded GitHub webhook carries its JSON in one payload field.", {
          path: "payload",
          expected: "one payload form field",
          found: `${values.length} payload fields`,
        }),
      ],
    };
  }
  return { value: Buffer.from(payload, "utf8") };
}
