/**
 * `bosun deliveries list|show|redeliver` and `bosun explain`: what each webhook request became and
 * why, and which of a project's subscriptions would take a push.
 */
import type { Command } from "commander";
import type { Run } from "@bosun/core";
import type { Delivery } from "@bosun/store";
import { printJson, printTable, shortTime, visible } from "../output.js";
import { action, clientFrom, CommandError, withServer } from "./common.js";
import { limitOption } from "./state.js";

interface ServerOpts {
  server?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

interface ListOpts extends ServerOpts {
  project?: string;
  registry?: string;
  outcome?: string;
  repository?: string;
  tag?: string;
  since?: string;
  until?: string;
  before?: string;
  limit?: string;
}

interface ExplainOpts extends ServerOpts {
  project?: string;
  registry?: string;
  repository?: string;
  tag?: string;
  delivery?: string;
}

type DeliverySummary = Omit<Delivery, "body">;

interface Verdict {
  takes: boolean;
  subscriptions: { subscription: unknown; takes: boolean; reason?: string }[];
  reasons: string[];
}

export function registerDeliveryCommands(program: Command): void {
  const deliveries = program
    .command("deliveries")
    .description(
      "webhook requests as received: what each became (accepted, duplicate, ignored, rejected) and why",
    );
  withServer(deliveries.command("list"))
    .description("list deliveries, newest first")
    .option("--project <name>")
    .option("--registry <kind>")
    .option("--outcome <outcome>", "accepted, duplicate, ignored or rejected")
    .option("--repository <repository>", "deliveries that reported an image of this repository")
    .option("--tag <tag>", "deliveries that reported this tag")
    .option("--since <time>", "received at or after this time (RFC 3339)")
    .option("--until <time>", "received before this time (RFC 3339)")
    .option("--before <id>", "older than this delivery (the next page)")
    .option("--limit <n>", "at most this many (1-1000)", limitOption, "50")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        const page = await clientFrom(o).get<{ deliveries: DeliverySummary[]; next?: string }>(
          "/deliveries",
          {
            project: o.project,
            registry: o.registry,
            outcome: o.outcome,
            repository: o.repository,
            tag: o.tag,
            since: o.since,
            until: o.until,
            before: o.before,
            limit: o.limit,
          },
        );
        if (o.json) return printJson(page);
        printTable(
          ["ID", "RECEIVED", "PROJECT", "REGISTRY", "OUTCOME", "IMAGES", "EVENTS"],
          page.deliveries.map((d) => [
            d.id,
            shortTime(d.receivedAt),
            d.project,
            d.registry,
            d.outcome,
            imagesText(d) || undefined,
            d.eventIds.length,
          ]),
        );
        if (page.next) process.stdout.write(`more: --before ${page.next}\n`);
      }),
    );
  withServer(deliveries.command("show <id>"))
    .description("a delivery: its headers, body, outcome and reasons, and the runs that followed")
    .option("--json", "machine-readable output")
    .action(
      action(async (id: string, o: ServerOpts) => {
        const d = await clientFrom(o).get<Delivery & { runs: Run[] }>(
          `/deliveries/${encodeURIComponent(id)}`,
        );
        if (o.json) return printJson(d);
        const lines = [
          `delivery ${d.id}  ${d.registry} → ${d.project}  ${shortTime(d.receivedAt)}`,
          `outcome ${d.outcome}${d.problem ? `: ${d.problem.message} [${d.problem.code}]` : ""}`,
          ...(d.replayOf ? [`replays ${d.replayOf}`] : []),
          ...(d.images.length ? [`images ${imagesText(d)}`] : []),
          ...(d.eventIds.length ? [`events ${d.eventIds.join(", ")}`] : []),
          ...(d.duplicateOf.length ? [`repeats events ${d.duplicateOf.join(", ")}`] : []),
          ...ignoredLines(d),
          "headers",
          ...Object.entries(d.headers).map(([name, value]) => `  ${name}: ${value}`),
          `body${d.bodyTruncated ? " (truncated)" : ""}`,
          d.body,
        ];
        process.stdout.write(`${visible(lines.join("\n"))}\n`);
        if (d.runs.length) {
          process.stdout.write("\n");
          printTable(
            ["RUN", "EVENT", "STATUS", "STARTED"],
            d.runs.map((r) => [r.id, r.eventId, r.status, shortTime(r.createdAt)]),
          );
        }
      }),
    );
  withServer(deliveries.command("redeliver <id>"))
    .description(
      "send a recorded delivery through its gateway again, matched against the subscriptions as they are now",
    )
    .option("--json", "machine-readable output")
    .action(
      action(async (id: string, o: ServerOpts) => {
        const r = await clientFrom(o).post<{ delivery: DeliverySummary; answer: { status: number } }>(
          `/deliveries/${encodeURIComponent(id)}/redeliver`,
          {},
        );
        if (o.json) return printJson(r);
        const { delivery: d } = r;
        process.stdout.write(
          visible(
            `delivery ${d.id} replays ${id}: ${d.outcome}` +
              (d.eventIds.length ? `, events ${d.eventIds.join(", ")}` : "") +
              "\n" +
              ignoredLines(d)
                .map((l) => `${l}\n`)
                .join(""),
          ),
        );
      }),
    );

  withServer(program.command("explain"))
    .description("which of a project's subscriptions take a push, and why the others do not")
    .option("--project <name>")
    .option("--registry <kind>")
    .option("--repository <repository>")
    .option("--tag <tag>")
    .option(
      "--delivery <id>",
      "explain a recorded delivery's images against the subscriptions as they are now",
    )
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ExplainOpts) => {
        const client = clientFrom(o);
        if (o.delivery) {
          const r = await client.get<{
            id: string;
            outcome: string;
            project: string;
            configured: boolean;
            now?: ({ repository: string; tag?: string } & Verdict)[];
          }>(`/deliveries/${encodeURIComponent(o.delivery)}/explain`);
          if (o.json) return printJson(r);
          const out = [`delivery ${r.id} to ${r.project} was ${r.outcome}`];
          if (!r.configured) out.push(`project ${r.project} is no longer configured`);
          for (const image of r.now ?? [])
            out.push(...verdictLines(`${image.repository}:${image.tag ?? "(no tag)"}`, image));
          process.stdout.write(`${visible(out.join("\n"))}\n`);
          return;
        }
        const missing = (["project", "registry", "repository"] as const).filter((k) => !o[k]);
        if (missing.length)
          throw new CommandError(`explain needs --${missing.join(", --")} (and --tag), or --delivery <id>`);
        const r = await client.post<Verdict & { repository: string; tag?: string }>("/explain", {
          project: o.project,
          registry: o.registry,
          repository: o.repository,
          ...(o.tag === undefined ? {} : { tag: o.tag }),
        });
        if (o.json) return printJson(r);
        process.stdout.write(
          `${visible(verdictLines(`${r.repository}:${r.tag ?? "(no tag)"}`, r).join("\n"))}\n`,
        );
      }),
    );
}

function imagesText(d: DeliverySummary): string {
  return d.images.map((i) => (i.tag === undefined ? i.repository : `${i.repository}:${i.tag}`)).join(", ");
}

function ignoredLines(d: DeliverySummary): string[] {
  return d.ignored.flatMap((i) => [
    `ignored ${i.what || "(the request)"}`,
    ...i.reasons.map((r) => `  ${r}`),
  ]);
}

function verdictLines(image: string, v: Verdict): string[] {
  const lines = [v.takes ? `${image}: taken` : `${image}: not taken`];
  v.subscriptions.forEach((s, i) =>
    lines.push(
      `  subscription ${i + 1} ${JSON.stringify(s.subscription)}: ${s.takes ? "takes it" : s.reason}`,
    ),
  );
  if (!v.takes && v.subscriptions.length === 0) lines.push(...v.reasons.map((r) => `  ${r}`));
  return lines;
}
