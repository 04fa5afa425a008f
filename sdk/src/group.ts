import type { Job } from "./job.js";
import type { JobResult } from "./job-result.js";

/** Jobs run together: one after the other (`runEach`) or all at once (`runAll`). */
export class Group {
  jobs: Job[];

  constructor(jobs: Job[] = []) {
    this.jobs = [...jobs];
  }

  add(...jobs: Job[]): void {
    this.jobs.push(...jobs);
  }

  length(): number {
    return this.jobs.length;
  }

  /** In order; stops at the first job that fails, rejecting with its error. */
  async runEach(): Promise<JobResult[]> {
    const results: JobResult[] = [];
    for (const job of this.jobs) results.push(await job.run());
    return results;
  }

  /** In parallel; rejects with the first failure (the other jobs still run to completion). */
  runAll(): Promise<JobResult[]> {
    return Promise.all(this.jobs.map((job) => job.run()));
  }

  static runEach(jobs: Job[]): Promise<JobResult[]> {
    return new Group(jobs).runEach();
  }

  static runAll(jobs: Job[]): Promise<JobResult[]> {
    return new Group(jobs).runAll();
  }
}
