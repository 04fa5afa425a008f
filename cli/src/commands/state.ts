/** events list · runs list|show · logs · trigger: read and change state on a running server. */
import { InvalidArgumentError, type Command } from "commander";
import type { JobRecord, LogEntry, Run } from "@bosun/core";
import type { StoredEvent } from "@bosun/store";
import { duration, printJson, printTable, shortTime, visible } from "../output.js";
import { action, clientFrom, withServer } from "./common.js";

interface ListOpts {
  server?: string;
  token?: string;
  data?: string;
  project?: string;
  event?: string;
  limit?: string;
  json?: boolean;
}

export function registerStateCommands(program: Command): void {
  const events = program.command("events").description("events received from registries");
  withServer(events.command("list"))
    .description("list events, newest first")
    .option("--project <name>")
    .option("--limit <n>", "at most this many (1-1000)", limitOption, "50")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        const { events: list } = await clientFrom(o).get<{ events: StoredEvent[] }>("/events", {
          project: o.project,
          limit: o.limit,
        });
        if (o.json) return printJson(list);
        printTable(
          ["ID", "PROJECT", "SOURCE", "TYPE", "IMAGE", "STATE", "RECEIVED"],
          list.map((e) => [
            e.id,
            e.project,
            e.source,
            e.type,
            e.image?.ref ?? "-",
            e.state,
            shortTime(e.receivedAt),
          ]),
        );
      }),
    );

  const runs = program.command("runs").description("runs of project handlers");
  withServer(runs.command("list"))
    .description("list runs, newest first")
    .option("--project <name>")
    .option("--event <id>")
    .option("--limit <n>", "at most this many (1-1000)", limitOption, "50")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        const { runs: list } = await clientFrom(o).get<{ runs: Run[] }>("/runs", {
          project: o.project,
          event: o.event,
          limit: o.limit,
        });
        if (o.json) return printJson(list);
        printTable(
          ["ID", "PROJECT", "EVENT", "STATUS", "STARTED", "TOOK"],
          list.map((r) => [
            r.id,
            r.project,
            r.eventId,
            r.status,
            shortTime(r.createdAt),
            duration(r.createdAt, r.finishedAt),
          ]),
        );
      }),
    );
  withServer(runs.command("show <id>"))
    .description("a run with its jobs")
    .option("--json", "machine-readable output")
    .action(
      action(async (id: string, o: ListOpts) => {
        const run = await clientFrom(o).get<Run & { jobs: JobRecord[] }>(`/runs/${encodeURIComponent(id)}`);
        if (o.json) return printJson(run);
        process.stdout.write(
          visible(
            `run ${run.id}  project ${run.project}  event ${run.eventId}  attempt ${run.attempt}\n` +
              `status ${run.status}${run.error ? `: ${run.error.message}` : ""}\n` +
              stackFrames(run.error),
          ) + "\n",
        );
        printTable(
          ["JOB", "IMAGE", "STATUS", "EXIT", "TOOK"],
          run.jobs.map((j) => [j.name, j.image, j.status, j.exitCode, duration(j.startedAt, j.finishedAt)]),
        );
      }),
    );

  withServer(program.command("logs <run> [job]"))
    .description("a run's logs (the script's and its jobs'), or one job's")
    .option("--follow", "keep printing until the run finishes")
    .option("--json", "machine-readable output (one entry per line)")
    .action(
      action(async (runId: string, job: string | undefined, o: ListOpts & { follow?: boolean }) => {
        const client = clientFrom(o);
        let after = 0;
        for (;;) {
          const page = await client.get<{ run: { status: string }; logs: LogEntry[] }>(
            `/runs/${encodeURIComponent(runId)}/logs`,
            {
              job,
              after,
              limit: 1000,
            },
          );
          for (const entry of page.logs) {
            process.stdout.write(o.json ? `${JSON.stringify(entry)}\n` : visible(entry.text));
            after = entry.seq;
          }
          if (page.logs.length === 1000) continue;
          if (!o.follow || page.run.status !== "running") break;
          await new Promise((r) => setTimeout(r, 300));
        }
      }),
    );

  withServer(program.command("trigger <registry>"))
    .description("send a synthetic push through the real gateway of <registry>")
    .requiredOption("--project <name>")
    .requiredOption("--repository <repo>", "e.g. myorg/app")
    .requiredOption("--tag <tag>")
    .option("--json", "machine-readable output")
    .action(
      action(async (registry: string, o: ListOpts & { repository: string; tag: string }) => {
        const r = await clientFrom(o).post<{ accepted?: string[]; duplicates?: number }>(
          `/projects/${encodeURIComponent(o.project ?? "")}/trigger`,
          { registry, repository: o.repository, tag: o.tag },
        );
        const accepted = r.accepted ?? [];
        if (accepted.length === 0 && !r.duplicates) {
          // The gateway's 200 "ignored": a valid push that none of the project's subscriptions takes.
          process.exitCode = 1;
          if (o.json) return printJson(r);
          process.stderr.write(
            `error: no subscription of project "${o.project}" takes the ${registry} push of ` +
              `${o.repository}:${o.tag}; nothing was stored or run (see \`bosun project show ${o.project}\`)\n`,
          );
          return;
        }
        if (o.json) return printJson(r);
        const again = r.duplicates ? ` (${r.duplicates} already received before, not stored again)` : "";
        process.stdout.write(`accepted ${accepted.length} event(s): ${accepted.join(", ")}${again}\n`);
      }),
    );
}

/** --limit: a count the server takes (1 to 1000), refused rather than silently replaced. */
export function limitOption(value: string): string {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new InvalidArgumentError("expected a whole number from 1 to 1000.");
  return value;
}

/** A script's stack below the status line, without its first line when that repeats the message. */
function stackFrames(error: Run["error"]): string {
  if (!error?.stack) return "";
  const [first = "", ...rest] = error.stack.split("\n");
  const lines = first.includes(error.message) ? rest : [first, ...rest];
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
