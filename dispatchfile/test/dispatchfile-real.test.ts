import { readdirSync } from "node:fs";
import { expect } from "chai";
import { formatProblems } from "@bosun/core";
import { matchImagePush, parseDispatchfile, type Dispatchfile } from "../src/index.js";
import { REAL_DISPATCHFILES, readReal } from "./dispatchfile-support.js";

interface Readable {
  format: "cue" | "json" | "yaml";
  /** Resources, tasks, actions. */
  counts: [number, number, number];
  /** Formatted warnings, without the file name. */
  warnings?: string[];
}

const helper = (line: number, name: string) =>
  `${line}:1: top-level field "${name}" is not part of the Dispatchfile schema; ignored at ${name} [DISPATCHFILE_UNSUPPORTED]`;

/** What Bosun reads from each file of the field; the broken ones are further down. */
const READABLE: Record<string, Readable> = {
  "admission-sample.yaml.Dispatchfile": { format: "yaml", counts: [1, 1, 1] },
  "dispatch-app.cue.Dispatchfile": { format: "cue", counts: [3, 2, 1] },
  "dispatch-test-project.cue.Dispatchfile": { format: "cue", counts: [1, 1, 3] },
  "dispatch-trial.yaml.Dispatchfile": { format: "yaml", counts: [3, 3, 3] },
  "docs-cron.cue.Dispatchfile": { format: "cue", counts: [1, 1, 1] },
  "docs-helloworld.cue.Dispatchfile": { format: "cue", counts: [2, 2, 2] },
  "docs-test.cue.Dispatchfile": { format: "cue", counts: [1, 1, 2] },
  "docs-test.json.Dispatchfile": { format: "json", counts: [1, 1, 2] },
  "docs-test.yaml.Dispatchfile": { format: "yaml", counts: [1, 1, 2] },
  "helloworld-gitops-cron.cue.Dispatchfile": {
    format: "cue",
    counts: [1, 1, 2],
    warnings: [
      '23:3: action 1 has no "on" condition, so nothing triggers it; add on image push: { tags: [...] } (or a git or cron condition) at actions[0] [DISPATCHFILE_UNSUPPORTED]',
    ],
  },
  "lottery-order.cue.Dispatchfile": {
    format: "cue",
    counts: [2, 1, 4],
    warnings: [helper(2, "docker_user"), helper(4, "common_env")],
  },
  "node-ci-cd-testing.cue.Dispatchfile": { format: "cue", counts: [2, 2, 4] },
  "springboot-no-final-newline.cue.Dispatchfile": {
    format: "cue",
    counts: [1, 1, 1],
    warnings: [helper(3, "common_env")],
  },
  "tomcat.cue.Dispatchfile": {
    format: "cue",
    counts: [3, 2, 2],
    warnings: [helper(3, "docker_user"), helper(4, "github_user"), helper(5, "docker_registry")],
  },
};

/** Files Dispatch could not run either: undefined names, a stray line after the last field. */
const BROKEN: Record<string, string[]> = {
  "gitops-missing-build.cue.Dispatchfile": [
    '7:12: unknown resource or task "docker-image" at task.deploy.inputs[0] (expected a resource or task defined in this file, found "docker-image") [DISPATCHFILE_REFERENCE]',
    '23:13: unknown task "build" at actions[0].tasks[0] (expected one of the tasks "deploy", found "build") [DISPATCHFILE_REFERENCE]',
  ],
  "heredoc-leftover.cue.Dispatchfile": [
    '58:4: missing ":" after label "EOF" (expected ":", found end of line) [DISPATCHFILE_INVALID]',
  ],
  "split-declarations.cue.Dispatchfile": [
    '23:13: unknown task "build" at actions[0].tasks[0] (expected one of the tasks "test", "deploy", found "build") [DISPATCHFILE_REFERENCE]',
    '39:12: unknown resource or task "docker-image" at task.deploy.inputs[0] (expected a resource or task defined in this file, found "docker-image") [DISPATCHFILE_REFERENCE]',
  ],
};

function parseReal(name: string): Dispatchfile {
  const r = parseDispatchfile(readReal(name));
  if (r.errors) throw new Error(formatProblems(r.errors));
  return r.value;
}

describe("dispatchfile: files from the field", () => {
  const files = readdirSync(REAL_DISPATCHFILES)
    .filter((f) => f.endsWith(".Dispatchfile"))
    .sort();

  it("has an expectation for every file, and a file for every expectation", () => {
    expect(files).to.deep.equal([...Object.keys(READABLE), ...Object.keys(BROKEN)].sort());
  });

  for (const [file, expected] of Object.entries(READABLE)) {
    it(`${file}: reads ${expected.counts.join("/")} resources/tasks/actions`, () => {
      const r = parseDispatchfile(readReal(file), { file });
      if (r.errors) expect.fail(formatProblems(r.errors));
      expect(r.format).to.equal(expected.format);
      const { resource, task, actions } = r.value;
      expect([Object.keys(resource).length, Object.keys(task).length, actions.length]).to.deep.equal(
        expected.counts,
      );
      const warnings = formatProblems(r.warnings);
      expect(warnings).to.equal((expected.warnings ?? []).map((w) => `${file}:${w}`).join("\n"));
      // None of them triggers on image pushes: a push runs nothing.
      expect(matchImagePush(r.value, { tag: "latest" })).to.deep.equal({ actions: [], tasks: [] });
    });
  }

  for (const [file, problems] of Object.entries(BROKEN)) {
    it(`${file}: reports what is missing, where`, () => {
      const r = parseDispatchfile(readReal(file), { file });
      expect(r.value).to.equal(undefined);
      expect(formatProblems(r.errors!)).to.equal(problems.map((p) => `${file}:${p}`).join("\n"));
    });
  }

  it("reads the documentation's example alike in CUE, JSON and YAML", () => {
    const cue = parseReal("docs-test.cue.Dispatchfile");
    expect(parseReal("docs-test.json.Dispatchfile")).to.deep.equal(cue);
    expect(parseReal("docs-test.yaml.Dispatchfile")).to.deep.equal(cue);
    expect(cue.actions.map((a) => a.on)).to.deep.equal([
      { git: { push: { branches: ["master"] } } },
      { git: { pull_request: { chatops: ["test"] } } },
    ]);
  });

  it("evaluates helper fields joined with + into resource params and step args", () => {
    const tomcat = parseReal("tomcat.cue.Dispatchfile");
    expect(tomcat.resource["docker-image"]!.params.url).to.equal(
      "registry.cmays-demo.com:5000/cmays/tomcat-demo:$(context.build.name)",
    );
    expect(tomcat.resource["gitops-git"]!.params.url).to.equal("https://github.com/cmays20/tomcat-gitops");
    expect(tomcat.task.deploy!.steps[0]!.args[1]).to.equal(
      "-substitute=imageName=registry.cmays-demo.com:5000/cmays/tomcat-demo@$(inputs.resources.docker-image.digest)",
    );
    const lottery = parseReal("lottery-order.cue.Dispatchfile");
    expect(lottery.resource["docker-image"]!.params.url).to.equal(
      "10.6.136.80:443/library/lottery-order:$(context.build.name)",
    );
  });

  it("merges folded labels given twice (valueFrom secretKeyRef name/key) and joins env lists", () => {
    const env = parseReal("springboot-no-final-newline.cue.Dispatchfile").task.test!.steps[0]!.env;
    expect(env).to.deep.equal([
      {
        name: "AWS_ACCESS_KEY_ID",
        valueFrom: { secretKeyRef: { name: "s3-config", key: "AWS_ACCESS_KEY_ID" } },
      },
      { name: "PLUGIN_REGION", value: "us-east-1" },
      { name: "PLUGIN_RESTORE", value: "true" },
    ]);
  });

  it("matches image pushes in a file of the field given one more actions list", () => {
    const text = `${readReal("springboot-no-final-newline.cue.Dispatchfile")}\nactions: [{ tasks: ["test"], on image push tags: ["v*", "!*-rc*"] }]\n`;
    const r = parseDispatchfile(text);
    if (r.errors) expect.fail(formatProblems(r.errors));
    expect(r.value.actions).to.have.length(2);
    expect(matchImagePush(r.value, { tag: "v1.2" })).to.deep.equal({ actions: [1], tasks: ["test"] });
    expect(matchImagePush(r.value, { tag: "v1.2-rc1" })).to.deep.equal({ actions: [], tasks: [] });
  });

  it("keeps the git and cron conditions as written, short forms under git", () => {
    const lottery = parseReal("lottery-order.cue.Dispatchfile");
    expect(lottery.actions.map((a) => a.on)).to.deep.equal([
      { git: { push: { branches: ["master"] } } },
      { git: { push: { branches: ["!master", "*"] } } },
      { git: { pull_request: { chatops: ["build"] } } },
      { git: { tag: { names: ["*"] } } },
    ]);
    const project = parseReal("dispatch-test-project.cue.Dispatchfile");
    expect(project.actions[0]).to.deep.equal({
      name: "cron-trigger",
      tasks: ["test"],
      on: { cron: { schedule: "0/5 * * * *" } },
    });
  });
});

describe("dispatchfile: documented constructs real files use", () => {
  it("reads Dispatch's secrets (field name → { name, key }), also spelled secret in CUE", () => {
    const storage = parseReal("node-ci-cd-testing.cue.Dispatchfile").resource.artifacts!;
    expect(storage).to.deep.equal({
      type: "storage",
      params: { type: "gcs", location: "s3://artifacts" },
      secrets: [{ fieldName: "BOTO_CONFIG", secretName: "s3-config", secretKey: "boto" }],
    });
    const json = parseDispatchfile(
      JSON.stringify({
        resource: {
          artifacts: {
            type: "storage",
            params: { type: "gcs", location: "s3://artifacts" },
            secrets: { GOOGLE_APPLICATION_CREDENTIALS: { name: "gcs", key: "creds", optional: false } },
          },
        },
        task: { t: { steps: [{ image: "busybox" }] } },
      }),
    );
    expect(json.warnings).to.deep.equal([]);
    expect(json.value?.resource.artifacts!.secrets).to.deep.equal([
      { fieldName: "GOOGLE_APPLICATION_CREDENTIALS", secretName: "gcs", secretKey: "creds" },
    ]);
  });

  it("still reads Tekton's list of secrets, and says which part of a selector is missing", () => {
    const tekton = parseDispatchfile(
      'resource "s": { type: "storage", secrets: [{ fieldName: "BOTO_CONFIG", secretName: "n", secretKey: "k" }] }\ntask "t": steps: [{ image: "busybox" }]\n',
    );
    expect(tekton.value?.resource.s!.secrets).to.deep.equal([
      { fieldName: "BOTO_CONFIG", secretName: "n", secretKey: "k" },
    ]);
    const missing = parseDispatchfile(
      'resource "s": {\n  type: "storage"\n  secret "BOTO_CONFIG" name: "s3-config"\n}\ntask "t": steps: [{ image: "busybox" }]\n',
      { file: "Dispatchfile" },
    );
    expect(formatProblems(missing.errors!)).to.equal(
      "Dispatchfile:3:24: resource secret BOTO_CONFIG without key at resource.s.secret.BOTO_CONFIG (expected key: the key in the secret) [DISPATCHFILE_INVALID]",
    );
  });

  it("reads cron's deprecated revision as git.revision, which wins when both are given", () => {
    const fork = parseReal("helloworld-gitops-cron.cue.Dispatchfile");
    expect(fork.actions[1]).to.deep.equal({
      name: "hourly-gitops-build",
      tasks: ["build"],
      on: { cron: { schedule: "@hourly", git: { revision: "master" } } },
    });
    const both = parseDispatchfile(
      'task "t": steps: [{ image: "busybox" }]\nactions: [{ name: "n", tasks: ["t"], on cron: { schedule: "@daily", revision: "old", git revision: "new" } }]\n',
    );
    expect(both.value?.actions[0]!.on).to.deep.equal({
      cron: { schedule: "@daily", git: { revision: "new" } },
    });
  });

  it("keeps an action without a condition, with a warning, and never triggers it", () => {
    const r = parseDispatchfile('task "t": steps: [{ image: "busybox" }]\nactions: [{ tasks: ["t"] }]\n');
    expect(r.value?.actions).to.deep.equal([{ tasks: ["t"], on: {} }]);
    expect(r.warnings.map((w) => w.path)).to.deep.equal(["actions[0]"]);
    expect(matchImagePush(r.value!, { tag: "latest" })).to.deep.equal({ actions: [], tasks: [] });
  });

  it("takes the language from the frontend image a language line names, whoever publishes it", () => {
    const body = 'task "t": steps: [{ image: "busybox" }]\n';
    for (const line of [
      "#!takirala/dispatch-cue:v0.4-beta1",
      "#!registry.example.com:5000/ci/dispatch-cue:v0.7",
    ])
      expect(parseDispatchfile(`${line}\n${body}`).format).to.equal("cue");
    expect(
      parseDispatchfile('#!team/dispatch-json:v0.3\n{"task": {"t": {"steps": [{"image": "b"}]}}}').format,
    ).to.equal("json");
    const starlark = parseDispatchfile("#!team/dispatch-starlark:v0.5\naction()\n");
    expect(starlark.errors?.[0]).to.deep.include({ code: "DISPATCHFILE_UNSUPPORTED", line: 1, column: 1 });
    expect(starlark.errors?.[0]!.message).to.match(/^Starlark Dispatchfiles are not supported/);
    expect(parseDispatchfile("#!team/cue-dispatch:v1\n").errors?.[0]!.message).to.equal(
      "unknown Dispatchfile language line",
    );
  });

  it("refuses Starlark-style calls in CUE, saying what to write instead", () => {
    const r = parseDispatchfile(
      'task "t": steps: [{ image: "busybox" }]\nactions: [\n  {\n    tasks: ["t"]\n    on: pull_request()\n  }\n]\n',
      { file: "Dispatchfile" },
    );
    expect(formatProblems(r.errors!)).to.equal(
      'Dispatchfile:5:21: function calls (pull_request(...)) are not supported in Dispatchfiles read by Bosun (expected a value; for a condition without filters write pull_request: {}, found "(") [DISPATCHFILE_UNSUPPORTED]',
    );
  });
});
