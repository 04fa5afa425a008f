/**
 * `bosun script run FILE --payload FILE`: runs a script locally for one push, through the same path a
 * server uses (the registry's parser, a store, the sandbox, the executor) on a throwaway data dir.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import {
  formatProblems,
  parseConfig,
  WEBHOOK_REGISTRY_KINDS,
  type ExecutorKind,
  type NewEvent,
  type ProjectConfig,
} from "@bosun/core";
import { openSqliteStore } from "@bosun/store";
import { registryFor, toNewEvents } from "@bosun/gateways";
import { processClaim } from "@bosun/worker";
import { printJson, printTable } from "../output.js";
import { createRunDependencies } from "../server/run-dependencies.js";
import { action, CommandError } from "./common.js";
import { localRegistryLogins } from "./local-logins.js";

interface ScriptRunOpts {
  payload: string;
  registry: string;
  type: string;
  secret: string[];
  dryRun?: boolean;
  executor: string;
  config?: string;
  json?: boolean;
}

export function registerScriptCommands(program: Command): void {
  program
    .command("script")
    .description("run scripts locally")
    .command("run <file>")
    .description("run a script for one registry payload, printing its log and the jobs it started")
    .requiredOption("--payload <file>", "the webhook body a registry would send (- for stdin)")
    .option("--registry <kind>", "which registry's payload it is", "dockerhub")
    .option("--type <type>", "event type to dispatch (default: what the payload reports, usually image_push)")
    .option(
      "--secret <NAME=VALUE>",
      "a project secret (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option("--dry-run", "record the jobs the script would start, run none")
    .option(
      "--executor <kind>",
      "where jobs run: docker, kubernetes, or host (the local shell, for development)",
      "docker",
    )
    .option("--config <file>", "server config for docker socket and sandbox settings")
    .option("--json", "machine-readable output")
    .action(action((file: string, o: ScriptRunOpts) => runScript(file, o)));
}

async function runScript(file: string, o: ScriptRunOpts): Promise<void> {
  const gateway = registryFor(o.registry);
  if (!gateway)
    throw new CommandError(
      `--registry: no gateway for "${o.registry}"; expected one of ${WEBHOOK_REGISTRY_KINDS.join(", ")}`,
    );
  const body = readInput(o.payload === "-" ? 0 : o.payload, "--payload");
  const parsed = gateway.parse({ headers: {}, query: new URLSearchParams(), body });
  if (parsed.errors)
    throw new CommandError(
      `the payload is not a ${gateway.title} push:\n${formatProblems(parsed.errors)}`,
      "PAYLOAD_MALFORMED",
    );
  if (parsed.value.pushes.length === 0)
    throw new CommandError(
      `the payload reports no push (${parsed.value.ignored.map((i) => i.reason).join("; ")})`,
    );

  const secrets = Object.fromEntries(
    o.secret.map((s) => {
      const at = s.indexOf("=");
      if (at < 1) throw new CommandError(`--secret: expected NAME=VALUE, found "${s}"`);
      return [s.slice(0, at), s.slice(at + 1)];
    }),
  );
  const base = o.config
    ? parseConfig(readInput(o.config, "--config").toString("utf8"), {
        file: resolve(o.config),
        env: process.env,
      })
    : parseConfig("");
  if (base.errors) throw new CommandError(formatProblems(base.errors), "CONFIG_INVALID");
  const project = localProject(resolve(file), gateway.kind, executorKind(o.executor), secrets);
  const dataDir = mkdtempSync(join(tmpdir(), "bosun-script-"));
  const config = { ...base.value, dataDir, projects: [project] };
  const store = await openSqliteStore({ dataDir });
  const logins = localRegistryLogins();
  for (const problem of logins.unreadable)
    process.stderr.write(`warning: registry logins in ${problem}; ignored\n`);
  const dependencies = createRunDependencies(config, {
    dryRun: o.dryRun,
    dockerLogins: {
      registryAuth: logins,
      loginAdvice: (registry) =>
        `log in with \`podman login ${registry}\` or \`docker login ${registry}\` (bosun script run pulls with their logins) and try again`,
    },
  });
  try {
    // The events a gateway would store for this body; --type dispatches them as another event.
    const events = toNewEvents(gateway, project.name, body, parsed.value.pushes).map((event) =>
      o.type === undefined ? event : { ...event, type: o.type as NewEvent["type"] },
    );
    await store.acceptEvents(events);
    const deps = { store, findProject: () => project, ...dependencies };
    const results = [];
    for (;;) {
      const claim = await store.claimEvent({ owner: "bosun-script-run", leaseMs: 3_600_000 });
      if (!claim) break;
      const run = await processClaim(claim, deps, new AbortController().signal);
      const finished = (await store.getRun(run.id))!;
      const jobs = await store.listJobs(run.id);
      const logs = await store.readLogs({ runId: run.id });
      results.push({ run: finished, jobs, logs });
    }
    if (results.some((r) => r.run.status !== "succeeded")) process.exitCode = 1;
    if (o.json)
      return printJson(
        results.map((r) => ({
          ...r.run,
          jobs: r.jobs,
          log: r.logs
            .filter((l) => !l.jobId)
            .map((l) => l.text)
            .join(""),
        })),
      );
    for (const r of results) {
      for (const l of r.logs)
        process.stdout.write(l.jobId ? `[${r.jobs.find((j) => j.id === l.jobId)?.name}] ${l.text}` : l.text);
      process.stdout.write(`\n${o.dryRun ? "jobs it would start" : "jobs"}:\n`);
      printTable(
        ["JOB", "IMAGE", "STATUS", "TASKS", "ENV"],
        r.jobs.map((j) => [j.name, j.image, j.status, j.tasks.join(" && "), j.envNames.join(",")]),
      );
      process.stdout.write(`run ${r.run.status}${r.run.error ? `: ${r.run.error.message}` : ""}\n`);
      if (r.run.error?.stack) process.stdout.write(`${r.run.error.stack}\n`);
    }
  } finally {
    await dependencies.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The project a local run uses, read by the server's config parser: its defaults, its checks. */
function localProject(
  script: string,
  registry: string,
  executor: ExecutorKind,
  secrets: Record<string, string>,
): ProjectConfig {
  const project = { name: "local", script, secrets, executor, subscriptions: [{ registry }] };
  const parsed = parseConfig(JSON.stringify({ projects: [project] })); // JSON is YAML
  if (parsed.errors) throw new CommandError(formatProblems(parsed.errors), "CONFIG_INVALID");
  return parsed.value.projects[0]!;
}

function executorKind(kind: string): ExecutorKind {
  if (kind === "docker" || kind === "kubernetes" || kind === "host") return kind;
  throw new CommandError(`--executor: expected docker, kubernetes or host, found "${kind}"`);
}

/** A file the user named (or stdin, 0), or an error saying which option named it. */
function readInput(file: string | 0, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const name = file === 0 ? "stdin" : `the file ${file}`;
    throw new CommandError(`${option}: cannot read ${name}: ${(err as Error).message}`);
  }
}
