/**
 * `bosun script run FILE [--payload FILE]`: runs a script locally for one push (the registry's parser)
 * or for any other event (`--type`, `--source`: the payload as is), through the same path a server
 * uses (a store, the sandbox, the executor) on a throwaway data dir.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import {
  CLI_EVENT_SOURCE,
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
  payload?: string;
  registry: string;
  type?: string;
  source?: string;
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
    .description(
      "run a script for one registry push or any other event, printing its log and the jobs it started",
    )
    .option(
      "--payload <file>",
      "the webhook body a registry would send, or any event's payload with --type/--source (- for stdin)",
    )
    .option("--registry <kind>", "which registry's payload it is (pushes only)", "dockerhub")
    .option(
      "--type <type>",
      "event type: image_push/image_delete parse --payload as a push; any other is handed over as is " +
        "(default: image_push with --payload, exec without)",
    )
    .option(
      "--source <source>",
      `Brigade v2 source of an event that is not a push (default ${CLI_EVENT_SOURCE})`,
    )
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

const LOCAL_PROJECT = "local";
const PUSH_TYPES = new Set(["image_push", "image_delete"]);

/** A push unless the user named a source, or a type that is not a push, or gave no payload. */
function isPush(o: ScriptRunOpts): boolean {
  if (o.source !== undefined) return false;
  return o.type === undefined ? o.payload !== undefined : PUSH_TYPES.has(o.type);
}

/** The events a gateway would store for this push body; --type dispatches them as image_delete. */
function pushEvents(o: ScriptRunOpts, project: string): NewEvent[] {
  const gateway = registryFor(o.registry);
  if (!gateway)
    throw new CommandError(
      `--registry: no gateway for "${o.registry}"; expected one of ${WEBHOOK_REGISTRY_KINDS.join(", ")}`,
    );
  if (o.payload === undefined)
    throw new CommandError(`--payload: a ${o.type ?? "push"} needs the registry's body`);
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
  const type = o.type as "image_push" | "image_delete" | undefined;
  return toNewEvents(gateway, project, body, parsed.value.pushes).map((event) =>
    type === undefined ? event : { ...event, type },
  );
}

/** Any other event: its source and type as given, the payload as is (no registry reads it). */
function customEvent(o: ScriptRunOpts, project: string): NewEvent {
  const payload =
    o.payload === undefined ? "" : readInput(o.payload === "-" ? 0 : o.payload, "--payload").toString("utf8");
  return {
    project,
    source: o.source ?? CLI_EVENT_SOURCE,
    type: o.type ?? "exec",
    payload,
    deliveryId: randomUUID(),
  };
}

async function runScript(file: string, o: ScriptRunOpts): Promise<void> {
  if (o.source !== undefined && o.source.trim() === "")
    throw new CommandError('--source: expected a source, found ""');
  if (o.type !== undefined && o.type.trim() === "")
    throw new CommandError('--type: expected a type, found ""');

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
  const push = isPush(o);
  const events = push ? pushEvents(o, LOCAL_PROJECT) : [customEvent(o, LOCAL_PROJECT)];
  // A local run hands its events to the project itself; the subscription only satisfies the config's rules.
  const project = localProject(
    resolve(file),
    push ? o.registry : "dockerhub",
    executorKind(o.executor),
    secrets,
  );
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
  const project = { name: LOCAL_PROJECT, script, secrets, executor, subscriptions: [{ registry }] };
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
