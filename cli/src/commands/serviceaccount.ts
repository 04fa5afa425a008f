/**
 * serviceaccount create|list|remove: named owners of registry and git logins that several projects
 * share, as Dispatch's service accounts are. A project names its account (`serviceAccount:` in
 * bosun.yaml); its jobs and clones then use that account's logins and its own.
 */
import type { Command } from "commander";
import type { ServiceAccount } from "@bosun/core";
import { printJson, printTable, shortTime } from "../output.js";
import { action, clientFrom, withServer } from "./common.js";

interface Opts {
  server?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

type AccountView = ServiceAccount & { projects: string[] };

export function registerServiceAccountCommands(program: Command): void {
  const accounts = program
    .command("serviceaccount")
    .description("service accounts: logins shared by the projects that name them");
  withServer(accounts.command("create <name>"))
    .description("create a service account (then: bosun login docker|git --service-account <name> ...)")
    .action(
      action(async (name: string, o: Opts) => {
        await clientFrom(o).post<AccountView>("/serviceaccounts", { name });
        process.stdout.write(`created service account ${name}\n`);
      }),
    );
  withServer(accounts.command("list"))
    .description("list service accounts and the projects that name them")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: Opts) => {
        const { serviceAccounts } = await clientFrom(o).get<{ serviceAccounts: AccountView[] }>(
          "/serviceaccounts",
        );
        if (o.json) return printJson(serviceAccounts);
        printTable(
          ["NAME", "PROJECTS", "CREATED"],
          serviceAccounts.map((a) => [a.name, a.projects.join(",") || "-", shortTime(a.createdAt)]),
        );
      }),
    );
  withServer(accounts.command("remove <name>"))
    .description("remove a service account and its logins (refused while a project names it)")
    .action(
      action(async (name: string, o: Opts) => {
        await clientFrom(o).delete(`/serviceaccounts/${encodeURIComponent(name)}`);
        process.stdout.write(`removed service account ${name} and its logins\n`);
      }),
    );
}
