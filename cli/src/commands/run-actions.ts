/** runs rerun|retry|cancel, events cancel: act on a run or event through a running server. */
import type { Command } from "commander";
import type { Run } from "@bosun/core";
import { printJson } from "../output.js";
import { action, clientFrom, withServer } from "./common.js";

interface ActionOpts {
  server?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

const ACTIONS = {
  rerun: "run the run's event again from the start, as a new run",
  retry: "run a failed run again, reusing the jobs that succeeded in it (unchanged ones)",
  cancel: "cancel a queued or running run: its jobs are stopped and their containers removed",
} as const;

export function registerRunActions(runs: Command): void {
  for (const [name, description] of Object.entries(ACTIONS)) {
    withServer(runs.command(`${name} <id>`))
      .description(description)
      .option("--json", "machine-readable output")
      .action(
        action(async (id: string, o: ActionOpts) => {
          const { run } = await clientFrom(o).post<{ run: Run }>(
            `/runs/${encodeURIComponent(id)}/${name}`,
            {},
          );
          if (o.json) return printJson(run);
          process.stdout.write(`${describe(name, id, run)}\n`);
        }),
      );
  }
}

export function registerEventCancel(events: Command): void {
  withServer(events.command("cancel <id>"))
    .description("cancel an event: a queued one never runs; its queued or running run is cancelled")
    .option("--json", "machine-readable output")
    .action(
      action(async (id: string, o: ActionOpts) => {
        const { run } = await clientFrom(o).post<{ run: Run }>(
          `/events/${encodeURIComponent(id)}/cancel`,
          {},
        );
        if (o.json) return printJson(run);
        process.stdout.write(`event ${id}: ${describe("cancel", run.id, run)}\n`);
      }),
    );
}

function describe(name: string, id: string, run: Run): string {
  if (name !== "cancel") return `run ${run.id} queued: a ${name} of run ${id} (bosun runs show ${run.id})`;
  if (run.status === "running") return `run ${id}: cancel requested; its worker stops its jobs`;
  return `run ${id} ${run.status}`;
}
