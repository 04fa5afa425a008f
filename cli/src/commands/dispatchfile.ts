/**
 * `bosun dispatchfile check FILE` and `bosun dispatchfile match FILE --tag T`: read a Dispatchfile
 * the way the server does, report every problem with its place, and show what a push would run.
 */
import type { Command } from "commander";
import { type Problem } from "@bosun/core";
import { loadDispatchfile, matchImagePush, type Dispatchfile } from "@bosun/dispatchfile";
import { printJson } from "../output.js";
import { action } from "./common.js";

interface CheckOpts {
  json?: boolean;
}
interface MatchOpts {
  tag: string;
  repository?: string;
  json?: boolean;
}

export function registerDispatchfileCommands(program: Command): void {
  const cmd = program
    .command("dispatchfile")
    .description("check Dispatchfiles and see what a push would run");
  cmd
    .command("check <file>")
    .description("validate a Dispatchfile (CUE, JSON or YAML): every problem with its line and column")
    .option("--json", "machine-readable output")
    .action(action((file: string, o: CheckOpts) => check(file, o)));
  cmd
    .command("match <file>")
    .description("which actions and tasks an image push with this tag would run")
    .requiredOption("--tag <tag>", "the pushed tag")
    .option("--repository <repository>", "the pushed repository (shown; subscriptions choose repositories)")
    .option("--json", "machine-readable output")
    .action(action((file: string, o: MatchOpts) => match(file, o)));
}

async function check(file: string, o: CheckOpts): Promise<void> {
  const r = await loadDispatchfile(file);
  if (o.json) {
    printJson(
      r.errors
        ? { ok: false, errors: r.errors, warnings: r.warnings }
        : {
            ok: true,
            format: r.format,
            summary: summary(r.value),
            warnings: r.warnings,
            dispatchfile: r.value,
          },
    );
  } else {
    printWarnings(r.warnings);
    if (r.errors) process.stderr.write(`${formatLines(r.errors)}\n`);
    else process.stdout.write(`${file}: ok (${r.format}): ${describeSummary(summary(r.value))}\n`);
  }
  if (r.errors) process.exitCode = 1;
}

async function match(file: string, o: MatchOpts): Promise<void> {
  const r = await loadDispatchfile(file);
  if (r.errors) {
    if (o.json) printJson({ ok: false, errors: r.errors, warnings: r.warnings });
    else process.stderr.write(`${formatLines(r.errors)}\n`);
    process.exitCode = 1;
    return;
  }
  const push = o.repository === undefined ? { tag: o.tag } : { repository: o.repository, tag: o.tag };
  const result = matchImagePush(r.value, push);
  if (o.json) {
    printJson({ ...push, ...result });
    return;
  }
  const what = `${o.repository === undefined ? "" : `${o.repository}:`}${o.tag}`;
  if (result.actions.length === 0) {
    process.stdout.write(`push of ${what}: no action matches; nothing would run\n`);
    return;
  }
  process.stdout.write(
    `push of ${what}: ${result.actions.length === 1 ? "1 action matches" : `${result.actions.length} actions match`}\n`,
  );
  for (const i of result.actions) {
    const a = r.value.actions[i]!;
    const tags = a.on.image?.push.tags;
    process.stdout.write(
      `  actions[${i}]${a.name ? ` (${a.name})` : ""}: tags ${tags && tags.length > 0 ? JSON.stringify(tags) : "(any)"} → ${a.tasks.join(", ")}\n`,
    );
  }
  process.stdout.write(`tasks, in order: ${result.tasks.join(" → ")}\n`);
}

function summary(d: Dispatchfile): {
  resources: number;
  tasks: number;
  actions: number;
  imagePushActions: number;
} {
  return {
    resources: Object.keys(d.resource).length,
    tasks: Object.keys(d.task).length,
    actions: d.actions.length,
    imagePushActions: d.actions.filter((a) => a.on.image).length,
  };
}

function describeSummary(s: ReturnType<typeof summary>): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `${n(s.resources, "resource")}, ${n(s.tasks, "task")}, ${n(s.actions, "action")} (${s.imagePushActions} on image push)`;
}

/** `file:line:col: message (expected …, found …) [CODE]`, one problem a line. */
function formatLines(problems: readonly Problem[], prefix = ""): string {
  return problems
    .map((p) => {
      const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
      const detail =
        p.expected === undefined
          ? ""
          : ` (expected ${p.expected}${p.found === undefined ? "" : `, found ${p.found}`})`;
      return `${where ? `${where}: ` : ""}${prefix}${p.message}${detail} [${p.code}]`;
    })
    .join("\n");
}

function printWarnings(warnings: readonly Problem[]): void {
  if (warnings.length > 0) process.stderr.write(`${formatLines(warnings, "warning: ")}\n`);
}
