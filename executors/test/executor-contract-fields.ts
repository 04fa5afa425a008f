/**
 * The executor contract per JobSpec field: how the shared contract observes a field an executor
 * honours, and a value to try where it declares a limitation (the job must still run: every
 * limitation today is "accepted, without effect"). Typed over every field, so a field added to
 * JobSpec does not compile until it is placed here.
 */
import type { JobResult, JobRunContext, JobSpec } from "@bosun/core";
import { expect } from "chai";

export interface FieldCheckTools {
  /** A job of this suite (unique name and labels), with the given tasks and fields. */
  job(tasks: string[], extra?: Partial<JobSpec>): JobSpec;
  run(spec: JobSpec, context?: Partial<JobRunContext>): Promise<JobResult>;
  /** Jobs with these labels that exist now; undefined when the target cannot count them. */
  existing(labels: Record<string, string>): Promise<number> | undefined;
}

export type FieldCase = {
  /** Set where a limitation is declared; the job runs with it and must succeed. */
  sample: Partial<JobSpec>;
} & (
  | { check: (tools: FieldCheckTools) => Promise<void> }
  /** One of the contract's general cases, which every executor passes: the field must be honoured. */
  | { coveredBy: string }
  /** Only an executor's own tests can see it (how a Pod or a container is made). */
  | { observedIn: string }
);

const UNPULLABLE = "127.0.0.1:9/nowhere/app:v1";

export const FIELD_CASES: Record<keyof JobSpec, FieldCase> = {
  name: {
    sample: {},
    observedIn: "container and pod names (docker-executor.test.ts, kubernetes-pod.test.ts)",
  },
  image: {
    sample: { image: UNPULLABLE },
    check: async ({ job, run }) => {
      const result = await run(job(["echo never"], { image: UNPULLABLE }));
      expect(result.outcome).to.equal("failed");
      expect(result.error?.code).to.equal("IMAGE_PULL_FAILED");
    },
  },
  tasks: { sample: {}, coveredBy: "runs the tasks in order and reports their output" },
  command: {
    sample: {},
    check: async ({ job, run }) => {
      const result = await run(job([], { command: ["/bin/sh", "-c", "echo from-command"] }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("from-command\n");
    },
  },
  args: {
    sample: {},
    check: async ({ job, run }) => {
      const spec = job([], { command: ["/bin/sh", "-c", 'echo "args: $0 $1"'], args: ["one", "two"] });
      const result = await run(spec);
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("args: one two\n");
    },
  },
  shell: {
    sample: {},
    check: async ({ job, run }) => {
      // `sh -c` sets $0 to the shell as it was named: "sh" here, "/bin/sh" by default.
      const result = await run(job(['echo "shell=$0"'], { shell: "sh" }));
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("shell=sh\n");
    },
  },
  env: { sample: {}, coveredBy: "passes the environment to the job" },
  secretValues: {
    sample: {},
    coveredBy: "gives secrets to the job but redacts them from stored and streamed output",
  },
  workingDir: { sample: {}, coveredBy: "shares a mount between jobs, one writing and the next reading" },
  mounts: { sample: {}, coveredBy: "shares a mount between jobs, one writing and the next reading" },
  timeoutMs: { sample: {}, coveredBy: "kills a job that exceeds its timeout and leaves nothing behind" },
  privileged: {
    sample: { privileged: true },
    check: async ({ job, run }) => {
      const caps = ["grep CapEff /proc/self/status"];
      const plain = await run(job(caps));
      const privileged = await run(job(caps, { privileged: true }));
      expect(plain.outcome).to.equal("succeeded");
      expect(privileged.outcome).to.equal("succeeded");
      expect(privileged.output).to.match(/^CapEff:/);
      expect(privileged.output, "a privileged job has more capabilities").to.not.equal(plain.output);
    },
  },
  dockerSocket: {
    sample: { dockerSocket: true },
    check: async ({ job, run }) => {
      const result = await run(
        job(["test -S /var/run/docker.sock && echo engine-socket"], { dockerSocket: true }),
      );
      expect(result.outcome).to.equal("succeeded");
      expect(result.output).to.equal("engine-socket\n");
    },
  },
  labels: {
    sample: { labels: { "bosun.test/sample": "label" } },
    check: async ({ job, run, existing }) => {
      const spec = job(["echo started", "sleep 60"]);
      const controller = new AbortController();
      let found: Promise<number | undefined> | undefined;
      // Once the job says it runs, it is looked for by its labels, then cancelled.
      const result = await run(spec, {
        signal: controller.signal,
        onOutput: (text) => {
          if (found || !text.includes("started")) return;
          found = Promise.resolve(existing(spec.labels)).finally(() => controller.abort());
        },
      });
      expect(result.outcome).to.equal("cancelled");
      const count = await found;
      expect(count, "the target counts jobs by their labels").to.not.equal(undefined);
      expect(count).to.be.at.least(1);
    },
  },
  registryCredentials: {
    sample: { registryCredentials: [{ registry: "registry.example.com", username: "u", password: "p" }] },
    observedIn: "pulls of private images (registry-auth.test.ts, kubernetes-contract.test.ts)",
  },
  imagePullSecrets: { sample: { imagePullSecrets: ["regcred"] }, observedIn: "kubernetes-pod.test.ts" },
  imageForcePull: { sample: { imageForcePull: true }, observedIn: "kubernetes-pod.test.ts" },
  serviceAccount: { sample: { serviceAccount: "builder" }, observedIn: "kubernetes-pod.test.ts" },
  annotations: { sample: { annotations: { team: "platform" } }, observedIn: "kubernetes-pod.test.ts" },
  resourceRequests: { sample: { resourceRequests: { cpu: "100m" } }, observedIn: "kubernetes-pod.test.ts" },
  resourceLimits: {
    sample: { resourceLimits: { memory: "256Mi" } },
    observedIn: "docker-operations.test.ts, kubernetes-pod.test.ts",
  },
  host: {
    sample: { host: { os: "linux", nodeSelector: { "bosun.test/pool": "ci" } } },
    observedIn: "kubernetes-pod.test.ts",
  },
  storage: {
    sample: { storage: { enabled: true, path: "/mnt/brigade/share" } },
    observedIn: "kubernetes-contract.test.ts (claims with subPaths); script-storage-cache.test.ts",
  },
  cache: {
    sample: { cache: { enabled: true, path: "/mnt/brigade/cache", size: "5Mi" } },
    observedIn: "kubernetes-contract.test.ts (claims with subPaths); script-storage-cache.test.ts",
  },
  sidecars: {
    sample: { sidecars: [{ name: "web", image: "localhost/busybox:test", env: {} }] },
    check: async ({ job, run }) => {
      // The sidecar serves on the job's own localhost; the job waits for it, then asks it.
      const ask =
        "for i in $(seq 100); do wget -q -O - http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1";
      const serve =
        'mkdir -p /tmp/www && echo "$GREETING" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www';
      const base = job([ask]);
      const sidecar = {
        name: "web",
        image: base.image,
        command: ["/bin/sh", "-c", serve],
        env: { GREETING: "from-sidecar" },
      };
      const result = await run({ ...base, sidecars: [sidecar] });
      expect(result.outcome, result.output).to.equal("succeeded");
      expect(result.output).to.equal("from-sidecar\n");
    },
  },
};
