/**
 * Parser for Dispatch's CUE dialect: fields whose labels fold with spaces (`task "test": {...}`) or
 * colons (`on: image: push: {...}`), literals, lists with `...`, references with selectors, and `+`.
 * Newer CUE (disjunctions, comprehensions, pattern constraints) is refused by name.
 */
import { SourceError } from "../tree.js";
import { TYPE_NAMES, type Expr, type FieldDecl, type Label } from "./cue-ast.js";
import { describeToken, tokenize, type Token } from "./tokenizer.js";

const OPERATORS = new Map([
  ["|", "disjunctions (a | b)"],
  ["&", "unification (a & b)"],
  ["*", "default markers (*a)"],
  ["-", "arithmetic operators"],
  ["/", "arithmetic operators"],
  ["=", "aliases (X=a)"],
  ["<", "bounds (<a)"],
  [">", "bounds (>a)"],
]);
const KEYWORDS = new Map([
  ["import", "imports"],
  ["let", "let clauses"],
  ["for", "comprehensions (for)"],
  ["if", "comprehensions (if)"],
]);

/** The file as one struct literal: its fields, or the single `{...}` it consists of (as JSON is). */
export function parseCue(text: string): Expr & { kind: "struct" } {
  return new CueParser(tokenize(text, "cue")).file();
}

class CueParser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  file(): Expr & { kind: "struct" } {
    const start = this.peek().pos;
    // `package name` says where the file belongs in a CUE module: nothing to evaluate.
    if (
      this.isIdent("package") &&
      this.peek(1).kind === "ident" &&
      (this.peek(2).newlineBefore || this.peek(2).kind === "eof")
    )
      this.i += 2;
    if (this.isPunct("{")) {
      const body = this.struct();
      if (this.peek().kind !== "eof") this.unexpected('end of file after the closing "}"');
      return body;
    }
    return { kind: "struct", fields: this.fields(undefined), pos: start };
  }

  /** Fields up to `}` (or the end of the file at top level), separated by commas or line breaks. */
  private fields(open: Token | undefined): FieldDecl[] {
    const fields: FieldDecl[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") {
        if (open) throw new SourceError('unclosed "{"', open.pos, '"}"', "end of file");
        return fields;
      }
      if (open && this.isPunct("}")) return fields;
      fields.push(this.field());
      const next = this.peek();
      if (next.kind === "punct" && next.text === ",") this.i++;
      else if (!(next.kind === "eof" || (open && this.isPunct("}")) || next.newlineBefore)) {
        throw new SourceError(
          'missing "," between fields',
          next.pos,
          '"," or a line break',
          describeToken(next),
        );
      }
    }
  }

  private field(): FieldDecl {
    const t = this.peek();
    const keyword = t.kind === "ident" ? KEYWORDS.get(t.text) : undefined;
    if (keyword && !(this.peek(1).kind === "punct" && this.peek(1).text === ":"))
      this.unsupported(keyword, t);
    if (t.kind === "punct" && t.text === "[") this.unsupported("pattern constraints ([string]: ...)", t);
    if (t.kind === "punct" && t.text === "(") this.unsupported("dynamic labels ((expr): ...)", t);
    if (t.kind === "punct" && t.text === "}") this.unexpected('a field label (this "}" has no matching "{")');
    const labels: Label[] = [this.label()];
    for (;;) {
      const next = this.peek();
      if (this.isLabelToken(next) && !next.newlineBefore) {
        labels.push(this.label()); // `task "test": ...`: labels folded with a space
        continue;
      }
      if (next.kind === "punct" && (next.text === "?" || next.text === "!") && !next.newlineBefore) {
        this.i++; // optional and required markers change nothing for concrete values
        continue;
      }
      if (!(next.kind === "punct" && next.text === ":") || next.newlineBefore) {
        const after = labels.at(-1)!;
        throw new SourceError(
          `missing ":" after label "${after.name}"`,
          next.newlineBefore || next.kind === "eof" ? this.tokens[this.i - 1]!.end : next.pos,
          '":"',
          next.newlineBefore ? "end of line" : describeToken(next),
        );
      }
      this.i++;
      if (!this.labelsFollow()) return { labels, value: this.expr() };
    }
  }

  /**
   * After a ":", true when more labels and another ":" follow (`on: image push: {...}`). A quoted
   * label followed by more labels on the line (`name: "a" image: ...`) reads as a value and a
   * missing comma instead, the likelier mistake.
   */
  private labelsFollow(): boolean {
    let j = this.i;
    while (this.isLabelToken(this.tokens[j]!) && (j === this.i || !this.tokens[j]!.newlineBefore)) j++;
    const end = this.tokens[j]!;
    if (!(j > this.i && end.kind === "punct" && end.text === ":" && !end.newlineBefore)) return false;
    for (let k = this.i; k < j - 1; k++) if (this.tokens[k]!.kind === "string") return false;
    return true;
  }

  private isLabelToken(t: Token): boolean {
    return t.kind === "ident" || (t.kind === "string" && !t.parts);
  }

  private label(): Label {
    const t = this.peek();
    if (t.kind === "string" && t.parts) this.unsupported("interpolated labels", t);
    if (!this.isLabelToken(t)) this.unexpected("a field label (a name or a quoted string)");
    this.i++;
    return { name: t.text, pos: t.pos, quoted: t.kind === "string" };
  }

  private expr(): Expr {
    let left = this.operand();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "punct" || t.newlineBefore) return left;
      if (t.text === "+") {
        this.i++;
        left = { kind: "join", left, right: this.operand(), pos: t.pos };
        continue;
      }
      const op = OPERATORS.get(t.text);
      if (op) this.unsupported(op, t);
      return left;
    }
  }

  private operand(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "string":
        this.i++;
        return t.parts
          ? { kind: "interpolation", parts: t.parts, pos: t.pos }
          : { kind: "literal", node: { kind: "string", value: t.text, pos: t.pos } };
      case "number":
        this.i++;
        return { kind: "literal", node: { kind: "number", value: Number(t.text), pos: t.pos } };
      case "ident":
        return this.reference();
      case "punct":
        if (t.text === "[") return this.list();
        if (t.text === "{") return this.struct();
        if (t.text === "(") {
          this.i++;
          const inner = this.expr();
          this.expectPunct(")", t);
          return inner;
        }
        if (OPERATORS.has(t.text)) this.unsupported(OPERATORS.get(t.text)!, t);
        break;
      case "eof":
        break;
    }
    return this.unexpected("a value");
  }

  private reference(): Expr {
    const t = this.tokens[this.i++]!;
    if (t.text === "true" || t.text === "false")
      return { kind: "literal", node: { kind: "bool", value: t.text === "true", pos: t.pos } };
    if (t.text === "null") return { kind: "literal", node: { kind: "null", pos: t.pos } };
    if (KEYWORDS.has(t.text)) this.unsupported(KEYWORDS.get(t.text)!, t);
    if (TYPE_NAMES.has(t.text)) return { kind: "type", name: t.text, pos: t.pos };
    const path = [t.text];
    while (this.isPunct(".") && !this.peek().newlineBefore) {
      this.i++;
      const sel = this.peek();
      if (sel.kind !== "ident") this.unexpected('a field name after "."');
      this.i++;
      path.push(sel.text);
    }
    const call = this.peek();
    // `on: pull_request()` appears in Dispatch's own tutorials, borrowed from its Starlark frontend.
    if (call.kind === "punct" && call.text === "(" && !call.newlineBefore)
      throw new SourceError(
        `function calls (${path.join(".")}(...)) are not supported in Dispatchfiles read by Bosun`,
        call.pos,
        `a value; for a condition without filters write ${path.join(".")}: {}`,
        '"("',
        true,
      );
    return { kind: "ref", path, pos: t.pos };
  }

  private list(): Expr {
    const open = this.tokens[this.i++]!;
    const items: Expr[] = [];
    let isOpen = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") throw new SourceError('unclosed "["', open.pos, '"]"', "end of file");
      if (this.isPunct("]")) break;
      if (isOpen) this.unexpected('"]" (nothing may follow "..." in a list)');
      if (this.isPunct("...")) {
        this.i++;
        isOpen = true;
        // `[...string]`: the element constraint says nothing about the values present.
        if (!this.isPunct("]") && !this.isPunct(",")) this.expr();
      } else items.push(this.expr());
      const next = this.peek();
      if (next.kind === "punct" && next.text === ",") this.i++;
      else if (!this.isPunct("]") && !next.newlineBefore) this.unexpected('"," or "]"');
    }
    this.i++;
    return { kind: "list", items, open: isOpen, pos: open.pos };
  }

  private struct(): Expr & { kind: "struct" } {
    const open = this.tokens[this.i++]!;
    const fields = this.fields(open);
    this.i++;
    return { kind: "struct", fields, pos: open.pos };
  }

  private expectPunct(text: string, open: Token): void {
    if (this.isPunct(text)) {
      this.i++;
      return;
    }
    if (this.peek().kind === "eof")
      throw new SourceError(`unclosed "${open.text}"`, open.pos, `"${text}"`, "end of file");
    this.unexpected(`"${text}"`);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }
  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.text === text;
  }
  private isIdent(text: string): boolean {
    const t = this.peek();
    return t.kind === "ident" && t.text === text;
  }

  private unexpected(expected: string): never {
    const t = this.peek();
    throw new SourceError(`unexpected ${describeToken(t)}`, t.pos, expected, describeToken(t));
  }

  private unsupported(what: string, t: Token): never {
    throw new SourceError(
      `${what} are not supported in Dispatchfiles read by Bosun`,
      t.pos,
      "Dispatch's CUE: fields, strings, numbers, lists, references and +",
      describeToken(t),
      true,
    );
  }
}
