/** events list · runs list|show · logs · trigger: read and change state on a running server. */
import { InvalidArgumentError, type Command } from "commander";
import type { JobRecord, LogEntry, Run } from "@bosun/core";
import type { StoredEvent } from "@bosun/store";
import { duration, printJson, printTable, shortTime, visible } from "../output.js";
import { action, clientFrom, withServer } from "./common.js";
import { registerEventCancel, registerRunActions } from "./run-actions.js";

interface ListOpts {
  server?: string;
  token?: string;
  data?: string;
  project?: string;
  event?: string;
  registry?: string;
  repository?: string;
  tag?: string;
  status?: string;
  since?: string;
  until?: string;
  before?: string;
  limit?: string;
  json?: boolean;
}

/** The filters `events list` and `runs list` share, passed to the API as they are (it checks them). */
function withFilters(command: Command): Command {
  return command
    .option("--project <name>")
    .option("--registry <kind>", "the registry the event came from (dockerhub, harbor, cli...)")
    .option("--repository <path>", "the pushed image's repository, e.g. myorg/app")
    .option("--tag <tag>", "the pushed image's tag")
    .option("--since <time>", "received or started at or after (RFC 3339, or a date)")
    .option("--until <time>", "received or started before (RFC 3339, or a date)")
    .option("--before <id>", "the page after this id (printed as `next` by the previous page)")
    .option("--limit <n>", "at most this many (1-1000)", limitOption, "50");
}

const filtersOf = (o: ListOpts) => ({
  project: o.project,
  registry: o.registry,
  repository: o.repository,
  tag: o.tag,
  since: o.since,
  until: o.until,
  before: o.before,
  limit: o.limit,
});

/** A verified webhook's push (verifyWith): what the registry said, or "-" for an event not verified. */
function verificationOf(e: StoredEvent): string {
  const v = "verification" in e ? e.verification : undefined;
  if (!v) return "-";
  if ("digest" in v) return `yes (${v.account}: ${v.digest})`;
  if ("refused" in v) return `no, not run: ${v.refused}`;
  return `waiting: registry ${v.account} unreachable (${v.unreachable}); asked again at ${shortTime(v.retryAt)}`;
}

/** Where the next page starts, on stderr so the table stays a table. */
function printNext(next: string | undefined, command: string): void {
  if (next) process.stderr.write(`more: bosun ${command} --before ${next}\n`);
}

export function registerStateCommands(program: Command): void {
  const events = program.command("events").description("events received from registries");
  withFilters(withServer(events.command("list")))
    .description("list events, newest first")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        const { events: list, next } = await clientFrom(o).get<{ events: StoredEvent[]; next?: string }>(
          "/events",
          filtersOf(o),
        );
        if (o.json) return printJson(list);
        printNext(next, "events list");
        // The column of verified webhooks (verifyWith) only when one of the events listed is one.
        const verified = list.some((e) => "verification" in e && e.verification !== undefined);
        printTable(
          [
            "ID",
            "PROJECT",
            "SOURCE",
            "TYPE",
            "IMAGE",
            "STATE",
            "RECEIVED",
            ...(verified ? ["VERIFIED"] : []),
          ],
          list.map((e) => [
            e.id,
            e.project,
            e.source,
            e.type,
            e.image?.ref ?? "-",
            e.state,
            shortTime(e.receivedAt),
            ...(verified ? [verificationOf(e)] : []),
          ]),
        );
      }),
    );

  registerEventCancel(events);

  const runs = program.command("runs").description("runs of project handlers");
  withFilters(withServer(runs.command("list")))
    .description("list runs, newest first")
    .option("--event <id>")
    .option(
      "--status <status>",
      "queued, running, succeeded, failed, timed_out, out_of_memory, cancelled, abandoned",
    )
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        const { runs: list, next } = await clientFrom(o).get<{ runs: Run[]; next?: string }>("/runs", {
          ...filtersOf(o),
          event: o.event,
          status: o.status,
        });
        if (o.json) return printJson(list);
        printNext(next, "runs list");
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
  registerRunActions(runs);
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
              requestLine(run) +
              `status ${run.status}${run.error ? `: ${run.error.message}` : ""}\n` +
              stackFrames(run.error),
          ) + "\n",
        );
        printTable(
          ["JOB", "IMAGE", "STATUS", "EXIT", "TOOK"],
          run.jobs.map((j) => [
            j.name,
            j.image,
            j.reusedFrom ? `${j.status} (reused from run ${j.reusedFrom.runId})` : j.status,
            j.exitCode,
            duration(j.startedAt, j.finishedAt),
          ]),
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
          // A queued run (a rerun or retry not claimed yet) is followed too: its logs are still to come.
          if (!o.follow || !["queued", "running"].includes(page.run.status)) break;
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
        const r = await clientFrom(o).post<TriggerAnswer>(
          `/projects/${encodeURIComponent(o.project ?? "")}/trigger`,
          { registry, repository: o.repository, tag: o.tag },
        );
        const accepted = r.accepted ?? [];
        const merged = r.merged ?? [];
        const declined = r.declined ?? [];
        if (accepted.length === 0 && merged.length === 0 && declined.length > 0) {
          // The store declined it (a tag policy's best tag is newer): the gateway's 200, with why.
          process.exitCode = 1;
          if (o.json) return printJson(r);
          const why = declined.map((d) => d.reason).join("; ");
          process.stderr.write(`error: ${why}; nothing was stored or run\n`);
          return;
        }
        if (merged.length > 0 && accepted.length === 0) {
          if (o.json) return printJson(r);
          process.stdout.write(
            `joined event(s) waiting for the other tags of the digest: ${merged.join(", ")}\n`,
          );
          return;
        }
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

/** The gateway's answer to a push (docs/gateways.md, "Answers"). */
interface TriggerAnswer {
  accepted?: string[];
  merged?: string[];
  duplicates?: number;
  declined?: { ref: string; reason: string }[];
}

/** --limit: a count the server takes (1 to 1000), refused rather than silently replaced. */
export function limitOption(value: string): string {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new InvalidArgumentError("expected a whole number from 1 to 1000.");
  return value;
}

/** Whence the run came (a rerun or retry) and who asked, or asked to cancel it. */
function requestLine(run: Run): string {
  const parts: string[] = [];
  if (run.rerunOf) parts.push(`rerun of ${run.rerunOf}`);
  if (run.retryOf) parts.push(`retry of ${run.retryOf}`);
  if (run.requestedBy) parts.push(`requested by ${run.requestedBy}`);
  if (run.cancelRequestedBy) parts.push(`cancel requested by ${run.cancelRequestedBy}`);
  return parts.length > 0 ? `${parts.join(", ")}\n` : "";
}

/** A script's stack below the status line, without its first line when that repeats the message. */
function stackFrames(error: Run["error"]): string {
  if (!error?.stack) return "";
  const [first = "", ...rest] = error.stack.split("\n");
  const lines = first.includes(error.message) ? rest : [first, ...rest];
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
