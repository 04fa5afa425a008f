import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { formatProblems } from "@bosun/core";
import { loadDispatchfile, parseDispatchfile, type Dispatchfile } from "../src/index.js";
import { readOwn, realDispatchfileFolders, type DispatchfileFolder } from "./dispatchfile-support.js";

function parseOk(text: string, file?: string): Dispatchfile {
  const r = parseDispatchfile(text, file === undefined ? {} : { file });
  if (r.errors) throw new Error(formatProblems(r.errors));
  return r.value;
}

const KNOWN = [
  "broken-missing-task.cue.Dispatchfile",
  "image-push-release.cue.Dispatchfile",
  "release-pipeline.cue.Dispatchfile",
  "release-pipeline.json.Dispatchfile",
  "release-pipeline.yaml.Dispatchfile",
];

describe("dispatchfile: real Dispatchfiles", () => {
  for (const folder of realDispatchfileFolders()) describe(folder.label, () => realDispatchfileTests(folder));
});

function realDispatchfileTests({ dir, copies }: DispatchfileFolder): void {
  const files = readdirSync(dir).filter((f) => f.endsWith("Dispatchfile"));

  it(copies ? "holds exactly the files these tests expect" : "holds the files these tests expect", () => {
    if (copies) expect([...files].sort()).to.deep.equal(KNOWN);
    else expect(files).to.include.members(KNOWN);
  });

  for (const file of files.filter((f) => !f.startsWith("broken-"))) {
    it(`parses ${file} without problems`, () => {
      const r = parseDispatchfile(readFileSync(join(dir, file), "utf8"), { file });
      expect(r.errors, r.errors && formatProblems(r.errors)).to.equal(undefined);
      expect(r.format).to.equal(file.split(".")[1]);
      expect(Object.keys(r.value!.task)).to.have.length.greaterThan(0);
    });
  }

  for (const file of files.filter((f) => f.startsWith("broken-"))) {
    it(`refuses ${file}, naming the missing task and where it is named`, async () => {
      const r = await loadDispatchfile(join(dir, file));
      expect(r.value).to.equal(undefined);
      expect(r.errors).to.have.length(1);
      expect(r.errors![0]).to.deep.include({
        code: "DISPATCHFILE_REFERENCE",
        message: 'unknown task "deploy"',
        path: "actions[0].tasks[1]",
        line: 14,
        column: 22,
        found: '"deploy"',
      });
    });
  }

  it("reads the CUE, JSON and YAML forms of one pipeline into the same model", () => {
    const [cue, json, yaml] = ["cue", "json", "yaml"].map((f) =>
      parseOk(readFileSync(join(dir, `release-pipeline.${f}.Dispatchfile`), "utf8")),
    );
    expect(json).to.deep.equal(cue);
    expect(yaml).to.deep.equal(cue);
  });

  it("reads the seed example into resources, a task and an image-push action", () => {
    const d = parseOk(readFileSync(join(dir, "image-push-release.cue.Dispatchfile"), "utf8"));
    expect(d).to.deep.equal({
      resource: {
        "src-git": {
          type: "git",
          params: { url: "$(context.git.url)", revision: "$(context.git.commit)" },
          secrets: [],
        },
      },
      task: {
        test: {
          inputs: ["src-git"],
          outputs: [],
          deps: [],
          volumes: [],
          steps: [
            {
              name: "test",
              image: "golang:1.15.7-buster",
              command: ["go", "test", "./..."],
              args: [],
              env: [],
              volumeMounts: [],
              workingDir: "/workspace/src-git",
            },
          ],
        },
      },
      actions: [{ tasks: ["test"], on: { image: { push: { tags: ["release"] } } } }],
    });
  });
}

describe("dispatchfile: formats", () => {
  const body = 'task "t": steps: [{ image: "busybox" }]\n';
  const json = '{ "task": { "t": { "steps": [{ "image": "busybox" }] } } }\n';
  const yaml = "task:\n  t:\n    steps:\n      - image: busybox\n";

  it("chooses the language by the first line, long or short, and CUE without one", () => {
    const expected = parseOk(body);
    for (const [line, text] of [
      ["#!mesosphere/dispatch-cue:v0.7", body],
      ["#!cue", body],
      ["#!mesosphere/dispatch-json:v0.6", json],
      ["#!json", json],
      ["#!mesosphere/dispatch-yaml:v0.6", yaml],
      ["#!yaml", yaml],
    ]) {
      const r = parseDispatchfile(`${line}\n${text}`);
      expect(r.value, `${line}: ${r.errors && formatProblems(r.errors)}`).to.deep.equal(expected);
      expect(r.format).to.equal(/(cue|json|yaml)/.exec(line!)![1]);
    }
  });

  it("reads a CUE file that is one struct, as JSON without a language line is", () => {
    expect(parseOk(json)).to.deep.equal(parseOk(body));
  });

  it("keeps lines and columns of the file when the language line is blanked", () => {
    const r = parseDispatchfile(`#!yaml\ntask:\n  t:\n    steps:\n      - name: x\n`);
    expect(r.errors![0]).to.include({ line: 5, column: 9 });
  });

  it("reads YAML 1.2: an unquoted `on` is a key, not true", () => {
    const d = parseOk(`#!yaml\n${yaml}actions:\n  - tasks: [t]\n    on:\n      image:\n        push:\n`);
    expect(d.actions[0]!.on).to.deep.equal({ image: { push: {} } });
  });

  it("refuses Starlark in either spelling, saying what to do instead", () => {
    for (const line of ["#!mesosphere/dispatch-starlark:v0.5", "#!starlark"]) {
      const r = parseDispatchfile(
        `${line}\nload("github.com/mesosphere/dispatch-catalog/starlark/stable/pipeline@0.0.4", "push")\n`,
      );
      expect(r.errors![0]).to.include({ code: "DISPATCHFILE_UNSUPPORTED", line: 1, column: 1 });
      expect(r.errors![0]!.message).to.match(
        /^Starlark Dispatchfiles are not supported.*load\(\.\.\.\).*CUE, JSON or YAML/,
      );
    }
  });

  it("reports a missing file with its own code", async () => {
    const r = await loadDispatchfile("/nonexistent/Dispatchfile");
    expect(r.errors![0]).to.include({ code: "DISPATCHFILE_NOT_FOUND", file: "/nonexistent/Dispatchfile" });
  });
});

describe("dispatchfile: the model", () => {
  const d = parseOk(readOwn("dialect.cue.Dispatchfile"));

  it("stores short git conditions under git, and keeps cron and chatops", () => {
    expect(d.actions.map((a) => a.on)).to.deep.equal([
      { git: { push: { branches: ["main", "release/*"] } } },
      { cron: { schedule: "@daily", git: { revision: "main" } } },
      { image: { push: { tags: ["v*", "!*-rc*"] } } },
      { git: { pull_request: { chatops: ["test"], branches: ["main"] } } },
    ]);
    expect(d.actions[1]!.name).to.equal("nightly");
  });

  it("reads steps as containers: env, secrets, mounts, script, default names; volumes and timeouts", () => {
    const unit = d.task.unit!;
    expect(unit.timeoutMs).to.equal(90 * 60_000);
    expect(unit.volumes).to.deep.equal([{ name: "cache", source: { emptyDir: {} } }]);
    expect(unit.steps[1]).to.deep.include({
      name: "step-2",
      script: 'echo "tab\there"\necho example',
      volumeMounts: [{ name: "cache", mountPath: "/cache", readOnly: true }],
    });
    expect(d.task.deploy!.steps[0]!.env).to.deep.equal([
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "kube", key: "token" } } },
    ]);
  });

  it("is plain data: a JSON round trip changes nothing", () => {
    expect(JSON.parse(JSON.stringify(d))).to.deep.equal(d);
  });

  it("keeps a task named __proto__ as an ordinary entry (quoted, so not a hidden field)", () => {
    const r = parseOk(
      'task "__proto__": steps: [{ image: "busybox" }]\nactions: [{ tasks: ["__proto__"], on image push: {} }]\n',
    );
    expect(Object.keys(r.task)).to.deep.equal(["__proto__"]);
    expect(Object.getPrototypeOf(r.task)).to.equal(Object.prototype);
  });

  it("warns about fields it ignores, and about nothing it reads", () => {
    const r = parseDispatchfile(
      'helper: "x"\ntask "t": { metadata: {}, steps: [{ image: "busybox", resources: {}, imagePolicy: "Always" }] }\n',
      { file: "Dispatchfile" },
    );
    expect(r.value).to.not.equal(undefined);
    expect(formatProblems(r.warnings)).to.equal(
      [
        'Dispatchfile:1:1: top-level field "helper" is not part of the Dispatchfile schema; ignored at helper [DISPATCHFILE_UNSUPPORTED]',
        'Dispatchfile:2:70: unknown field "imagePolicy"; ignored at task.t.steps[0].imagePolicy [DISPATCHFILE_UNSUPPORTED]',
      ].join("\n"),
    );
  });

  it("reports every problem of a file at once, in file order", () => {
    const r = parseDispatchfile(
      'task "a": { deps: ["x"], steps: [{ name: "s" }] }\nactions: [{ tasks: ["b"], on image push: { tags: "v1" } }]\n',
    );
    expect(r.errors!.map((p) => [p.line, p.column, p.message])).to.deep.equal([
      [1, 20, 'unknown task "x"'],
      [1, 34, 'step "s" of task "a" has no image'],
      [2, 21, 'unknown task "b"'],
      [2, 50, "wrong type for tags"],
    ]);
  });
});
