/** Strict JSON into the positioned value tree: no comments, no trailing commas, quoted keys only. */
import { SourceError, type Field, type Node } from "../tree.js";
import { describeToken, tokenize, type Token } from "./tokenizer.js";

export function readJson(text: string): Node {
  const tokens = tokenize(text, "json");
  let i = 0;
  const peek = (): Token => tokens[i]!;
  /** Moves past the current token, answering the node it made. */
  const next = (node: Node): Node => {
    i++;
    return node;
  };
  const isPunct = (t: Token, p: string) => t.kind === "punct" && t.text === p;
  const unexpected = (expected: string): never => {
    const t = peek();
    throw new SourceError(`JSON: unexpected ${describeToken(t)}`, t.pos, expected, describeToken(t));
  };
  const trailingComma = (comma: Token): never => {
    throw new SourceError(
      "JSON: trailing comma",
      comma.pos,
      `another value after ","`,
      describeToken(peek()),
    );
  };
  const unclosed = (open: Token, close: string): never => {
    throw new SourceError(`JSON: unclosed "${open.text}"`, open.pos, `"${close}"`, "end of file");
  };

  function value(): Node {
    const t = peek();
    if (t.kind === "string") return next({ kind: "string", value: t.text, pos: t.pos });
    if (t.kind === "number") return next({ kind: "number", value: Number(t.text), pos: t.pos });
    if (t.kind === "ident" && (t.text === "true" || t.text === "false"))
      return next({ kind: "bool", value: t.text === "true", pos: t.pos });
    if (t.kind === "ident" && t.text === "null") return next({ kind: "null", pos: t.pos });
    if (isPunct(t, "{")) return object();
    if (isPunct(t, "[")) return array();
    return unexpected("a JSON value (string, number, object, array, true, false or null)");
  }

  function object(): Node {
    const open = tokens[i++]!;
    const fields = new Map<string, Field>();
    if (isPunct(peek(), "}")) return next({ kind: "struct", fields, pos: open.pos });
    for (;;) {
      const key = peek();
      if (key.kind === "eof") unclosed(open, "}");
      if (key.kind !== "string") unexpected("a quoted property name");
      if (fields.has(key.text))
        throw new SourceError(
          `JSON: duplicate key "${key.text}"`,
          key.pos,
          "each key once per object",
          JSON.stringify(key.text),
        );
      i++;
      if (!isPunct(peek(), ":")) unexpected(`":" after "${key.text}"`);
      i++;
      fields.set(key.text, { key: key.pos, value: value() });
      const after = peek();
      if (isPunct(after, "}")) return next({ kind: "struct", fields, pos: open.pos });
      if (after.kind === "eof") unclosed(open, "}");
      if (!isPunct(after, ",")) unexpected('"," or "}"');
      i++;
      if (isPunct(peek(), "}")) trailingComma(after);
    }
  }

  function array(): Node {
    const open = tokens[i++]!;
    const items: Node[] = [];
    if (isPunct(peek(), "]")) return next({ kind: "list", items, pos: open.pos });
    for (;;) {
      if (peek().kind === "eof") unclosed(open, "]");
      items.push(value());
      const after = peek();
      if (isPunct(after, "]")) return next({ kind: "list", items, pos: open.pos });
      if (after.kind === "eof") unclosed(open, "]");
      if (!isPunct(after, ",")) unexpected('"," or "]"');
      i++;
      if (isPunct(peek(), "]")) trailingComma(after);
    }
  }

  const root = value();
  if (peek().kind !== "eof") unexpected("end of file after the JSON value");
  return root;
}
