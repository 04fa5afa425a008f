/**
 * Every regular expression in the sources runs in linear time: a pattern that backtracks on long input
 * lets whoever controls that input (a script, a webhook, an API call) stall the server. Literals are
 * analysed; a RegExp built at run time must be listed here with why it is safe.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { backtracking } from "../src/linear-regex.js";
/** core/dist/test → the repository root. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const WORKSPACES = ["core", "sdk", "dispatchfile", "store", "gateways", "executors", "worker", "cli"];

/** RegExps built from non-literals, each reviewed. */
const BUILT_AT_RUN_TIME: Record<string, string> = {
  "core/src/config/schema.ts": "compiles a configured tag pattern only to check it",
  "core/src/subscriptions/match.ts": "a configured tag pattern, refused at load when it backtracks",
  "core/src/subscriptions/tag-policy.ts":
    "a configured tag policy's pattern, refused at load when it backtracks",
  "core/src/redact.ts": "an alternation of escaped secret values: literal text, no quantifier",
  "worker/src/sandbox/isolated/stack.ts": "a constant file name, escaped, and digit runs",
};

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

interface Found {
  at: string;
  literal?: { source: string; flags: string };
  built?: string;
}

function regexesIn(path: string): Found[] {
  const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const at = (node: ts.Node) =>
    `${relative(REPO_ROOT, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText();
      const end = text.lastIndexOf("/");
      found.push({ at: at(node), literal: { source: text.slice(1, end), flags: text.slice(end + 1) } });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      node.expression.getText() === "RegExp"
    ) {
      found.push({ at: at(node), built: node.getText() });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const all = WORKSPACES.flatMap((ws) => [...sourceFiles(join(REPO_ROOT, ws, "src"))].flatMap(regexesIn));

describe("regular expressions run in linear time", () => {
  it("finds the sources' regular expressions", () => {
    expect(all.filter((f) => f.literal).length).to.be.above(50);
  });

  it("no regular expression literal in the sources backtracks super-linearly", () => {
    const problems = all.flatMap(({ at, literal }) => {
      if (!literal) return [];
      const problem = backtracking(literal.source, literal.flags);
      return problem === undefined ? [] : [`${at} /${literal.source}/${literal.flags}: ${problem}`];
    });
    expect(problems).to.deep.equal([]);
  });

  it("every RegExp built at run time is one reviewed here", () => {
    const unreviewed = all.filter((f) => f.built && !(f.at.split(":")[0]! in BUILT_AT_RUN_TIME));
    expect(unreviewed.map((f) => `${f.at}: ${f.built}`)).to.deep.equal([]);
  });

  it("the check itself catches nested, overlapping and retried quantifiers", () => {
    expect(backtracking("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])+$")).to.include("exponential");
    expect(backtracking("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")).to.include("polynomial");
    expect(backtracking("-+$")).to.include("retried");
    expect(backtracking("-+$", "", { allowMove: true })).to.equal(undefined);
    expect(backtracking("^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$")).to.equal(undefined);
  });
});
