/**
 * Tokens of Dispatch's CUE dialect, and of JSON (a subset: no comments, no interpolation, no
 * multi-line strings). Every token knows where it starts and ends and whether a line break precedes
 * it, because in CUE a line break ends a field.
 */
import { SourceError, type Pos } from "../tree.js";

export type TokenKind = "string" | "number" | "ident" | "punct" | "eof";

/** `\(name.field)` inside a CUE string. */
export interface Interpolation {
  path: string[];
  pos: Pos;
}

export interface Token {
  kind: TokenKind;
  /** string: the decoded value (without interpolations); number: the source text; others: as written. */
  text: string;
  /** Strings with `\(...)`: literal pieces and references, in order. */
  parts?: (string | Interpolation)[];
  pos: Pos;
  end: Pos;
  newlineBefore: boolean;
}

const PUNCT = new Set([
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  ":",
  ",",
  "+",
  ".",
  "|",
  "&",
  "*",
  "=",
  "?",
  "!",
  "<",
  ">",
  "-",
  "/",
  "%",
  "@",
  ";",
]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

export function tokenize(text: string, mode: "cue" | "json"): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let newlineBefore = false;
  const here = (): Pos => ({ line, column: i - lineStart + 1 });
  const push = (kind: TokenKind, tokenText: string, pos: Pos, parts?: (string | Interpolation)[]) => {
    const token: Token = { kind, text: tokenText, pos, end: here(), newlineBefore };
    if (parts) token.parts = parts;
    tokens.push(token);
    newlineBefore = false;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      newlineBefore = true;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      if (mode === "json")
        throw new SourceError("comments are not allowed in JSON", here(), "a JSON value", '"//"');
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"') {
      const pos = here();
      if (mode === "cue" && text.startsWith('"""', i)) {
        const s = readMultiline(text, i, pos);
        for (let k = i; k < s.end; k++) {
          if (text[k] === "\n") {
            line++;
            lineStart = k + 1;
          }
        }
        i = s.end;
        push("string", s.value, pos, s.parts);
      } else {
        const s = readString(text, i, pos, mode);
        i = s.end;
        push("string", s.value, pos, s.parts);
      }
    } else if (isDigit(c) || (c === "-" && isDigit(text[i + 1] ?? ""))) {
      const pos = here();
      const start = i;
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text)!;
      i += match[0].length;
      if (isIdentChar(text[i] ?? ""))
        throw new SourceError(
          "malformed number",
          pos,
          "a number such as 3 or 1.5",
          JSON.stringify(text.slice(start, i + 1)),
        );
      push("number", match[0], pos);
    } else if (isIdentStart(c)) {
      const pos = here();
      const start = i;
      while (i < text.length && isIdentChar(text[i]!)) i++;
      push("ident", text.slice(start, i), pos);
    } else if (c === "." && text.startsWith("...", i)) {
      const pos = here();
      i += 3;
      push("punct", "...", pos);
    } else if (PUNCT.has(c)) {
      const pos = here();
      i++;
      push("punct", c, pos);
    } else {
      throw new SourceError(
        `unexpected character ${JSON.stringify(c)}`,
        here(),
        mode === "json" ? "a JSON value" : "a label, value or punctuation",
        JSON.stringify(c),
      );
    }
  }
  push("eof", "", here());
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c === "$" || c === "#";
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

interface StringRead {
  value: string;
  parts?: (string | Interpolation)[];
  end: number;
}

/** A "..." string on one line. */
function readString(text: string, start: number, pos: Pos, mode: "cue" | "json"): StringRead {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
  if (i >= text.length || text[i] !== '"') {
    throw new SourceError(
      "unterminated string",
      pos,
      'a closing " on the same line',
      i >= text.length ? "end of file" : "end of line",
    );
  }
  return { ...decode(text.slice(start + 1, i), pos, mode), end: i + 1 };
}

/**
 * A """ string: starts on the line after the opening quotes and ends at a line holding only the
 * closing quotes; that line's indentation is removed from every line, as CUE does.
 */
function readMultiline(text: string, start: number, pos: Pos): StringRead {
  const bodyStart = text.indexOf("\n", start + 3);
  if (bodyStart < 0 || text.slice(start + 3, bodyStart).trim() !== "") {
    throw new SourceError(
      'a multi-line string must start on the line after """',
      pos,
      'a line break after """',
      JSON.stringify(text.slice(start + 3, bodyStart < 0 ? undefined : bodyStart)),
    );
  }
  const close = /^([ \t]*)"""/gm;
  close.lastIndex = bodyStart + 1;
  const m = close.exec(text);
  if (!m)
    throw new SourceError(
      "unterminated multi-line string",
      pos,
      'a line with the closing """',
      "end of file",
    );
  const indent = m[1]!;
  const raw = text.slice(bodyStart + 1, Math.max(bodyStart + 1, m.index - 1));
  const lines = raw === "" && m.index === bodyStart + 1 ? [] : raw.split("\n");
  const body = lines.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())).join("\n");
  return { ...decode(body, pos, "cue"), end: m.index + m[0].length };
}

function decode(
  raw: string,
  pos: Pos,
  mode: "cue" | "json",
): { value: string; parts?: (string | Interpolation)[] } {
  if (mode === "json" && hasControlCharacter(raw))
    throw new SourceError(
      "control character in string",
      pos,
      "an escape such as \\t or \\n",
      "a raw control character",
    );
  if (!raw.includes("\\")) return { value: raw };
  const parts: (string | Interpolation)[] = [];
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = raw[++i] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out += simple;
    else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (e === "(" && mode === "cue") {
      const close = raw.indexOf(")", i);
      const ref = close < 0 ? "" : raw.slice(i + 1, close).trim();
      if (!/^[A-Za-z_$#][\w$#]*(\.[A-Za-z_$#][\w$#]*)*$/.test(ref)) {
        throw new SourceError(
          "unsupported interpolation",
          pos,
          "\\(name) or \\(name.field)",
          JSON.stringify(`\\(${close < 0 ? raw.slice(i + 1) : raw.slice(i + 1, close)})`),
          true,
        );
      }
      parts.push(out, { path: ref.split("."), pos });
      out = "";
      i = close;
    } else {
      throw new SourceError(
        `unknown escape "\\${e}" in string`,
        pos,
        mode === "json"
          ? 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX'
          : 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX \\(name)',
        JSON.stringify(`\\${e}`),
      );
    }
  }
  if (parts.length === 0) return { value: out };
  parts.push(out);
  return { value: parts.filter((p) => typeof p === "string").join(""), parts };
}

/** JSON strings may not hold raw tabs or other characters below U+0020. */
function hasControlCharacter(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) < 0x20) return true;
  return false;
}

/** How a token reads in "found ..." of a message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of file";
    case "string":
      return token.text.length > 40
        ? `${JSON.stringify(token.text.slice(0, 37))}...`
        : JSON.stringify(token.text);
    case "number":
      return token.text;
    case "ident":
      return token.text;
    case "punct":
      return `"${token.text}"`;
  }
}
