/**
 * bosun project list|show|add|update|remove|export against a running server (projects made through the
 * API, kept in its store) · bosun project add --config FILE (writes bosun.yaml: the same file the
 * server reads, keeping its comments and layout).
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
import { projectBlock, type BlockOptions } from "./project-block.js";

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
  webhook?: WebhookShown;
}

/** The webhook Bosun keeps on the registry for the project, as the API shows it. */
interface WebhookShown {
  state: string;
  reason?: string;
  configuration?: string;
  registry?: string;
  repository?: string;
  url?: string;
  api?: string;
  hookId?: string;
  error?: { code: string; message: string };
  retryAt?: string;
}

interface AddOpts {
  config?: string;
  script?: string;
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
    .description(
      "one project: script, subscriptions, secret names (never values), its webhook on the registry",
    )
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
            `  secrets: ${p.secretNames.join(", ") || "none"}\n  subscriptions:\n${p.subscriptions.map((s) => `    ${describe(s)}\n`).join("")}` +
            (p.webhook ? `  webhook: ${describeWebhook(p.webhook)}\n` : ""),
        );
      }),
    );
  const addCommand = withServer(project.command("add <name>"))
    .description(
      "add a project to the running server (live on every replica within seconds), or with --config to bosun.yaml",
    )
    .option(
      "--config <file>",
      "write the project into this bosun.yaml instead (restart or reload to load it)",
    )
    .option(
      "--webhook-token <value>",
      "with --config: the token registries send; prefer ${env:NAME} to keep it out of the file",
    );
  blockOptions(addCommand).action(
    action((name: string, o: AddOpts & BlockOptions & ServerOpts) =>
      o.config ? addProject(name, o, o.config) : sendProject("add", name, o),
    ),
  );
  const updateCommand = withServer(project.command("update <name>")).description(
    "change a project made through the API: the options given replace what it had, the rest is kept",
  );
  blockOptions(updateCommand).action(
    action((name: string, o: BlockOptions & ServerOpts) => sendProject("update", name, o)),
  );
  withServer(project.command("remove <name>"))
    .description("remove a project made through the API")
    .option("--dry-run", "say what would be removed, and change nothing")
    .action(
      action(async (name: string, o: ServerOpts) => {
        const path = `/projects/${encodeURIComponent(name)}${o.dryRun ? "?dryRun=true" : ""}`;
        await clientFrom(o).delete(path);
        process.stdout.write(o.dryRun ? `would remove project ${name}\n` : `removed project ${name}\n`);
      }),
    );
  withServer(project.command("export <name>"))
    .description("print a project made through the API as a bosun.yaml block (secrets as ${env:...})")
    .action(
      action(async (name: string, o: ServerOpts) => {
        const r = await clientFrom(o).get<{ yaml: string; variables: string[] }>(
          `/projects/${encodeURIComponent(name)}/export`,
        );
        const header = r.variables.length
          ? `# set these in the server's environment: ${r.variables.join(", ")}\n`
          : "";
        process.stdout.write(header + r.yaml);
      }),
    );
}

type ServerOpts = ClientOptions & { dryRun?: boolean; json?: boolean };

function blockOptions(command: Command): Command {
  return command
    .option(
      "--spec <file>",
      "the project block as in bosun.yaml (YAML or JSON); the options below go over it",
    )
    .option("--script <path>", "its script (an absolute path on the server; a relative one is made absolute)")
    .option(
      "--image-repository <repo>",
      "the image repository whose pushes it takes (repeatable)",
      collect,
      [],
    )
    .option(
      "--registry <kind>",
      `the registry of those repositories (repeatable; default dockerhub): ${WEBHOOK_REGISTRY_KINDS.join(", ")}`,
      collect,
      [],
    )
    .option("--repository <glob>", "repository glob for those subscriptions (repeatable)", collect, [])
    .option("--tag <glob>", "tag glob, ! to exclude (repeatable)", collect, [])
    .option("--dispatchfile-repository <url>", "the git repository holding its Dispatchfile")
    .option("--dispatchfile-path <path>", "the Dispatchfile's path in it (default Dispatchfile)")
    .option("--dispatchfile-revision <rev>", "the branch, tag or commit to read it at (default main)")
    .option("--service-account <name>", "the service account whose logins its jobs and clones use")
    .option("--log-storage-rules <json>", "which finished runs are pruned, as a JSON array of rules")
    .option("--timeout <duration>", "how long a run may take (10m, 1h)")
    .option("--executor <kind>", "docker, kubernetes or host")
    .option("--concurrency <n>", "runs at once")
    .option("--webhook-token-file <file>", "the token registries send, read from a file")
    .option(
      "--image-repository-secret <login>",
      "keep the webhook on the registry with this docker login (its registry, host[:port]) of the project's service account or its own",
    )
    .option(
      "--image-repository-api <url>",
      "the registry's API address, when it is not https://<login's registry> (Docker Hub: https://hub.docker.com)",
    )
    .option(
      "--url <url>",
      "the webhook URL to register (default: <server.publicUrl>/events/<registry>/<name>)",
    )
    .option(
      "--dispatchfile-repository-scm-secret <login>",
      "the git login (its host) of the project's service account or its own that clones the Dispatchfile repository",
    )
    .option("--dry-run", "check it and print what would be stored, and change nothing")
    .option("--json", "machine-readable output");
}

async function sendProject(
  verb: "add" | "update",
  name: string,
  o: BlockOptions & ServerOpts & { webhookToken?: string },
): Promise<void> {
  if (o.webhookToken !== undefined)
    throw new CommandError(
      "--webhook-token goes with --config (a file); for the server use --webhook-token-file <file>, " +
        "which keeps the token out of shell history",
    );
  const client = clientFrom(o);
  const current =
    verb === "update"
      ? (await client.get<ProjectView>(`/projects/${encodeURIComponent(name)}`)).subscriptions
      : undefined;
  const block = await projectBlock(name, o, current);
  const query = o.dryRun ? "?dryRun=true" : "";
  const answer =
    verb === "add"
      ? await client.post<{ project: ProjectView; revision?: number }>(`/projects${query}`, block)
      : await client.put<{ project: ProjectView; revision?: number }>(
          `/projects/${encodeURIComponent(name)}${query}`,
          { ...block, name: undefined },
        );
  if (o.json) return printJson(answer);
  const done = verb === "add" ? "added" : "updated";
  const hook = answer.project.webhook;
  const dryHook =
    hook === undefined
      ? ""
      : hook.url !== undefined && hook.state === undefined
        ? `webhook: would be kept on ${hook.registry ?? "?"} for ${hook.repository ?? "?"}, at ${hook.url} (API ${hook.api ?? "?"})\n`
        : `webhook: ${describeWebhook(hook)}\n`;
  process.stdout.write(
    o.dryRun
      ? `would ${verb} project ${name}:\n${JSON.stringify(answer.project, null, 2)}\n${dryHook}`
      : `${done} project ${name} (revision ${answer.revision ?? "?"})\n`,
  );
}

async function addProject(name: string, o: AddOpts & BlockOptions, file: string): Promise<void> {
  // The server keeps webhooks for the projects made through its API only, not for bosun.yaml's.
  const webhookOption = (
    [
      ["--image-repository-secret", o.imageRepositorySecret],
      ["--image-repository-api", o.imageRepositoryApi],
      ["--url", o.url],
      ["--dispatchfile-repository-scm-secret", o.dispatchfileRepositoryScmSecret],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (webhookOption)
    throw new CommandError(
      `${webhookOption[0]}: Bosun keeps the webhooks of projects made through the API; drop --config to add it to the server, or set the webhook up by hand (docs/gateways.md)`,
    );
  if (!o.script) throw new CommandError("--script: name the project's script, relative to the config file");
  if (o.registry.length === 0)
    throw new CommandError("--registry: name at least one registry the project subscribes to");
  const doc = parseDocument(existsSync(file) ? await readFile(file, "utf8") : "");
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
  const checked = parseConfig(text, { file: file, env: anyValue });
  if (checked.errors)
    throw new CommandError(
      `the project would make ${file} invalid:\n${formatProblems(checked.errors)}`,
      "CONFIG_INVALID",
    );
  await writeFile(file, text);
  process.stdout.write(`added project "${name}" to ${file}; restart bosun serve to load it\n`);
  if (!o.webhookToken) {
    // Gateways answer 401 for a project without a token (docs/gateways.md): say so now, not at the first push.
    process.stderr.write(
      `warning: project "${name}" has no webhookToken, so no registry can reach it yet: ` +
        "add one with --webhook-token '${env:NAME}' or in the file (see docs/gateways.md)\n",
    );
  }
}

/** One line (and a pasted configuration, indented) for the webhook's state. */
function describeWebhook(w: WebhookShown): string {
  const where = w.registry ? ` on ${w.registry} for ${w.repository ?? "?"} at ${w.url ?? "?"}` : "";
  switch (w.state) {
    case "registered":
      return `registered${where} (hook ${w.hookId ?? "?"})`;
    case "failed":
      return `failed${where}: ${w.error ? `[${w.error.code}] ${w.error.message}` : "?"}; tried again at ${w.retryAt ?? "?"}`;
    case "pending":
      return `pending${where}`;
    default: {
      const paste = w.configuration ? `\n${w.configuration.replace(/^/gm, "    ").trimEnd()}` : "";
      return `${w.state}: ${w.reason ?? ""}${paste}`;
    }
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
