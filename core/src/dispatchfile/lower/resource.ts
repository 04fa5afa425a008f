/** `resource: { name: { type, param(s), secrets } }` → Resource. */
import type { Resource, ResourceSecret, ResourceType } from "../model.js";
import type { Node } from "../tree.js";
import { defineEntry, type Path, type Reader } from "./reader.js";

const TYPES: readonly ResourceType[] = ["git", "image", "storage"];
const TYPES_TEXT = TYPES.map((t) => `"${t}"`).join(", ");

export function lowerResource(read: Reader, name: string, node: Node, path: Path): Resource | undefined {
  const struct = read.struct(node, path, "a resource: { type, param: {...} }");
  if (!struct) return undefined;
  const resource: Resource = { type: "git", params: {}, secrets: [] };
  const params = (v: Node, p: Path) => {
    for (const [key, field, fp] of read.entries(v, p, "a struct of string parameters")) {
      const value = read.string(field.value, fp, "a string (quote numbers and booleans)");
      if (value !== undefined) defineEntry(resource.params, key, value);
    }
  };
  read.fields(struct, path, {
    type: (v, p) => {
      const type = read.string(v, p, `one of ${TYPES_TEXT}`);
      if (type === undefined) return;
      if ((TYPES as readonly string[]).includes(type)) resource.type = type as ResourceType;
      else
        read.problem(
          "DISPATCHFILE_INVALID",
          v.pos,
          p,
          `unknown resource type "${type}"`,
          `one of ${TYPES_TEXT}`,
          JSON.stringify(type),
        );
    },
    param: params,
    params,
    secrets: (v, p) => {
      resource.secrets = read
        .list(v, p, "a list of { fieldName, secretName, secretKey }")
        .flatMap(([s, sp]) => lowerSecret(read, s, sp) ?? []);
    },
  });
  if (!struct.fields.has("type"))
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.pos,
      path,
      `resource "${name}" has no type`,
      `type: one of ${TYPES_TEXT}`,
    );
  return resource;
}

function lowerSecret(read: Reader, node: Node, path: Path): ResourceSecret | undefined {
  const struct = read.struct(node, path, "{ fieldName, secretName, secretKey }");
  if (!struct) return undefined;
  const secret: ResourceSecret = { fieldName: "", secretName: "", secretKey: "" };
  read.fields(struct, path, {
    fieldName: (v, p) => (secret.fieldName = read.string(v, p) ?? ""),
    secretName: (v, p) => (secret.secretName = read.string(v, p) ?? ""),
    secretKey: (v, p) => (secret.secretKey = read.string(v, p) ?? ""),
  });
  for (const key of ["fieldName", "secretName", "secretKey"] as const)
    if (!struct.fields.has(key))
      read.problem("DISPATCHFILE_INVALID", struct.pos, path, `resource secret without ${key}`, `${key}: ...`);
  return secret;
}
