/**
 * login docker|git · logout docker|git · credentials list: the registry and git logins of a project or
 * of a service account (which projects share by naming it), kept by the running server, sealed with its
 * key. Passwords come only from stdin or a file: a --password flag
 * would leave them in shell history and in `ps` for every user of the machine.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  describeOwner,
  normaliseTarget,
  type CredentialKind,
  type CredentialOwner,
  type CredentialSummary,
} from "@bosun/core";
import { printJson, printTable, shortTime } from "../output.js";
import { action, clientFrom, refuse, withServer } from "./common.js";

interface LoginOpts {
  server?: string;
  token?: string;
  data?: string;
  project?: string;
  serviceAccount?: string;
  registry?: string;
  host?: string;
  username: string;
  passwordStdin?: boolean;
  passwordFile?: string;
}

interface ListOpts {
  server?: string;
  token?: string;
  data?: string;
  project?: string;
  serviceAccount?: string;
  json?: boolean;
}

const KINDS: { kind: CredentialKind; flag: "registry" | "host"; what: string }[] = [
  { kind: "docker", flag: "registry", what: "a container registry (host[:port]; docker.io for Docker Hub)" },
  { kind: "git", flag: "host", what: "a git host for https clones (host[:port])" },
];

export function registerLoginCommands(program: Command): void {
  const login = program
    .command("login")
    .description("store a project's or a service account's registry or git login on the server");
  const logout = program
    .command("logout")
    .description("remove a project's or a service account's registry or git login");
  for (const { kind, flag, what } of KINDS) {
    withServer(login.command(kind))
      .description(`log a project or a service account in to ${what}`)
      .option("--project <name>", "the project's own login")
      .option("--service-account <name>", "a login for every project naming this service account")
      .requiredOption(`--${flag} <${flag}>`)
      .requiredOption("--username <name>")
      .option("--password-stdin", "read the password (or token) from stdin")
      .option("--password-file <file>", "read the password (or token) from a file")
      .action(
        action(async (o: LoginOpts) => {
          const owner = ownerOf(o);
          if (!owner) return;
          const password = await readPassword(o);
          if (password === undefined) return;
          const target = o[flag] ?? "";
          await clientFrom(o).put(path(owner, kind, target), { username: o.username, password });
          const shown = normaliseTarget(kind, target) ?? target;
          process.stdout.write(`logged in to ${shown} for ${describeOwner(owner)} as ${o.username.trim()}\n`);
        }),
      );
    withServer(logout.command(kind))
      .description(`remove a project's or a service account's login to ${what}`)
      .option("--project <name>")
      .option("--service-account <name>")
      .requiredOption(`--${flag} <${flag}>`)
      .action(
        action(async (o: LoginOpts) => {
          const owner = ownerOf(o);
          if (!owner) return;
          const target = o[flag] ?? "";
          await clientFrom(o).delete(path(owner, kind, target));
          process.stdout.write(
            `logged out of ${normaliseTarget(kind, target) ?? target} for ${describeOwner(owner)}\n`,
          );
        }),
      );
  }

  const credentials = program
    .command("credentials")
    .description("the logins projects hold (never passwords)");
  withServer(credentials.command("list"))
    .description("list logins: owner (project or service account), kind, registry or host, username")
    .option("--project <name>")
    .option("--service-account <name>")
    .option("--json", "machine-readable output")
    .action(
      action(async (o: ListOpts) => {
        if (o.project && o.serviceAccount) return refuse("give --project or --service-account, not both");
        const owner: CredentialOwner | undefined = o.project
          ? { project: o.project }
          : o.serviceAccount
            ? { serviceAccount: o.serviceAccount }
            : undefined;
        const { credentials: list } = await clientFrom(o).get<{ credentials: CredentialView[] }>(
          owner ? `${ownerPath(owner)}/credentials` : "/credentials",
        );
        if (o.json) return printJson(list);
        printTable(
          ["OWNER", "KIND", "TARGET", "USERNAME", "UPDATED"],
          list.map((c) => [
            c.project ?? `serviceaccount/${c.serviceAccount ?? ""}`,
            c.kind,
            c.target,
            c.username,
            shortTime(c.updatedAt),
          ]),
        );
      }),
    );
}

/** A login as the API lists it: its owner is a project or a service account. */
type CredentialView = Omit<CredentialSummary, "project"> & { project?: string; serviceAccount?: string };

/** Exactly one of --project and --service-account, or a refusal already printed. */
function ownerOf(o: LoginOpts): CredentialOwner | undefined {
  if (Boolean(o.project) === Boolean(o.serviceAccount)) {
    refuse("give exactly one of --project <name> or --service-account <name>");
    return undefined;
  }
  return o.project ? { project: o.project } : { serviceAccount: o.serviceAccount ?? "" };
}

function ownerPath(owner: CredentialOwner): string {
  return "project" in owner
    ? `/projects/${encodeURIComponent(owner.project)}`
    : `/serviceaccounts/${encodeURIComponent(owner.serviceAccount)}`;
}

function path(owner: CredentialOwner, kind: CredentialKind, target: string): string {
  return `${ownerPath(owner)}/credentials/${kind}/${encodeURIComponent(target)}`;
}

/** The password from stdin or a file, less one trailing newline (what `echo` and editors add). */
async function readPassword(o: LoginOpts): Promise<string | undefined> {
  if (Boolean(o.passwordStdin) === (o.passwordFile !== undefined)) {
    return refuse("give the password with exactly one of --password-stdin or --password-file <file>");
  }
  let raw: string;
  try {
    raw = o.passwordStdin ? await readStdin() : await readFile(o.passwordFile ?? "", "utf8");
  } catch (err) {
    return refuse(`cannot read the password file ${o.passwordFile}: ${(err as Error).message}`);
  }
  const password = raw.replace(/\r?\n$/, "");
  if (!password)
    return refuse(`the password ${o.passwordStdin ? "on stdin" : `in ${o.passwordFile}`} is empty`);
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
