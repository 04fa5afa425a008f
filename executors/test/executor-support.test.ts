/**
 * The job contract without an engine: each executor declares every JobSpec field, and
 * docs/executors.md shows exactly those declarations.
 */
import { JOB_SPEC_FIELDS, type JobSpecSupport } from "@bosun/core";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DOCKER_JOB_SUPPORT } from "../src/docker/job-support.js";
import { HOST_JOB_SUPPORT } from "../src/host/job-support.js";
import { KUBERNETES_JOB_SUPPORT } from "../src/kubernetes/job-support.js";

const TABLES: Record<string, JobSpecSupport> = {
  docker: DOCKER_JOB_SUPPORT,
  kubernetes: KUBERNETES_JOB_SUPPORT,
  host: HOST_JOB_SUPPORT,
};

const DOC = fileURLToPath(new URL("../../../docs/executors.md", import.meta.url));

/** The rows of the field table in docs/executors.md: field → cells under each executor's column. */
function documented(): Map<string, Record<string, string>> {
  const lines = readFileSync(DOC, "utf8").split("\n");
  const header = lines.findIndex((l) => l.startsWith("| `JobSpec` field |"));
  expect(header, "docs/executors.md has the field table").to.be.at.least(0);
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(" | ")
      .map((c) => c.trim());
  const columns = cells(lines[header]!).slice(1);
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const [field = "", ...values] = cells(line);
    rows.set(field.replaceAll("`", ""), Object.fromEntries(columns.map((c, i) => [c, values[i] ?? ""])));
  }
  return rows;
}

describe("executors' job support tables", function () {
  for (const [kind, table] of Object.entries(TABLES)) {
    it(`the ${kind} executor declares every JobSpec field, each honoured or with a reason`, function () {
      expect(Object.keys(table).sort()).to.deep.equal([...JOB_SPEC_FIELDS].sort());
      for (const field of JOB_SPEC_FIELDS) {
        const declared = table[field];
        if (declared !== "honoured") expect(declared.limitation, field).to.match(/^(ignored|not \w+): \S/);
      }
    });
  }

  it("docs/executors.md shows every executor's declarations, field by field", function () {
    const rows = documented();
    expect([...rows.keys()]).to.deep.equal([...JOB_SPEC_FIELDS]);
    for (const [kind, table] of Object.entries(TABLES)) {
      for (const field of JOB_SPEC_FIELDS) {
        const declared = table[field];
        const expected = declared === "honoured" ? "✓" : declared.limitation;
        expect(rows.get(field)?.[kind], `${kind}: ${field}`).to.equal(expected);
      }
    }
  });
});
