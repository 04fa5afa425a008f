/**
 * bosun project list|show (from a running server) · bosun project add (writes bosun.yaml, as DESIGN §4
 * says: the same file the server reads, keeping its comments and layout).
 */
import { readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import {
  formatProblems,
  parseConfig,
  WEBHOOK_REGISTRY_KINDS,
  type SourceRef,
  type Subscription,
} from "@bosun/core";
import type { ClientOptions } from "../client.js";
import { printJson, printTable } from "../output.js";
import { action, clientFrom, CommandError, withServer } from "./common.js";

interface ProjectView {
  name: string;
  script?: SourceRef;
  dispatchfile?: SourceRef;
  subscriptions: Pick<
    Subscription,
    "registry" | "repositories" | "tags" | "policy" | "runPer" | "windowMs"
  >[];
  executor: string;
  concurrency: number;
  secretNames: string[];
}

interface AddOpts {
  config: string;
  script: string;
  registry: string[];
  repository: string[];
  tag: string[];
  webhookToken?: string;
}

export function registerProjectCommands(program: Command): void {
  const project = program.command("project").description("projects and what they subscribe to");
  withServer(project.command("list"))
    .description("the server's projects")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ClientOptions & { json?: boolean }) => {
        const { projects } = await clientFrom(o).get<{ projects: ProjectView[] }>("/projects");
        if (o.json) return printJson(projects);
        printTable(
          ["NAME", "EXECUTOR", "CONCURRENCY", "SUBSCRIPTIONS"],
          projects.map((p) => [p.name, p.executor, p.concurrency, p.subscriptions.map(describe).join("; ")]),
        );
      }),
    );
  withServer(project.command("show <name>"))
    .description("one project: script, subscriptions, secret names (never values)")
    .option("--json", "machine-readable output")
    .action(
      action(async (name: string, o: ClientOptions & { json?: boolean }) => {
        const p = await clientFrom(o).get<ProjectView>(`/projects/${encodeURIComponent(name)}`);
        if (o.json) return printJson(p);
        const sources =
          (p.script ? `  script: ${source(p.script)}\n` : "") +
          (p.dispatchfile ? `  dispatchfile: ${source(p.dispatchfile)}\n` : "");
        process.stdout.write(
          `${p.name}\n${sources}  executor: ${p.executor}, concurrency ${p.concurrency}\n` +
            `  secrets: ${p.secretNames.join(", ") || "none"}\n  subscriptions:\n${p.subscriptions.map((s) => `    ${describe(s)}\n`).join("")}`,
        );
      }),
    );
  project
    .command("add <name>")
    .description("add a project to bosun.yaml (restart the server to load it)")
    .requiredOption("--script <path>", "its script, relative to the config file")
    .option("--config <file>", "the server config to edit", "bosun.yaml")
    .option(
      "--registry <kind>",
      `a registry to subscribe to (repeatable): ${WEBHOOK_REGISTRY_KINDS.join(", ")}`,
      collect,
      [],
    )
    .option("--repository <glob>", "repository glob for those subscriptions (repeatable)", collect, [])
    .option("--tag <glob>", "tag glob, ! to exclude (repeatable)", collect, [])
    .option(
      "--webhook-token <value>",
      "the token registries send; prefer ${env:NAME} to keep it out of the file",
    )
    .action(action((name: string, o: AddOpts) => addProject(name, o)));
}

async function addProject(name: string, o: AddOpts): Promise<void> {
  if (o.registry.length === 0)
    throw new CommandError("--registry: name at least one registry the project subscribes to");
  const doc = parseDocument(existsSync(o.config) ? await readFile(o.config, "utf8") : "");
  const entry: Record<string, unknown> = {
    name,
    script: o.script,
    subscriptions: o.registry.map((registry) => ({
      registry,
      ...(o.repository.length ? { repositories: o.repository } : {}),
      ...(o.tag.length ? { tags: o.tag } : {}),
    })),
    ...(o.webhookToken ? { webhookToken: o.webhookToken } : {}),
  };
  if (!doc.has("projects")) doc.set("projects", doc.createNode([]));
  doc.addIn(["projects"], doc.createNode(entry));
  const text = doc.toString();
  // Checked as the server will read it (any ${env:NAME} standing in for a long enough value, which is
  // also a URL, as store.url and BOSUN_STORE_URL need); nothing is written when it would not start.
  const anyValue = new Proxy({}, { get: () => "postgres://an-environment-value-standing-in" });
  const checked = parseConfig(text, { file: o.config, env: anyValue });
  if (checked.errors)
    throw new CommandError(
      `the project would make ${o.config} invalid:\n${formatProblems(checked.errors)}`,
      "CONFIG_INVALID",
    );
  await writeFile(o.config, text);
  process.stdout.write(`added project "${name}" to ${o.config}; restart bosun serve to load it\n`);
  if (!o.webhookToken) {
    // Gateways answer 401 for a project without a token (docs/gateways.md): say so now, not at the first push.
    process.stderr.write(
      `warning: project "${name}" has no webhookToken, so no registry can reach it yet: ` +
        "add one with --webhook-token '${env:NAME}' or in the file (see docs/gateways.md)\n",
    );
  }
}

/** A script or Dispatchfile as bosun.yaml names it: a path, or a git repository, revision and path. */
function source(ref: SourceRef): string {
  return "path" in ref ? ref.path : `${ref.git.url} @ ${ref.git.revision}, ${ref.git.path}`;
}

function describe(s: ProjectView["subscriptions"][number]): string {
  const repos = s.repositories.length ? s.repositories.join(",") : "*";
  const tags = s.tags.length ? `:${s.tags.join(",")}` : "";
  const policy = s.policy
    ? ` best ${s.policy.order}${s.policy.range ? ` ${s.policy.range}` : ""}${s.policy.pattern ? ` of ${s.policy.pattern}` : ""}`
    : "";
  const perDigest = s.runPer === "digest" ? ` per digest (${s.windowMs ?? 0}ms)` : "";
  return `${s.registry} ${repos}${tags}${policy}${perDigest}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
