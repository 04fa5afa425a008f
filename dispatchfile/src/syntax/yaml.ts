/** YAML (1.2, so `on:` stays a string) into the positioned value tree, through the `yaml` package. */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from "yaml";
import { SourceError, type Field, type Node, type Pos } from "../tree.js";

/** What each of the `yaml` package's error codes asks for, in the words of "expected ...". */
const EXPECTED: Record<string, string> = {
  TAB_AS_INDENT: "spaces for indentation",
  DUPLICATE_KEY: "each key once per mapping",
  BAD_INDENT: "consistent indentation",
  MISSING_CHAR: "a closing quote or bracket",
  MULTILINE_IMPLICIT_KEY: "a key and its colon on one line",
  BLOCK_AS_IMPLICIT_KEY: "a key and its colon on one line",
  MULTIPLE_DOCS: "a single YAML document",
  UNEXPECTED_TOKEN: "valid YAML",
};

export function readYaml(text: string): Node {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Pos => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const error = doc.errors[0];
  if (error) {
    const offset = error.pos[0];
    throw new SourceError(
      `YAML: ${error.message.split("\n")[0]}`,
      at(offset),
      EXPECTED[error.code] ?? "valid YAML",
      describeChar(text, offset),
    );
  }
  if (!doc.contents) return { kind: "struct", fields: new Map(), pos: { line: 1, column: 1 } };
  return convert(doc.contents, doc, at);
}

function convert(node: YamlNode, doc: Document, at: (offset: number) => Pos): Node {
  const pos = at(node.range?.[0] ?? 0);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target)
      throw new SourceError(
        `YAML: unknown alias *${node.source}`,
        pos,
        "an anchor defined earlier",
        `*${node.source}`,
      );
    return convert(target, doc, at);
  }
  if (isMap(node)) {
    const fields = new Map<string, Field>();
    for (const pair of node.items) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value === "object")
        throw new SourceError("YAML: keys must be plain values", pos, "a string key", "a collection");
      const name = String(key.value);
      const keyPos = at(key.range?.[0] ?? 0);
      const value = pair.value
        ? convert(pair.value as YamlNode, doc, at)
        : ({ kind: "null", pos: keyPos } as const);
      fields.set(name, { key: keyPos, value });
    }
    return { kind: "struct", fields, pos };
  }
  if (isSeq(node))
    return { kind: "list", items: node.items.map((item) => convert(item as YamlNode, doc, at)), pos };
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return { kind: "string", value: v, pos };
    if (typeof v === "number") return { kind: "number", value: v, pos };
    if (typeof v === "boolean") return { kind: "bool", value: v, pos };
    if (v === null || v === undefined) return { kind: "null", pos };
    return { kind: "string", value: String(v), pos };
  }
  throw new SourceError("YAML: unsupported node", pos, "a mapping, sequence or scalar", String(node));
}

function describeChar(text: string, offset: number): string {
  const c = text[offset];
  if (c === undefined) return "end of file";
  if (c === "\n") return "end of line";
  if (c === "\t") return "a tab";
  const word = /^\S+/.exec(text.slice(offset, offset + 20))?.[0] ?? c;
  return JSON.stringify(word);
}
