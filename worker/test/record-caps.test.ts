/**
 * What a script can make Bosun store is bounded: log entries and bytes per run, bytes per job, the size
 * of a job record and of all of a run's job records, the size of a recorded error. Each cap is tested at
 * its boundary (N-1, N, N+1), with the run's log saying once that a cap cut output.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createRedactor, type LogEntry, type NewJob, type Run } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { ScriptHandler } from "../src/handlers/script.js";
import { LogWriter } from "../src/jobs/log-writer.js";
import type { RecordLimits } from "../src/jobs/record-limits.js";
import { RunRecords } from "../src/jobs/run-records.js";
import { runPush, testProject } from "./support/runs.js";

const RUN_NOTICE = /\[bosun\] output cap reached \(\d+ entries \/ \d+ bytes\); further output not stored\n/g;
const JOB_NOTICE = /\[bosun\] job output cap reached \(\d+ bytes\); further output of this job not stored\n/g;
const RECORD_NOTICE = /\[bosun\] job record cap reached \(\d+ bytes per job \/ \d+ bytes per run\)/g;

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describe("record caps", function () {
  this.timeout(60_000);
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-caps-"));
    store = await openSqliteStore({ dataDir: join(dir, "data") });
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newRun(): Promise<Run> {
    const deliveryId = `d-${Math.random()}`;
    const { accepted } = await store.acceptEvents([
      {
        project: "shop",
        source: "distribution",
        type: "image_push",
        image: { registry: "r.example.com", repository: "app", tag: "v1", ref: "r.example.com/app:v1" },
        payload: "{}",
        deliveryId,
      },
    ]);
    return store.createRun({ eventId: accepted[0]!.id, project: "shop", attempt: 1, handler: "script" });
  }

  /** Writes `texts` through a LogWriter with these caps; returns the run's stored log. */
  async function logged(
    limits: Partial<RecordLimits>,
    texts: { text: string; jobId?: string }[],
  ): Promise<LogEntry[]> {
    const run = await newRun();
    const jobs = new Map<string, string>();
    for (const { jobId } of texts) {
      if (jobId && !jobs.has(jobId)) {
        const job = await store.createJob({
          runId: run.id,
          name: jobId,
          image: "a",
          status: "running",
          tasks: [],
          envNames: [],
        });
        jobs.set(jobId, job.id);
      }
    }
    const writer = new LogWriter(store, createRedactor([]), undefined, limits);
    for (const { text, jobId } of texts) {
      const id = jobId ? jobs.get(jobId) : undefined;
      writer.write(
        id ? { runId: run.id, jobId: id, stream: "stdout", text } : { runId: run.id, stream: "script", text },
      );
    }
    await writer.flush();
    return store.readLogs({ runId: run.id, limit: 100_000 });
  }

  const text = (entries: LogEntry[]) => entries.map((e) => e.text).join("");

  describe("log entries per run", () => {
    const N = 20;
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `${i}\n` }));

    it("N-1 and N entries are all stored, without a notice", async () => {
      for (const n of [N - 1, N]) {
        const entries = await logged({ logEntriesPerRun: N }, lines(n));
        expect(entries).to.have.length(n);
        expect(count(text(entries), RUN_NOTICE)).to.equal(0);
      }
    });

    it("N+1 entries (and many more): N are stored, then the notice, once", async () => {
      for (const n of [N + 1, N * 50]) {
        const entries = await logged({ logEntriesPerRun: N }, lines(n));
        expect(entries).to.have.length(N + 1);
        expect(entries.slice(0, N).map((e) => e.text)).to.deep.equal(lines(N).map((l) => l.text));
        expect(entries.at(-1)?.text).to.match(/^\[bosun\] output cap reached \(20 entries \/ \d+ bytes\)/);
        expect(count(text(entries), RUN_NOTICE)).to.equal(1);
      }
    });
  });

  describe("log bytes per run", () => {
    const N = 100;
    /** Entries of 10 bytes, the last one short or long so that the total is `total` bytes. */
    const bytes = (total: number) => [
      ...Array.from({ length: Math.floor(total / 10) }, () => ({ text: "é-456789\n" })), // é is 2 bytes
      ...(total % 10 ? [{ text: "x".repeat(total % 10) }] : []),
    ];

    it("N-1 and N bytes are all stored, without a notice", async () => {
      for (const n of [N - 1, N]) {
        const entries = await logged({ logBytesPerRun: N }, bytes(n));
        expect(Buffer.byteLength(text(entries))).to.equal(n);
        expect(count(text(entries), RUN_NOTICE)).to.equal(0);
      }
    });

    it("N+1 bytes: N are stored, then the notice, once, script and jobs alike", async () => {
      const entries = await logged({ logBytesPerRun: N }, [
        ...bytes(N + 1),
        { text: "more", jobId: "build" },
      ]);
      const stored = text(entries).replace(RUN_NOTICE, "");
      expect(Buffer.byteLength(stored)).to.equal(N);
      expect(count(text(entries), RUN_NOTICE)).to.equal(1);
      expect(text(entries)).not.to.contain("more");
    });

    it("never cuts a character in two", async () => {
      const entries = await logged({ logBytesPerRun: 5 }, [{ text: "abcdé" }]); // é would need bytes 5 and 6
      expect(entries[0]?.text).to.equal("abcd");
    });
  });

  describe("bytes per line of a script's console", () => {
    it("cuts a long line after redaction, so no part of a secret stays before the cut", async () => {
      const secret = "s3cr3t-value-that-straddles";
      const run = await newRun();
      const writer = new LogWriter(store, createRedactor([secret]), undefined, { scriptLineBytes: 100 });
      const line = `${"x".repeat(90)}${secret}${"y".repeat(50)}\n`; // the secret spans byte 100
      writer.write({ runId: run.id, stream: "script", text: line });
      writer.write({ runId: run.id, stream: "script", text: `${"z".repeat(99)}\n` });
      await writer.flush();
      const entries = await store.readLogs({ runId: run.id, limit: 10 });
      const all = text(entries);
      for (let i = 4; i <= secret.length; i++) expect(all).not.to.contain(secret.slice(0, i));
      expect(entries[0]?.text).to.match(/… \[\d+ more bytes\]\n$/);
      expect(Buffer.byteLength(entries[0]!.text.replace(/… \[\d+ more bytes\]\n$/, ""))).to.be.at.most(100);
      expect(entries[1]?.text).to.equal(`${"z".repeat(99)}\n`);
    });
  });

  describe("log bytes per job", () => {
    const N = 50;
    const chunks = (total: number, jobId: string) => [
      ...Array.from({ length: Math.floor(total / 10) }, () => ({ text: "123456789\n", jobId })),
      ...(total % 10 ? [{ text: "x".repeat(total % 10), jobId }] : []),
    ];

    it("N-1 and N bytes of a job are all stored, without a notice", async () => {
      for (const n of [N - 1, N]) {
        const entries = await logged({ logBytesPerJob: N }, chunks(n, "build"));
        expect(Buffer.byteLength(text(entries))).to.equal(n);
        expect(count(text(entries), JOB_NOTICE)).to.equal(0);
      }
    });

    it("N+1 bytes: the job's N are stored with the notice once on its stream; the rest of the run goes on", async () => {
      const entries = await logged({ logBytesPerJob: N }, [
        ...chunks(N + 1, "build"),
        ...chunks(30, "build"),
        ...chunks(30, "test"),
        { text: "script goes on\n" },
      ]);
      const build = entries.filter((e) => e.jobId === entries[0]?.jobId);
      const notices = build.filter((e) => JOB_NOTICE.test(e.text));
      JOB_NOTICE.lastIndex = 0;
      expect(notices).to.have.length(1);
      expect(notices[0]?.stream).to.equal("stderr");
      expect(Buffer.byteLength(text(build).replace(JOB_NOTICE, ""))).to.equal(N);
      expect(count(text(entries), JOB_NOTICE)).to.equal(1);
      expect(text(entries)).to.contain("script goes on");
      expect(entries.filter((e) => e.jobId && e.jobId !== entries[0]?.jobId)).to.have.length(3);
    });
  });

  describe("job records", () => {
    const job = (runId: string, tasks: string[]): NewJob => ({
      runId,
      name: "build",
      image: "alpine",
      status: "running",
      tasks,
      envNames: ["A"],
    });
    /** name + image + env names take 5 + 6 + 1 = 12 bytes; the tasks the rest. */
    const FIXED = 12;

    async function recorded(limits: Partial<RecordLimits>, taskSets: string[][]) {
      const run = await newRun();
      const notices: string[] = [];
      const records = new RunRecords(store, { redact: (t) => t, limits, notice: (t) => notices.push(t) });
      for (const tasks of taskSets) await records.store.createJob(job(run.id, tasks));
      return { jobs: await store.listJobs(run.id), notices };
    }

    it("a record of N-1 or N bytes is stored whole; of N+1, its tasks are cut and marked, and the log told once", async () => {
      const N = 100;
      const tasks = (n: number) => ["a".repeat(40), "b".repeat(n - FIXED - 40)];
      const whole = await recorded({ jobRecordBytes: N }, [tasks(N - 1), tasks(N)]);
      expect(whole.jobs.map((j) => j.tasks)).to.deep.equal([tasks(N - 1), tasks(N)]);
      expect(whole.notices).to.deep.equal([]);
      const cut = await recorded({ jobRecordBytes: N }, [tasks(N + 1), tasks(N + 1)]);
      for (const j of cut.jobs) {
        expect(j.tasks).to.deep.equal([
          "a".repeat(40),
          "[bosun] tasks and env names beyond the job record cap not stored",
        ]);
      }
      expect(cut.notices).to.have.length(1);
      expect(cut.notices[0]).to.match(RECORD_NOTICE);
    });

    it("a run's job records are bounded together: past N bytes, jobs are recorded without their tasks", async () => {
      const N = 100;
      const tasks = ["t".repeat(38 - FIXED)]; // 38 bytes a record
      const { jobs, notices } = await recorded({ jobRecordBytesPerRun: N }, [tasks, tasks, tasks, tasks]);
      expect(jobs.slice(0, 2).map((j) => j.tasks)).to.deep.equal([tasks, tasks]);
      for (const j of jobs.slice(2)) {
        expect(j.name).to.equal("build");
        expect(j.tasks).to.deep.equal(["[bosun] tasks and env names beyond the job record cap not stored"]);
      }
      expect(notices).to.have.length(1);
    });

    it("an error's message and stack are kept to N bytes, marked where cut", async () => {
      const N = 64;
      const records = new RunRecords(store, {
        redact: (t) => t,
        limits: { errorTextBytes: N },
        notice: () => {},
      });
      for (const n of [N - 1, N]) {
        const e = records.error({ code: "SCRIPT_FAILED", message: "m".repeat(n), stack: "s".repeat(n) });
        expect(e).to.deep.equal({ code: "SCRIPT_FAILED", message: "m".repeat(n), stack: "s".repeat(n) });
      }
      const e = records.error({
        code: "SCRIPT_FAILED",
        message: "m".repeat(N + 1),
        stack: "s".repeat(N * 100),
      });
      for (const field of [e.message, e.stack ?? ""]) {
        expect(Buffer.byteLength(field)).to.be.at.most(N);
        expect(field).to.match(/ … \[bosun\] cut at 64 bytes$/);
      }
      expect(records.error(e)).to.deep.equal(e);
    });
  });

  it("a script's empty console.log() calls stop being stored at the entries cap, with the notice once", async () => {
    writeFileSync(
      join(dir, "chatty.js"),
      `require("brigadier").events.on("image_push", () => { for (let i = 0; i < 5000; i++) console.log(); });`,
    );
    const handler = new ScriptHandler({ memoryMb: 64, workDir: join(dir, "data") });
    try {
      const { run, log } = await runPush(
        store,
        testProject({ name: "chatty", script: { path: join(dir, "chatty.js") } }),
        {
          handlerFor: () => handler,
          executorFor: () => ({ kind: "host", run: () => Promise.reject(new Error("no job")) }),
          recordLimits: { logEntriesPerRun: 1000 },
        },
      );
      expect(run.status).to.equal("succeeded");
      const entries = await store.readLogs({ runId: run.id, limit: 100_000 });
      expect(entries).to.have.length(1001);
      expect(count(log, RUN_NOTICE)).to.equal(1);
    } finally {
      await handler.close();
    }
  });
});
