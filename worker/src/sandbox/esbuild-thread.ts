/**
 * esbuild, run in a worker thread started with an empty environment: the esbuild process it spawns
 * inherits that, not the server's (secrets given through `${env:...}` among them). One thread,
 * started on first use, serving one build at a time per request; it does not keep the process alive
 * while idle, and a new one is started if it ever exits.
 */
import type * as esbuild from "esbuild";
import { Worker } from "node:worker_threads";

export type ThreadRequest =
  /** nodeModules: the script's installed dependencies, outside its folder (dependencies.ts). */
  { kind: "script"; entry: string; root: string; nodeModules?: string } | { kind: "runtime"; file: string };

export type ThreadMessage = Pick<esbuild.Message, "text" | "pluginName" | "location">;

export type ThreadReply =
  | { ok: true; outputs: { path: string; text: string }[]; inputs: string[] }
  | { ok: false; message: string; errors: ThreadMessage[] };

interface Pending {
  resolve(reply: ThreadReply): void;
  reject(error: Error): void;
}

let thread: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  const worker = new Worker(new URL("./esbuild-thread-main.js", import.meta.url), { env: {} });
  worker.on("message", ({ id, reply }: { id: number; reply: ThreadReply }) => {
    const waiting = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    waiting?.resolve(reply);
  });
  const lost = (error: Error) => {
    if (thread === worker) thread = undefined;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(error);
  };
  worker.on("error", lost);
  worker.on("exit", (code) => lost(new Error(`the bundling thread exited (code ${code})`)));
  return worker;
}

/** Runs one esbuild build in the thread. Rejects only when the thread itself fails. */
export function buildInThread(request: ThreadRequest): Promise<ThreadReply> {
  thread ??= start();
  const worker = thread;
  const id = nextId++;
  worker.ref();
  return new Promise<ThreadReply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, request });
  });
}
