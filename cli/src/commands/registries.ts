/** bosun registries list|check NAME · bosun poll now: the watched registries, from a running server. */
import type { Command } from "commander";
import { isErrorCode } from "@bosun/core";
import type { ClientOptions } from "../client.js";
import { printJson, printTable, shortTime } from "../output.js";
import { action, clientFrom, CommandError, withServer } from "./common.js";

interface RegistryView {
  name: string;
  address: string;
  repositories?: string[];
  catalog?: boolean;
  login: string;
  intervalMs: number;
  platform: string;
  repositoriesWatched: { repository: string; tags: number; recordedAt?: string; leaseOwner?: string }[];
}

interface ScanView {
  account: string;
  repository?: string;
  leased?: boolean;
  firstScan?: boolean;
  tags?: number;
  changed?: { tag: string; digest: string }[];
  deleted?: string[];
  fired?: number;
  duplicates?: number;
  error?: { code: string; message: string };
}

type Json = ClientOptions & { json?: boolean };

export function registerRegistriesCommands(program: Command): void {
  const registries = program.command("registries").description("the registries the server watches (polls)");
  withServer(registries.command("list"))
    .description(
      "each watched registry: address, what it watches, its login (never a password), repositories seen",
    )
    .option("--json", "machine-readable output")
    .action(
      action(async (o: Json) => {
        const { registries: list } = await clientFrom(o).get<{ registries: RegistryView[] }>("/registries");
        if (o.json) return printJson(list);
        printTable(
          ["NAME", "ADDRESS", "WATCHES", "LOGIN", "INTERVAL", "REPOSITORIES SEEN"],
          list.map((r) => [
            r.name,
            r.address,
            r.catalog ? "catalog" : (r.repositories ?? []).join(", "),
            r.login,
            `${Math.round(r.intervalMs / 1000)}s`,
            r.repositoriesWatched
              .filter((w) => w.recordedAt)
              .map((w) => `${w.repository} (${w.tags} tags, ${shortTime(w.recordedAt)})`)
              .join(", ") || "none yet",
          ]),
        );
      }),
    );
  withServer(registries.command("check <name>"))
    .description("log in to a watched registry and list what it watches, without firing anything")
    .option("--json", "machine-readable output")
    .action(
      action(async (name: string, o: Json) => {
        const r = await clientFrom(o).post<{
          ok: boolean;
          repositories?: string[];
          error?: { code: string; message: string };
        }>(`/registries/${encodeURIComponent(name)}/check`, {});
        if (o.json) printJson(r);
        else if (r.ok)
          process.stdout.write(
            `${name}: logged in; watching ${r.repositories?.join(", ") || "no repositories"}\n`,
          );
        if (!r.ok) {
          if (o.json) process.exitCode = 1;
          else
            throw new CommandError(
              `${name}: ${r.error?.message ?? "check failed"}`,
              isErrorCode(r.error?.code) ? r.error.code : "INTERNAL",
            );
        }
      }),
    );
  const poll = program.command("poll").description("scan watched registries");
  withServer(poll.command("now"))
    .description("scan now, firing for new and moved tags as the timers would")
    .option("--account <name>", "only this watched registry")
    .option("--repository <name>", "only this repository of it (with --account)")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: Json & { account?: string; repository?: string }) => {
        const { scans } = await clientFrom(o).post<{ scans: ScanView[] }>("/poll", {
          ...(o.account ? { account: o.account } : {}),
          ...(o.repository ? { repository: o.repository } : {}),
        });
        if (o.json) printJson(scans);
        else
          printTable(
            ["REGISTRY", "REPOSITORY", "TAGS", "CHANGED", "DELETED", "FIRED", "NOTE"],
            scans.map((s) => [
              s.account,
              s.repository ?? "",
              s.tags ?? "",
              (s.changed ?? []).map((c) => c.tag).join(", "),
              (s.deleted ?? []).join(", "),
              s.fired ?? "",
              s.error
                ? `${s.error.code}: ${s.error.message}`
                : s.leased
                  ? "scanned by another process"
                  : s.firstScan
                    ? "first scan: recorded"
                    : s.duplicates
                      ? `${s.duplicates} already stored`
                      : "",
            ]),
          );
        if (scans.some((s) => s.error)) process.exitCode = 1;
      }),
    );
}
