/**
 * What the API server checks before it stores an object: the official OpenAPI schemas (through
 * kubernetes-models, which validates against them), then a few of the server's own rules the schemas
 * cannot express (names, label syntax, env names, volume references, requests <= limits, Secret
 * keys). A refusal is an ApiError that the server turns into a Status object, as Kubernetes does.
 */
import { Pod, Secret } from "kubernetes-models/v1";

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; kind?: string; causes?: Cause[] },
  ) {
    super(message);
  }

  status(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function notFound(kind: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${kind.toLowerCase()}s "${name}" not found`, { name, kind });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** Throws a 422 naming every invalid field, as `Pod "x" is invalid: field: Invalid value: ...`. */
export function validateObject(kind: "Pod" | "Secret", obj: Record<string, unknown>): void {
  const causes = [...schemaCauses(kind, obj), ...(kind === "Pod" ? podRules(obj) : secretRules(obj))];
  if (causes.length === 0) return;
  const name = String((obj.metadata as { name?: unknown } | undefined)?.name ?? "");
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${kind} "${name}" is invalid: ${list.length > 1 ? `[${list.join(", ")}]` : list[0]}`;
  throw new ApiError(422, "Invalid", message, { name, kind, causes });
}

interface SchemaError {
  instancePath?: string;
  keyword?: string;
  message?: string;
}

function schemaCauses(kind: "Pod" | "Secret", obj: Record<string, unknown>): Cause[] {
  try {
    if (kind === "Pod") new Pod(obj as never).validate();
    else new Secret(obj as never).validate();
    return [];
  } catch (err) {
    const errors = ((err as { errors?: SchemaError[] }).errors ?? []).filter((e) => e.keyword !== "oneOf");
    if (errors.length === 0) return [cause("", err instanceof Error ? err.message : String(err))];
    // One cause per field: a quantity is "a number or a string of format quantity", say the latter.
    const byField = new Map<string, string>();
    for (const e of errors) {
      const field = fieldPath(e.instancePath ?? "");
      if (!byField.has(field) || e.keyword === "format") byField.set(field, e.message ?? "is invalid");
    }
    return [...byField].map(([field, message]) => cause(field, `Invalid value: ${message}`));
  }
}

/** "/spec/containers/0/image" → "spec.containers[0].image" */
function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function cause(field: string, message: string, reason = "FieldValueInvalid"): Cause {
  return { reason, message, field };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObj) : []);

function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && LABEL_VALUE.test(name);
}

function metadataRules(obj: Obj): Cause[] {
  const out: Cause[] = [];
  const meta = asObj(obj.metadata);
  const name = String(meta.name ?? "");
  if (!name)
    out.push(
      cause("metadata.name", "Required value: name or generateName is required", "FieldValueRequired"),
    );
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    out.push(
      cause(
        "metadata.name",
        `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      ),
    );
  }
  for (const [k, v] of Object.entries(asObj(meta.labels))) {
    if (!isQualifiedName(k))
      out.push(
        cause(
          "metadata.labels",
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      out.push(
        cause(
          "metadata.labels",
          `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
    }
  }
  for (const k of Object.keys(asObj(meta.annotations))) {
    if (!isQualifiedName(k))
      out.push(
        cause(
          "metadata.annotations",
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
  }
  return out;
}

function podRules(pod: Obj): Cause[] {
  const out = metadataRules(pod);
  const spec = asObj(pod.spec);
  const volumes = new Set<string>();
  asList(spec.volumes).forEach((v, i) => {
    const name = String(v.name ?? "");
    if (!DNS_LABEL.test(name)) out.push(cause(`spec.volumes[${i}].name`, `Invalid value: "${name}"`));
    if (volumes.has(name))
      out.push(cause(`spec.volumes[${i}].name`, `Duplicate value: "${name}"`, "FieldValueDuplicate"));
    volumes.add(name);
  });
  const restart = spec.restartPolicy;
  if (restart !== undefined && !["Always", "OnFailure", "Never"].includes(String(restart))) {
    out.push(
      cause("spec.restartPolicy", `Unsupported value: "${String(restart)}"`, "FieldValueNotSupported"),
    );
  }
  if (spec.activeDeadlineSeconds !== undefined && Number(spec.activeDeadlineSeconds) < 1) {
    out.push(
      cause("spec.activeDeadlineSeconds", "Invalid value: must be between 1 and 2147483647, inclusive"),
    );
  }
  const containers = asList(spec.containers);
  if (containers.length === 0) out.push(cause("spec.containers", "Required value", "FieldValueRequired"));
  const names = new Set<string>();
  const every = [
    ...containers.map((c, i) => ({ c, at: `spec.containers[${i}]`, init: false })),
    ...asList(spec.initContainers).map((c, i) => ({ c, at: `spec.initContainers[${i}]`, init: true })),
  ];
  every.forEach(({ c, at, init }) => {
    // Only an init container may have one, and then only Always (a sidecar).
    if (c.restartPolicy !== undefined && (!init || c.restartPolicy !== "Always")) {
      out.push(
        init
          ? cause(
              `${at}.restartPolicy`,
              `Unsupported value: "${String(c.restartPolicy)}"`,
              "FieldValueNotSupported",
            )
          : cause(
              `${at}.restartPolicy`,
              "Forbidden: may not be set for non-init containers",
              "FieldValueForbidden",
            ),
      );
    }
    const name = String(c.name ?? "");
    if (!DNS_LABEL.test(name)) out.push(cause(`${at}.name`, `Invalid value: "${name}"`));
    if (names.has(name)) out.push(cause(`${at}.name`, `Duplicate value: "${name}"`, "FieldValueDuplicate"));
    names.add(name);
    if (!c.image) out.push(cause(`${at}.image`, "Required value", "FieldValueRequired"));
    asList(c.env).forEach((e, j) => {
      const envName = String(e.name ?? "");
      if (!ENV_NAME.test(envName))
        out.push(
          cause(
            `${at}.env[${j}].name`,
            `Invalid value: "${envName}": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
          ),
        );
      if (e.value !== undefined && e.valueFrom !== undefined) {
        out.push(
          cause(`${at}.env[${j}].valueFrom`, "Invalid value: may not be specified when `value` is not empty"),
        );
      }
      const ref = asObj(asObj(e.valueFrom).secretKeyRef);
      if (e.valueFrom !== undefined && asObj(e.valueFrom).secretKeyRef !== undefined) {
        if (!ref.name)
          out.push(
            cause(`${at}.env[${j}].valueFrom.secretKeyRef.name`, "Required value", "FieldValueRequired"),
          );
        if (!ref.key || !SECRET_KEY.test(String(ref.key)))
          out.push(
            cause(`${at}.env[${j}].valueFrom.secretKeyRef.key`, `Invalid value: "${String(ref.key ?? "")}"`),
          );
      }
    });
    const paths = new Set<string>();
    asList(c.volumeMounts).forEach((m, j) => {
      const mat = `${at}.volumeMounts[${j}]`;
      if (!volumes.has(String(m.name)))
        out.push(cause(`${mat}.name`, `Not found: "${String(m.name)}"`, "FieldValueNotFound"));
      const path = String(m.mountPath ?? "");
      if (!path) out.push(cause(`${mat}.mountPath`, "Required value", "FieldValueRequired"));
      if (paths.has(path)) out.push(cause(`${mat}.mountPath`, `Invalid value: "${path}": must be unique`));
      paths.add(path);
      const sub = m.subPath === undefined ? "" : String(m.subPath);
      if (sub.startsWith("/"))
        out.push(cause(`${mat}.subPath`, `Invalid value: "${sub}": must be a relative path`));
      if (sub.split("/").includes(".."))
        out.push(cause(`${mat}.subPath`, `Invalid value: "${sub}": must not contain '..'`));
    });
    const resources = asObj(c.resources);
    const limits = asObj(resources.limits);
    for (const [res, request] of Object.entries(asObj(resources.requests))) {
      const limit = limits[res];
      const r = quantity(request);
      const l = limit === undefined ? undefined : quantity(limit);
      if (r !== undefined && l !== undefined && r > l) {
        out.push(
          cause(
            `${at}.resources.requests`,
            `Invalid value: "${String(request)}": must be less than or equal to ${res} limit of ${String(limit)}`,
          ),
        );
      }
    }
  });
  return out;
}

function secretRules(secret: Obj): Cause[] {
  const out = metadataRules(secret);
  let size = 0;
  for (const [k, v] of Object.entries({ ...asObj(secret.data), ...asObj(secret.stringData) })) {
    if (!SECRET_KEY.test(k))
      out.push(
        cause(
          `data[${k}]`,
          `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
        ),
      );
    size += String(v).length;
  }
  if (size > 1024 * 1024)
    out.push(cause("data", "Too long: must have at most 1048576 bytes", "FieldValueTooLong"));
  if (secret.type === "kubernetes.io/dockerconfigjson") {
    const raw = asObj(secret.data)[".dockerconfigjson"];
    const text =
      raw === undefined
        ? asObj(secret.stringData)[".dockerconfigjson"]
        : Buffer.from(String(raw), "base64").toString();
    if (text === undefined)
      out.push(cause("data[.dockerconfigjson]", "Required value", "FieldValueRequired"));
    else {
      try {
        JSON.parse(String(text));
      } catch {
        out.push(cause("data[.dockerconfigjson]", "Invalid value: invalid JSON"));
      }
    }
  }
  return out;
}

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A resource quantity ("250m", "1.5Gi", "2e3") as a number; undefined when it is not one. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(
    String(value),
  );
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] ? Number(`1${m[2]}`) : (SUFFIX[m[3] ?? ""] ?? 1));
  return Number.isFinite(n) ? n : undefined;
}
