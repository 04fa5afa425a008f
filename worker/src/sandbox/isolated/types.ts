/** The host side's public types: what runScript takes and what it returns. */
import type { ErrorCode, JobResult, JobSpec } from "@bosun/core";
import type { EventInit, LogLevel, ProjectInit } from "@bosun/sdk";
import type { Bundle } from "../bundle-types.js";
import type { IsolatePool } from "./pool.js";

/** Runs one job for the script (its request as core's JobSpec: parseJobRequest). Resolves with the job's outcome; a rejection is reported to the script as INTERNAL. */
export type ScriptJobRunner = (spec: JobSpec, signal: AbortSignal) => Promise<JobResult>;

/** One console call of the script, formatted, ending in a newline. */
export type ScriptLog = (text: string, level: LogLevel) => void;

export interface ScriptLimits {
  /** Heap limit of the isolate. */
  memoryMb: number;
  /** Wall-clock limit for the whole run, jobs included. */
  timeoutMs: number;
  /** CPU time the script itself may use (jobs excluded). */
  cpuMs: number;
  /** Jobs one run may start. */
  maxJobs: number;
  /** Timers one run may have pending at once. */
  maxTimers: number;
  /** Script output kept per run; the rest is dropped with a notice. */
  maxLogBytes: number;
}

export const DEFAULT_LIMITS: ScriptLimits = {
  memoryMb: 128,
  timeoutMs: 10 * 60_000,
  cpuMs: 30_000,
  maxJobs: 1000,
  maxTimers: 10_000,
  maxLogBytes: 1024 * 1024,
};

/** The event handlers see; see scriptEventFromPush for registry events. */
export type ScriptEvent = EventInit;
export type ScriptProject = ProjectInit;

export interface RunScriptOptions {
  bundle: Bundle;
  /** Isolates prepared ahead of events; without one, the run prepares its own. */
  pool?: IsolatePool;
  event: ScriptEvent;
  project: ScriptProject;
  limits?: Partial<ScriptLimits>;
  runJob: ScriptJobRunner;
  log: ScriptLog;
  signal?: AbortSignal;
}

export interface ScriptError {
  code: ErrorCode;
  message: string;
  /** In the script's own files and lines. */
  stack?: string;
}

export type ScriptOutcome =
  /** `handled` is false when the script has no handler for the event's type. */
  | { status: "succeeded"; handled: boolean }
  | { status: "failed"; error: ScriptError }
  /** `limit`: which one was hit; "stalled" when nothing was left that could ever settle the handlers. */
  | { status: "timed_out"; limit: "wall" | "cpu" | "stalled"; message: string }
  | { status: "out_of_memory"; message: string }
  | { status: "cancelled" };
