/** `resource: { name: { type, param(s), secret(s) } }` → Resource. */
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
  const secrets = (v: Node, p: Path) => {
    resource.secrets.push(...lowerSecrets(read, v, p));
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
    // `secret "BOTO_CONFIG": {...}` in CUE files, as `param` is to `params`.
    secret: secrets,
    secrets,
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

/**
 * Dispatch's form, field name → Kubernetes SecretKeySelector (`BOTO_CONFIG: { name, key }`), or
 * Tekton's list of `{ fieldName, secretName, secretKey }`.
 */
function lowerSecrets(read: Reader, node: Node, path: Path): ResourceSecret[] {
  if (node.kind === "null") return [];
  if (node.kind === "list")
    return read.list(node, path, SECRETS).flatMap(([s, sp]) => lowerTektonSecret(read, s, sp) ?? []);
  return read.entries(node, path, SECRETS).flatMap(([fieldName, field, p]) => {
    const selector = lowerSecretKeySelector(read, fieldName, field.value, p);
    return selector ? [{ fieldName, ...selector }] : [];
  });
}

const SECRETS = 'secrets by field name: { BOTO_CONFIG: { name: "<secret>", key: "<key>" } }';

function lowerSecretKeySelector(
  read: Reader,
  fieldName: string,
  node: Node,
  path: Path,
): Omit<ResourceSecret, "fieldName"> | undefined {
  const struct = read.struct(node, path, '{ name: "<secret>", key: "<key>" }');
  if (!struct) return undefined;
  const selector = { secretName: "", secretKey: "" };
  read.fields(
    struct,
    path,
    {
      name: (v, p) => (selector.secretName = read.string(v, p, "the name of a Kubernetes secret") ?? ""),
      key: (v, p) => (selector.secretKey = read.string(v, p, "a key of the secret") ?? ""),
    },
    ["optional"],
  );
  for (const [key, what] of [
    ["name", "the secret's name"],
    ["key", "the key in the secret"],
  ] as const)
    if (!struct.fields.has(key))
      read.problem(
        "DISPATCHFILE_INVALID",
        struct.pos,
        path,
        `resource secret ${fieldName} without ${key}`,
        `${key}: ${what}`,
      );
  return selector;
}

function lowerTektonSecret(read: Reader, node: Node, path: Path): ResourceSecret | undefined {
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
