/** PATCH bodies: JSON Patch (RFC 6902: add, replace, remove, test) and JSON merge patch (RFC 7386). */
import { ApiError } from "./validate.js";

type Json = unknown;
type Container = Record<string, Json> | Json[];

function unescape(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function applyJsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new ApiError(400, "BadRequest", "a JSON patch must be an array of operations");
  const out = structuredClone(doc);
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; value?: Json };
    const parts = String(op.path ?? "")
      .split("/")
      .slice(1)
      .map(unescape);
    const last = parts.pop();
    if (last === undefined) throw invalidPatch(`path ${JSON.stringify(op.path)} is not valid`);
    let parent: Json = out;
    for (const p of parts) {
      parent = (parent as Record<string, Json> | undefined)?.[p];
      if (parent === null || typeof parent !== "object") throw invalidPatch(`path ${op.path} does not exist`);
    }
    const target = parent as Container;
    const index = Array.isArray(target) ? (last === "-" ? target.length : Number(last)) : undefined;
    switch (op.op) {
      case "add":
        if (Array.isArray(target)) target.splice(index ?? 0, 0, op.value);
        else target[last] = op.value;
        break;
      case "replace":
      case "remove": {
        const exists = Array.isArray(target) ? (index ?? -1) < target.length : last in target;
        if (!exists) throw invalidPatch(`path ${op.path} does not exist`);
        if (Array.isArray(target)) target.splice(index ?? 0, 1, ...(op.op === "replace" ? [op.value] : []));
        else if (op.op === "replace") target[last] = op.value;
        else delete target[last];
        break;
      }
      case "test": {
        const current = Array.isArray(target) ? target[index ?? 0] : target[last];
        if (JSON.stringify(current) !== JSON.stringify(op.value))
          throw invalidPatch(`test at ${op.path} failed`);
        break;
      }
      default:
        throw invalidPatch(`operation ${JSON.stringify(op.op)} is not implemented by the stand-in`);
    }
  }
  return out;
}

export function applyMergePatch(doc: Json, patch: Json): Json {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, Json> =
    doc && typeof doc === "object" && !Array.isArray(doc) ? structuredClone(doc as Record<string, Json>) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function invalidPatch(message: string): ApiError {
  return new ApiError(
    422,
    "Invalid",
    `the server rejected our request due to an error in our request: ${message}`,
  );
}
