/**
 * The in-isolate runtime: evaluated first in every fresh isolate, before the script's bundle. It takes
 * the host functions off the global object, installs console, timers and the SDK's bridge, and
 * evaluates to the RuntimeApi the host calls into. It must not touch anything Node provides.
 */
// First: nothing may run in the isolate before the globals the memory limit cannot see are gone.
import "./runtime-lockdown.js";
import type { BRIDGE_GLOBAL, DispatchOutcome, Fault, HostBridge, JobReply, LogLevel } from "@bosun/sdk";
import {
  HOST_GLOBAL,
  type DispatchFn,
  type FaultMessage,
  type RawHost,
  type RuntimeApi,
} from "./protocol.js";
import { formatArgs } from "./runtime-format.js";
import { RuntimeTimers } from "./runtime-timers.js";

const BRIDGE: typeof BRIDGE_GLOBAL = "__bosun";
const global = globalThis as unknown as Record<string, unknown>;
// Captured before any script runs, so a script replacing them cannot disturb the runtime.
const { stringify, parse } = JSON;

const host = global[HOST_GLOBAL] as RawHost;
delete global[HOST_GLOBAL];

let jobsPending = 0;
let waiters: (() => void)[] = [];
const notify = () => {
  const woken = waiters;
  waiters = [];
  for (const wake of woken) wake();
};

let reportFault: (fault: Fault) => void = () => {};
const faulted = new Promise<Fault>((resolve) => {
  let done = false;
  reportFault = (fault) => {
    if (done) return;
    done = true;
    resolve(fault);
  };
});

const timers = new RuntimeTimers(
  host,
  (reason) => reportFault({ reason, trigger: "uncaughtException" }),
  notify,
);
const calls = new Map<number, (replyJson: string) => void>();
let nextCall = 1;

function runJob(requestJson: string): Promise<string> {
  const id = nextCall++;
  const refusal = host.runJob(id, String(requestJson));
  if (refusal !== undefined) {
    const reply: JobReply = { ok: false, error: parse(refusal) as Extract<JobReply, { ok: false }>["error"] };
    return Promise.resolve(stringify(reply));
  }
  jobsPending++;
  return new Promise((resolve) => calls.set(id, resolve));
}

function log(level: LogLevel, text: string): void {
  const refusal = host.log(String(level), String(text));
  if (refusal !== undefined) throw new TypeError((parse(refusal) as { message: string }).message);
}

/** Settles once no job and no referenced timer is pending, after a full macrotask turn. */
async function idle(): Promise<void> {
  for (;;) {
    if (jobsPending === 0 && timers.pending === 0) {
      await timers.tick();
      if (jobsPending === 0 && timers.pending === 0) return;
    } else {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
}

const bridge: HostBridge = Object.freeze({ runJob, log });
Object.defineProperty(global, BRIDGE, {
  value: bridge,
  enumerable: false,
  writable: false,
  configurable: false,
});

const write =
  (level: LogLevel) =>
  (...args: unknown[]) =>
    log(level, formatArgs(args));
const console = Object.freeze({
  log: write("info"),
  info: write("info"),
  debug: write("debug"),
  warn: write("warn"),
  error: write("error"),
  trace: (...args: unknown[]) => log("error", `Trace: ${formatArgs(args)}\n${new Error().stack ?? ""}`),
  dir: (value: unknown) => log("info", formatArgs([value])),
  assert: (condition: unknown, ...args: unknown[]) => {
    if (!condition) log("error", `Assertion failed${args.length ? `: ${formatArgs(args)}` : ""}`);
  },
});
const globals: Record<string, unknown> = {
  console,
  setTimeout: (cb: unknown, ms?: unknown, ...args: unknown[]) => timers.schedule(cb, ms, args, false),
  setInterval: (cb: unknown, ms?: unknown, ...args: unknown[]) => timers.schedule(cb, ms, args, true),
  setImmediate: (cb: unknown, ...args: unknown[]) => timers.schedule(cb, 0, args, false),
  clearTimeout: (handle: unknown) => timers.clear(handle),
  clearInterval: (handle: unknown) => timers.clear(handle),
  clearImmediate: (handle: unknown) => timers.clear(handle),
  queueMicrotask: (cb: () => void) => {
    if (typeof cb !== "function") throw new TypeError('The "callback" argument must be of type function');
    void Promise.resolve().then(() => {
      try {
        cb();
      } catch (reason) {
        reportFault({ reason, trigger: "uncaughtException" });
      }
    });
  },
};
for (const [name, value] of Object.entries(globals)) {
  Object.defineProperty(global, name, { value, enumerable: false, writable: true, configurable: true });
}

/** Bounds what is reported of an error: a script may throw megabytes. */
const MAX_MESSAGE = 8 * 1024;
const MAX_STACK = 32 * 1024;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… [clipped]` : text);

function settle(outcome: DispatchOutcome): void {
  if (outcome.status === "failed") {
    const { error } = outcome;
    error.message = clip(String(error.message), MAX_MESSAGE);
    if (error.stack !== undefined) error.stack = clip(String(error.stack), MAX_STACK);
  }
  let json: string;
  try {
    json = stringify(outcome);
  } catch {
    json = stringify({
      status: "failed",
      trigger: "handlerError",
      error: { name: "Error", message: "the outcome could not be reported" },
    });
  }
  if (host.settle(json) !== undefined) {
    host.settle(
      stringify({
        status: "failed",
        trigger: "handlerError",
        error: { name: "Error", message: "the host refused the outcome" },
      }),
    );
  }
}

let dispatched = false;
export const api: RuntimeApi = Object.freeze({
  dispatch(dispatchEvent: DispatchFn, eventJson: string, projectJson: string): void {
    if (dispatched) return;
    dispatched = true;
    const broken = (reason: unknown) =>
      settle({
        status: "failed",
        trigger: "handlerError",
        error: { name: "Error", message: `the dispatch failed: ${String(reason)}` },
      });
    if (typeof dispatchEvent !== "function")
      return broken("the bundle did not evaluate to the SDK's dispatchEvent");
    dispatchEvent(parse(eventJson), parse(projectJson), { idle, fault: faulted }).then(settle, broken);
  },
  deliverJob(callId: number, replyJson: string): void {
    const resolve = calls.get(callId);
    if (!resolve) return;
    calls.delete(callId);
    jobsPending--;
    resolve(replyJson);
    notify();
  },
  fireTimer(timerId: number): void {
    timers.fire(timerId);
  },
  fault(faultJson: string): void {
    const message = parse(faultJson) as FaultMessage;
    const reason = new Error(message.message);
    reason.name = message.name;
    if (message.stack !== undefined) reason.stack = message.stack;
    reportFault({ reason, trigger: message.trigger });
  },
});
