/** Runs the real `bosun serve` command as a child process, as a user would, for end-to-end tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@bosun/test-support";
import { ApiHelper } from "./api.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../../bin/bosun.js");

export interface BosunProcessOptions {
  /** bosun.yaml content; `${PORT}` is replaced by the chosen port. */
  config: string;
  /** Files written next to bosun.yaml (scripts, payloads). */
  files?: Record<string, string>;
  env?: Record<string, string>;
  port?: number;
  /** The command and its own flags (default ["serve"]). */
  command?: string[];
  /** Run in another process's folder, sharing its config and data dir (and so its store). */
  dir?: string;
}

export class BosunProcess {
  child?: ChildProcess;
  stderr = "";
  readonly api: ApiHelper;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly command: string[] = ["serve"],
  ) {
    this.api = new ApiHelper(`http://127.0.0.1:${port}`, () =>
      readFileSync(join(dir, "data", "admin-token"), "utf8").trim(),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: BosunProcessOptions): Promise<BosunProcess> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "bosun-e2e-"));
    const port = options.port ?? (await freePort());
    for (const [name, content] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    if (!options.dir)
      writeFileSync(join(dir, "bosun.yaml"), options.config.replaceAll("${PORT}", String(port)));
    const p = new BosunProcess(dir, port, options.env ?? {}, options.command);
    await p.restart();
    return p;
  }

  /** Starts (again) on the same config and data dir; resolves once it listens. */
  async restart(): Promise<void> {
    this.stderr = "";
    const child = spawn(
      process.execPath,
      [
        "--no-node-snapshot",
        BIN,
        ...this.command,
        "--config",
        join(this.dir, "bosun.yaml"),
        "--data",
        join(this.dir, "data"),
        "--port",
        String(this.port),
      ],
      {
        cwd: this.dir,
        env: { ...process.env, BOSUN_LOG_LEVEL: "warn", ...this.env },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bosun serve did not start:\n${this.stderr}`)), 30_000);
      child.stderr!.on("data", (chunk: Buffer) => {
        this.stderr += chunk.toString();
        if (this.stderr.includes("bosun listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`bosun serve exited with ${code}:\n${this.stderr}`));
      });
    });
  }

  /** Resolves with the exit code once the process ended by itself; rejects after timeoutMs. */
  exited(timeoutMs: number): Promise<number | null> {
    const child = this.child!;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bosun did not exit:\n${this.stderr}`)), timeoutMs);
      // "close", not "exit": its stderr is read to the end by then.
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** SIGKILL: no shutdown code runs, as when a machine dies. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      await this.kill();
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
