/**
 * The one way a run's records reach the store: every string of a run's error and of a job record goes
 * through the run's redactor, and what a script can make Bosun store is capped (record-limits.ts).
 * Handlers and launchers are given this store, never the bare one. Log rows come through the run's
 * LogWriter, which redacts and caps them itself (before it cuts); any other append is redacted here.
 */
import { redactStrings, type NewJob, type Redactor, type RunError } from "@bosun/core";
import { type Store } from "@bosun/store";
import { byteLength, cutToBytes, DEFAULT_RECORD_LIMITS, type RecordLimits } from "./record-limits.js";

/** Name and image are each kept to this; tasks and env names share the rest of the record. */
const NAME_BYTES = 1024;

export interface RunRecordsOptions {
  redact: Redactor;
  limits?: Partial<RecordLimits>;
  /** Writes a line to the run's log (a cap was reached). */
  notice(text: string): void;
}

export class RunRecords {
  /** The store with the run's writes redacted and capped; reads and the rest pass through. */
  readonly store: Store;
  private readonly limits: RecordLimits;
  private jobBytesLeft: number;
  private noticed = false;

  constructor(
    store: Store,
    private readonly options: RunRecordsOptions,
  ) {
    this.limits = { ...DEFAULT_RECORD_LIMITS, ...options.limits };
    this.jobBytesLeft = this.limits.jobRecordBytesPerRun;
    const { redact } = options;
    const overrides: Partial<Store> = {
      finishRun: (id, status, error) => store.finishRun(id, status, this.error(error)),
      createJob: (job) => store.createJob(this.job(job)),
      updateJob: (id, patch) =>
        store.updateJob(id, patch.error ? { ...patch, error: this.error(patch.error) } : patch),
      appendLogs: (entries) => store.appendLogs(entries.map((e) => ({ ...e, text: redact(e.text) }))),
    };
    this.store = new Proxy(store, {
      get(target, property, receiver) {
        if (typeof property === "string" && property in overrides) return overrides[property as keyof Store];
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
  }

  /** A run's or job's error as it is recorded: redacted, message and stack each within the cap. */
  error<E extends RunError | undefined>(error: E): E {
    if (!error) return error;
    const e = redactStrings(error, this.options.redact);
    const cap = (text: string) => capText(text, this.limits.errorTextBytes);
    return (
      e.stack === undefined
        ? { ...e, message: cap(e.message) }
        : { ...e, message: cap(e.message), stack: cap(e.stack) }
    ) as E;
  }

  /** A job record as it is stored: redacted, within the record's cap and what is left of the run's. */
  job(job: NewJob): NewJob {
    const j = redactStrings(job, this.options.redact);
    const name = capText(j.name, NAME_BYTES);
    const image = capText(j.image, NAME_BYTES);
    let room = Math.min(this.limits.jobRecordBytes, this.jobBytesLeft) - byteLength(name) - byteLength(image);
    let cut = false;
    const keep = (items: string[]): string[] => {
      const kept: string[] = [];
      for (const item of items) {
        const size = byteLength(item);
        if (size > room) {
          cut = true;
          break;
        }
        kept.push(item);
        room -= size;
      }
      return kept;
    };
    const envNames = keep(j.envNames);
    const tasks = keep(j.tasks);
    this.jobBytesLeft -= recordBytes({ name, image, tasks, envNames });
    if (cut) {
      tasks.push(`[bosun] tasks and env names beyond the job record cap not stored`);
      if (!this.noticed) {
        this.noticed = true;
        const { jobRecordBytes, jobRecordBytesPerRun } = this.limits;
        this.options.notice(
          `[bosun] job record cap reached (${jobRecordBytes} bytes per job / ${jobRecordBytesPerRun} bytes per run); tasks and env names beyond it not stored\n`,
        );
      }
    }
    return { ...j, name, image, tasks, envNames };
  }
}

function recordBytes(job: Pick<NewJob, "name" | "image" | "tasks" | "envNames">): number {
  return [job.name, job.image, ...job.tasks, ...job.envNames].reduce((n, s) => n + byteLength(s), 0);
}

/** Text within `bytes`, marked where it was cut (the mark included, so capping twice changes nothing). */
function capText(text: string, bytes: number): string {
  if (byteLength(text) <= bytes) return text;
  const mark = ` … [bosun] cut at ${bytes} bytes`;
  return cutToBytes(text, bytes - byteLength(mark)) + mark;
}
