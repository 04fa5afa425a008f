/**
 * A throwaway PostgreSQL server for tests: Debian's PostgreSQL 15 binaries, a fresh cluster in a temp
 * folder, a free port, its unix socket inside that folder, trust authentication (local tests only) and
 * fsync left on, because durability is what the store tests are about.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./podman.js";

const run = promisify(execFile);

/** Where Debian's postgresql-15 package puts the server binaries. */
export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** The folder holding the cluster (data/), its socket and log. */
  readonly dir: string;
  /** Stops the server (fast shutdown); the data stays, so start() brings it back with everything. */
  pause(): Promise<void>;
  /** Starts the server again after pause(), on the same port. */
  resume(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** The folder of initdb and pg_ctl; default POSTGRES_BIN. */
  bin?: string;
}

/** Starts a fresh cluster; rejects with a clear message when the binaries are not installed. */
export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const bin = options.bin ?? POSTGRES_BIN;
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(bin, tool))) {
      throw new Error(
        `PostgreSQL 15 is not installed (${join(bin, tool)} is missing): ` +
          `run scripts/setup-machine.sh or apt-get install postgresql`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "bosun-postgres-"));
  const asRoot = userInfo().uid === 0;
  // The server refuses to run as root: the cluster belongs to the postgres user then.
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const tool = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, name), ...args]) : run(join(bin, name), args);
  const data = join(dir, "data");
  const port = await freePort();
  const start = () =>
    tool("pg_ctl", [
      "start",
      "-D",
      data,
      "-w",
      "-l",
      join(dir, "server.log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`,
    ]);
  const stopServer = () => tool("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w"]);
  try {
    await tool("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-instructions"]);
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${describe(err)}`, { cause: err });
  }
  let running = true;
  // A test run that ends without stop() must not leave a server behind.
  const onExit = () => {
    const args = ["stop", "-D", data, "-m", "immediate"];
    try {
      if (running && asRoot) execFileSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args]);
      else if (running) execFileSync(join(bin, "pg_ctl"), args);
    } catch {
      // Exiting anyway.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async pause() {
      if (!running) return;
      await stopServer();
      running = false;
    },
    async resume() {
      if (running) return;
      await start();
      running = true;
    },
    async stop() {
      try {
        if (running) await stopServer();
      } finally {
        running = false;
        process.removeListener("exit", onExit);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function describe(err: unknown): string {
  const { message, stderr } = err as { message?: string; stderr?: string };
  return (stderr && stderr.trim()) || message || String(err);
}
