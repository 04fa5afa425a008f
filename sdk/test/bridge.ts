/** A fake host bridge for the SDK's tests: records requests and answers them. */
import {
  BRIDGE_GLOBAL,
  type HostBridge,
  type JobReply,
  type JobRequest,
  type LogLevel,
} from "../src/index.js";

export interface FakeHost {
  requests: JobRequest[];
  logs: [LogLevel, string][];
  uninstall(): void;
}

export function installFakeHost(
  answer: (request: JobRequest) => JobReply | Promise<JobReply> = succeed,
): FakeHost {
  const fake: FakeHost = {
    requests: [],
    logs: [],
    uninstall: () => delete (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL],
  };
  const bridge: HostBridge = {
    runJob: async (json) => {
      const request = JSON.parse(json) as JobRequest;
      fake.requests.push(request);
      return JSON.stringify(await answer(request));
    },
    log: (level, text) => {
      fake.logs.push([level, text]);
    },
  };
  (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] = bridge;
  return fake;
}

export function succeed(request: JobRequest): JobReply {
  return {
    ok: true,
    result: {
      outcome: "succeeded",
      exitCode: 0,
      output: `  ${request.name} done\n\n`,
      startedAt: "s",
      finishedAt: "f",
    },
  };
}

export function fail(exitCode: number, outcome: "failed" | "timed_out" = "failed"): () => JobReply {
  return () => ({
    ok: true,
    result: { outcome, exitCode, output: "boom\n", startedAt: "s", finishedAt: "f" },
  });
}
