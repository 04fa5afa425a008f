/**
 * The error registry, its HTTP mapping and docs/errors.md stay in step: one set of codes, each with a
 * declared status (or none), documented with the same status and meaning.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { ERROR_CODES, isErrorCode, type ErrorCode } from "../src/error-codes.js";
import { BosunError, StoreUnavailableError } from "../src/errors.js";
import { failureAnswerOf, httpErrorOf, RETRY_AFTER_SECONDS } from "../src/http-errors.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const DOC = readFileSync(join(ROOT, "docs", "errors.md"), "utf8");

interface DocRow {
  http: number | null;
  meaning: string;
}

/** The table rows of docs/errors.md: | `CODE` | status or — | meaning | what to do |. */
function documented(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const line of DOC.split("\n")) {
    const cells = /^\|\s*`([A-Z_]+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$/.exec(line);
    if (!cells) continue;
    const [, code = "", http = "", meaning = "", todo = ""] = cells;
    expect(rows.has(code), `${code} documented twice`).to.equal(false);
    expect(todo.trim(), `${code}: what to do`).to.not.equal("");
    rows.set(code, { http: http.trim() === "—" ? null : Number(http.trim()), meaning: meaning.trim() });
  }
  return rows;
}

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe("error codes: registry, HTTP mapping and docs/errors.md", () => {
  it("documents every registered code, and registers every documented one", () => {
    expect([...documented().keys()].sort()).to.deep.equal([...codes].sort());
  });

  it("gives each code a declared HTTP status or none, and documents the same status and meaning", () => {
    const rows = documented();
    for (const code of codes) {
      const spec = ERROR_CODES[code];
      expect(Object.hasOwn(spec, "http"), code).to.equal(true);
      if (spec.http !== null) expect(spec.http, code).to.be.within(400, 599);
      expect(rows.get(code), code).to.deep.equal({ http: spec.http, meaning: spec.meaning });
    }
  });

  it("is linked from every document that names a code", () => {
    const docs = [
      join(ROOT, "README.md"),
      join(ROOT, "ARCHITECTURE.md"),
      ...readdirSync(join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md") && f !== "errors.md")
        .map((f) => join(ROOT, "docs", f)),
    ];
    for (const file of docs) {
      const text = readFileSync(file, "utf8");
      const names = [...text.matchAll(/`([A-Z][A-Z_]+)`/g)].some(([, word]) => isErrorCode(word));
      if (names) expect(text, file).to.match(/\]\((?:docs\/|\.\/)?errors\.md[)#]/);
    }
  });

  it("maps codes to their status, with Retry-After on 503", () => {
    expect(httpErrorOf("NOT_FOUND")).to.deep.equal({ code: "NOT_FOUND", status: 404 });
    expect(httpErrorOf("CREDENTIALS_KEY_MISSING")).to.deep.equal({
      code: "CREDENTIALS_KEY_MISSING",
      status: 409,
    });
    const retry = { "Retry-After": String(RETRY_AFTER_SECONDS) };
    expect(httpErrorOf("STORE_UNAVAILABLE")).to.deep.equal({
      code: "STORE_UNAVAILABLE",
      status: 503,
      headers: retry,
    });
    expect(httpErrorOf("KEYS_UNAVAILABLE").headers).to.deep.equal(retry);
  });

  it("maps a thrown error by its code; anything else, or a code never answered over HTTP, is INTERNAL", () => {
    expect(httpErrorOf(new StoreUnavailableError("SQLite store: /data/bosun.db is read-only"))).to.include({
      code: "STORE_UNAVAILABLE",
      status: 503,
    });
    expect(httpErrorOf(new BosunError("NOT_FOUND", "no run r1"))).to.include({ status: 404 });
    expect(httpErrorOf(new BosunError("JOB_FAILED", "exit 1"))).to.deep.equal({
      code: "INTERNAL",
      status: 500,
    });
    expect(httpErrorOf(new Error("a bug"))).to.deep.equal({ code: "INTERNAL", status: 500 });
    expect(httpErrorOf("ENOENT")).to.deep.equal({ code: "INTERNAL", status: 500 });
  });

  it("answers a server-side failure with the endpoint's message, a client's error with its own", () => {
    const messages = { STORE_UNAVAILABLE: "retry later", INTERNAL: "see the log" };
    const store = failureAnswerOf(new StoreUnavailableError("SQLite store: /data/bosun.db"), messages);
    expect(store.body).to.deep.equal({ error: { code: "STORE_UNAVAILABLE", message: "retry later" } });
    expect(store.headers).to.have.property("Retry-After");
    expect(failureAnswerOf(new Error("at /src/x.ts"), messages).body.error.message).to.equal("see the log");
    expect(failureAnswerOf(new BosunError("NOT_FOUND", "no run r1"), messages).body.error).to.deep.equal({
      code: "NOT_FOUND",
      message: "no run r1",
    });
  });
});
