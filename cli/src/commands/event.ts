/** `bosun event create`: records an event of any source and type for a project on a running server. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CLI_EVENT_SOURCE } from "@bosun/core";
import type { StoredEvent } from "@bosun/store";
import { printJson } from "../output.js";
import { action, clientFrom, CommandError, withServer } from "./common.js";

interface CreateOpts {
  server?: string;
  token?: string;
  data?: string;
  project: string;
  type: string;
  source: string;
  payload?: string;
  json?: boolean;
}

export function registerEventCommands(program: Command): void {
  const event = program
    .command("event")
    .description("events created by hand (Brigade's `brig event create`)");
  withServer(event.command("create"))
    .description("record an event for a project that takes its source and type; its script runs for it")
    .requiredOption("--project <name>")
    .requiredOption("--type <type>", "event type, e.g. exec or deploy")
    .option("--source <source>", "Brigade v2 source", CLI_EVENT_SOURCE)
    .option("--payload <file>", "the event's payload, handed to the script as is (- for stdin)")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: CreateOpts) => {
        const payload = o.payload === undefined ? undefined : readPayload(o.payload);
        const { event: created } = await clientFrom(o).post<{ event: Omit<StoredEvent, "payload"> }>(
          "/events",
          {
            project: o.project,
            source: o.source,
            type: o.type,
            ...(payload === undefined ? {} : { payload }),
          },
        );
        if (o.json) return printJson(created);
        process.stdout.write(
          `created event ${created.id} (${created.source} ${created.type}) for ${created.project}\n`,
        );
      }),
    );
}

function readPayload(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    const name = file === "-" ? "stdin" : `the file ${file}`;
    throw new CommandError(`--payload: cannot read ${name}: ${(err as Error).message}`);
  }
}
