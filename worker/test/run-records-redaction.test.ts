/**
 * No secret reaches a stored record: real isolate runs of a script that puts project secrets and a
 * login password (with `"`, `\`, `'` and newlines, as in PEM keys) into every field it can (a thrown
 * Error, a thrown object, a function name in the stack, job name, image, tasks, env names, args, console
 * output of objects), and a Dispatchfile step holding one; then every run, job and log row read back
 * from the store, in every escaped form.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { expect } from "chai";
import { type Executor, type ProjectConfig } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { DispatchfileHandler } from "../src/handlers/dispatchfile/index.js";
import { ScriptHandler } from "../src/handlers/script.js";
import { createDryRunLauncher } from "../src/jobs/launcher.js";
import { runPush, testProject } from "./support/runs.js";

const KEY = `-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcN"quo\\ted"LYLInFEX6Ppy1tPf9C\nnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9A'x\n-----END TEST KEY-----`;
const TOKEN = `tok"en\\with'quotes`;
const NAMED = "jobname4secret";
const PASSWORD = "login-pass\\word";

const SCRIPT = `
const { events, Job } = require("brigadier");
events.on("image_push", async (e, p) => {
  const { KEY, TOKEN, NAMED } = p.secrets;
  switch (e.image.tag) {
    case "console":
      console.log(KEY);
      console.log({ key: KEY, nested: { token: TOKEN } });
      console.log("%j", { key: KEY, token: TOKEN });
      console.log("%s and %o", KEY, [TOKEN]);
      console.error(new Error(KEY));
      return;
    case "error":
      throw new Error("bad key " + KEY);
    case "object":
      throw { key: KEY, token: TOKEN, json: JSON.stringify({ key: KEY }) };
    case "named": {
      const o = { [KEY]: () => { throw new Error("thrown from a function named after a secret"); } };
      o[KEY]();
      return;
    }
    case "job-name":
      new Job(TOKEN + "x", "alpine");
      return;
    case "jobs": {
      const job = new Job(NAMED, "registry.example.com/" + NAMED + ":v1", [
        'curl -H "Authorization: Bearer ' + TOKEN + '" https://example.com',
        "echo " + JSON.stringify(KEY),
      ]);
      job.env = { [NAMED]: "x", PLAIN: KEY, ["E_" + NAMED]: TOKEN };
      job.args = [KEY, TOKEN];
      job.fallible = true;
      await job.run();
      const privileged = new Job(NAMED + "-p", "alpine", ["echo " + TOKEN]);
      privileged.privileged = true;
      privileged.fallible = true;
      await privileged.run();
      throw new Error("after jobs " + JSON.stringify({ key: KEY }));
    }
  }
});
`;

/** A job engine that prints the job's env and image back and fails naming them, unredacted. */
const echoingExecutor: Executor = {
  kind: "docker",
  run: (spec, { onOutput }) => {
    const at = new Date().toISOString();
    onOutput?.(`env ${JSON.stringify(spec.env)} args ${inspect(spec.args)}\n`, "stdout");
    return Promise.resolve({
      outcome: "failed",
      output: "",
      startedAt: at,
      finishedAt: at,
      error: {
        code: "JOB_FAILED",
        message: `cannot pull ${spec.image} with ${PASSWORD}: ${spec.tasks.join(";")}`,
      },
    });
  },
};

/** The project's registry login (`bosun login docker`): its password is redacted like a secret. */
const logins = () =>
  Promise.resolve({
    docker: [{ registry: "registry.example.com", username: "u", password: PASSWORD }],
    git: [],
  });

/** Every form in which the secrets could have been written: raw, escaped, and lines of the key. */
function leakForms(): string[] {
  const forms = new Set<string>();
  for (const s of [KEY, TOKEN, NAMED, PASSWORD]) {
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(JSON.stringify(JSON.stringify(s)).slice(1, -1));
    forms.add(inspect(s).slice(1, -1));
    forms.add(s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n"));
    forms.add(encodeURIComponent(s));
  }
  for (const line of KEY.split("\n").slice(1, -1)) forms.add(line);
  return [...forms];
}

/** Every string in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe("stored records: secrets redacted in every field", function () {
  this.timeout(60_000);
  let dir: string;
  let store: Store;
  let handler: ScriptHandler;
  let project: ProjectConfig;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-records-"));
    writeFileSync(join(dir, "brigade.js"), SCRIPT);
    store = await openSqliteStore({ dataDir: join(dir, "data") });
    handler = new ScriptHandler({ memoryMb: 64, workDir: join(dir, "data") });
    project = testProject({
      name: "shop",
      secrets: { KEY, TOKEN, NAMED },
      script: { path: join(dir, "brigade.js") },
    });
  });
  after(async () => {
    await handler?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the push and returns every record of its run, as the API and `runs show --json` give them. */
  async function records(tag: string, dryRun = false) {
    const { run } = await runPush(
      store,
      project,
      {
        handlerFor: () => handler,
        executorFor: () => echoingExecutor,
        credentialsFor: logins,
        ...(dryRun ? { launcherFor: (_p, r, s) => createDryRunLauncher(s, r) } : {}),
      },
      tag,
    );
    const stored = {
      returned: run,
      run: await store.getRun(run.id),
      jobs: await store.listJobs(run.id),
      logs: await store.readLogs({ runId: run.id }),
    };
    return stored;
  }

  function expectNoSecret(stored: unknown): void {
    const texts = [...strings(stored), JSON.stringify(stored)];
    for (const form of leakForms()) {
      const found = texts.find((t) => t.includes(form));
      expect(found, `${JSON.stringify(form)} is in a stored record`).to.equal(undefined);
    }
  }

  /** What each failing script leaves in its run's error, the secrets masked where they were. */
  const FAILURES: Record<string, { message: RegExp; stack?: RegExp }> = {
    error: { message: /^bad key \*\*\*$/, stack: /^Error: bad key \*\*\*\n\s+at .*brigade\.js:\d+:\d+/ },
    object: {
      message:
        /^a non-Error value was thrown: \{"key":"\*\*\*","token":"\*\*\*","json":"\{\\"key\\":\\"\*\*\*\\"\}"\}$/,
    },
    named: { message: /^thrown from a function named after a secret$/, stack: /\*\*\*/ },
    "job-name": { message: /^job name "\*\*\*x" is invalid/ },
  };

  for (const [tag, expected] of Object.entries(FAILURES)) {
    it(`a run whose script fails (${tag}) records its error and stack without the secrets`, async () => {
      const stored = await records(tag);
      expect(stored.run?.status).to.equal("failed");
      expect(stored.run?.error?.message).to.match(expected.message);
      if (expected.stack) expect(stored.run?.error?.stack).to.match(expected.stack);
      expect(stored.returned.error).to.deep.equal(stored.run?.error);
      expectNoSecret(stored);
    });
  }

  it("a run's console output of secrets, in objects, %j, %s, %o and errors, without the secrets", async () => {
    const stored = await records("console");
    expect(stored.run?.status).to.equal("succeeded");
    const log = stored.logs.map((l) => l.text).join("");
    expect(log).to.contain("{\n  key: '***',\n  nested: { token: '***' }\n}\n");
    expect(log).to.contain('{"key":"***","token":"***"}\n');
    expectNoSecret(stored);
  });

  it("a run's jobs: name, image, tasks, env names, their output and errors, without the secrets", async () => {
    const stored = await records("jobs");
    expect(stored.jobs.map((j) => j.status)).to.deep.equal(["failed", "failed"]);
    const [job] = stored.jobs;
    expect(job?.tasks[0]).to.equal('curl -H "Authorization: Bearer ***" https://example.com');
    expect(job?.envNames).to.deep.equal(["***", "PLAIN", "E_***"]);
    expect(stored.logs.some((l) => l.jobId === job?.id && l.text.includes("***"))).to.equal(true);
    expect(stored.run?.error?.message).to.equal('after jobs {"key":"***"}');
    expectNoSecret(stored);
  });

  it("a dry run's recorded jobs, without the secrets", async () => {
    const stored = await records("jobs", true);
    expect(stored.jobs.map((j) => j.status)).to.deep.equal(["dry_run", "dry_run"]);
    expectNoSecret(stored);
  });

  it("a Dispatchfile's step records, their output and the run's error, without the secrets", async () => {
    // The step's script holds the token as written; its env takes the key from the project's secrets.
    const dispatchfile = join(dir, "Dispatchfile.yaml");
    writeFileSync(
      dispatchfile,
      [
        "#!mesosphere/dispatch-yaml:v0.7",
        "task:",
        "  deploy:",
        "    steps:",
        `      - name: push`,
        `        image: busybox`,
        `        script: ${JSON.stringify(`curl -H "Authorization: Bearer ${TOKEN}" https://example.com`)}`,
        `        env: [{ name: KEY, valueFrom: { secretKeyRef: { name: app, key: KEY } } }]`,
        "actions:",
        "  - tasks: [deploy]",
        "    on: { image: { push: {} } }",
        "",
      ].join("\n"),
    );
    const { run } = await runPush(
      store,
      testProject({ name: "steps", secrets: { KEY, TOKEN }, dispatchfile: { path: dispatchfile } }),
      {
        handlerFor: () => new DispatchfileHandler({ workDir: join(dir, "data") }),
        executorFor: () => echoingExecutor,
        credentialsFor: logins,
      },
    );
    const stored = {
      returned: run,
      run: await store.getRun(run.id),
      jobs: await store.listJobs(run.id),
      logs: await store.readLogs({ runId: run.id }),
    };
    expect(stored.run?.status).to.equal("failed");
    expect(stored.jobs[0]?.tasks).to.deep.equal(['curl -H "Authorization: Bearer ***" https://example.com']);
    expect(stored.jobs[0]?.envNames).to.deep.equal(["KEY"]);
    expectNoSecret(stored);
  });
});
