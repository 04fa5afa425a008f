/**
 * A fast first reading of YAML Dispatchfiles with js-yaml (about ten times quicker than the `yaml`
 * package's document model), without positions. It is only trusted for files that read cleanly: when
 * js-yaml refuses the text, or the model has any problem or warning, the file is read again by
 * readYaml so that every message keeps its line and column.
 */
import { CORE_SCHEMA, load } from "js-yaml";
import type { Field, Node, Pos } from "../tree.js";

/** Where nodes of the fast reading are said to be; never shown, as such readings are redone. */
const NOWHERE: Pos = Object.freeze({ line: 0, column: 0 }) as Pos;

/** The value tree, or undefined when js-yaml refuses the text (readYaml then says why, with a position). */
export function readYamlFast(text: string): Node | undefined {
  let value: unknown;
  try {
    // CORE_SCHEMA: YAML 1.2's core types, as readYaml's `yaml` package uses (no timestamps, `on` a string).
    value = load(text, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  return value === undefined ? { kind: "struct", fields: new Map(), pos: NOWHERE } : toNode(value);
}

function toNode(value: unknown): Node | undefined {
  if (typeof value === "string") return { kind: "string", value, pos: NOWHERE };
  if (typeof value === "number") return { kind: "number", value, pos: NOWHERE };
  if (typeof value === "boolean") return { kind: "bool", value, pos: NOWHERE };
  if (value === null) return { kind: "null", pos: NOWHERE };
  if (Array.isArray(value)) {
    const items: Node[] = [];
    for (const item of value) {
      const node = toNode(item);
      if (!node) return undefined;
      items.push(node);
    }
    return { kind: "list", items, pos: NOWHERE };
  }
  if (typeof value === "object") {
    const fields = new Map<string, Field>();
    for (const [key, item] of Object.entries(value)) {
      const node = toNode(item);
      if (!node) return undefined;
      fields.set(key, { key: NOWHERE, value: node });
    }
    return { kind: "struct", fields, pos: NOWHERE };
  }
  // Anything else (a type the core schema should not make) is left to the full reading.
  return undefined;
}
