/** Reads bosun.yaml: YAML → ${env:NAME} substitution → schema → resolved ServerConfig, or located problems. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { readCredentialsKey } from "../credentials/key.js";
import { fail, ok, type Problem, type Result } from "../errors.js";
import { resolveRegistries } from "./registries.js";
import { resolveStore } from "./store.js";
import { configSchema, DEFAULT_DIGEST_WINDOW_MS, type RawConfig } from "./schema.js";
import { formatPath, locate, type PathSegment } from "./locate.js";
import type { ProjectConfig, ServerConfig, SourceRef, Subscription, TagPolicy } from "./types.js";

export interface ParseConfigOptions {
  /** Named in messages and used to resolve relative paths. */
  file?: string;
  env?: Record<string, string | undefined>;
}

const SECRET_KEYS = new Set(["secrets", "webhookToken", "adminToken", "readOnlyTokens", "store", "password"]);
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `${env:X}` breaks YAML flow maps (`{ A: ${env:X} }`), so it is parsed as `$(env:X)`: same length, same positions. */
const ENV_PLACEHOLDER = /\$\(env:([A-Za-z_][A-Za-z0-9_]*)\)/g;

export async function loadConfig(file: string, env = process.env): Promise<Result<ServerConfig>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return fail({
      code: "CONFIG_NOT_FOUND",
      message: `cannot read config file: ${(err as Error).message}`,
      file,
      expected: "a readable bosun.yaml (see docs/configuration.md)",
    });
  }
  return parseConfig(text, { file: resolve(file), env });
}

export function parseConfig(text: string, options: ParseConfigOptions = {}): Result<ServerConfig> {
  const file = options.file;
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(ENV_REF, "$$(env:$1)"), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    return fail(
      ...doc.errors.map((e) => ({
        code: "CONFIG_INVALID" as const,
        message: `YAML: ${e.message.split("\n")[0]}`,
        file,
        line: lines.linePos(e.pos[0]).line,
        column: lines.linePos(e.pos[0]).col,
      })),
    );
  }
  const problems: Problem[] = [];
  const at = (path: PathSegment[], key?: string) => ({ file, ...locate(doc, lines, path, key) });
  const raw = substituteEnv(doc.toJS() ?? {}, [], options.env ?? {}, (path, name) =>
    problems.push({
      code: "CONFIG_INVALID",
      message: `environment variable ${name} is not set`,
      path: formatPath(path),
      expected: `${name} in the environment`,
      found: "nothing",
      ...at(path),
    }),
  );
  // Every problem at once: the file's other mistakes too, except what an unset variable's value
  // (read as "") would make of its own value.
  const unset = new Set(problems.map((p) => p.path));
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => issueToProblem(i, doc, lines, file));
    return fail(...problems, ...issues.filter((p) => !unset.has(p.path)));
  }
  if (problems.length > 0) return fail(...problems);
  const resolved =
    resolveConfig(parsed.data, file, (path, message, expected) =>
      problems.push({ code: "CONFIG_INVALID", message, path: formatPath(path), expected, ...at(path) }),
    ) ?? fail(...problems);
  if (resolved.errors) return resolved;
  const keyFile = parsed.data.credentials?.keyFile;
  const key = readCredentialsKey(
    keyFile === undefined ? undefined : resolve(file ? dirname(file) : process.cwd(), keyFile),
    options.env ?? {},
  );
  if (key.errors)
    return fail(...key.errors.map((p) => (p.path ? { ...p, ...at(["credentials", "keyFile"]) } : p)));
  if (key.value !== undefined) resolved.value.credentialsKey = key.value;
  const store = resolveStore(parsed.data.store, options.env ?? {}, file ? dirname(file) : process.cwd());
  if (store.errors)
    return fail(...store.errors.map((p) => (p.path ? { ...p, ...at(p.path.split(".")) } : p)));
  if (store.value !== undefined) resolved.value.store = store.value;
  return resolved;
}

function substituteEnv(
  value: unknown,
  path: PathSegment[],
  env: Record<string, string | undefined>,
  missing: (path: PathSegment[], name: string) => void,
): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_PLACEHOLDER, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing(path, name);
      return v ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...path, i], env, missing));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...path, k], env, missing)]),
    );
  }
  return value;
}

function issueToProblem(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file?: string): Problem {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== "symbol");
  const hidden = path.some((p) => typeof p === "string" && SECRET_KEYS.has(p));
  const input = "input" in issue ? issue.input : undefined;
  const found = hidden ? "(hidden)" : describe(input);
  let expected: string | undefined;
  let key: string | undefined;
  let message = issue.message;
  switch (issue.code) {
    case "invalid_type":
      expected = issue.expected;
      message = input === undefined ? `missing ${String(path.at(-1) ?? "value")}` : `wrong type`;
      break;
    case "invalid_value":
      // zod's own message repeats the whole list, which `expected` already gives.
      message = "invalid option";
      expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    case "unrecognized_keys":
      key = issue.keys[0];
      message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
      expected = "a known key (see docs/configuration.md)";
      break;
    case "invalid_format":
      expected = issue.format === "regex" ? `to match ${issue.pattern}` : issue.format;
      break;
    case "too_small":
      expected = `at least ${String(issue.minimum)}`;
      break;
    case "too_big":
      expected = `at most ${String(issue.maximum)}`;
      break;
    case "custom":
      expected = (issue.params as { expected?: string } | undefined)?.expected;
      break;
  }
  const problem: Problem = {
    code: "CONFIG_INVALID",
    message,
    path: formatPath(path),
    file,
    ...locate(doc, lines, path, key),
  };
  if (expected !== undefined) problem.expected = expected;
  if (issue.code !== "unrecognized_keys" && !(issue.code === "invalid_type" && input === undefined))
    problem.found = found;
  return problem;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Nothing reaches a project unless it opts in: without a subscription or an events entry it would receive nothing. */
function receivesNothing(p: RawConfig["projects"][number]): boolean {
  return p.subscriptions.length === 0 && p.events.length === 0;
}

function resolveConfig(
  raw: RawConfig,
  file: string | undefined,
  problem: (path: PathSegment[], message: string, expected: string) => void,
): Result<ServerConfig> | undefined {
  const base = file ? dirname(file) : process.cwd();
  const seen = new Set<string>();
  const audiences = new Map<string, string>();
  const projects: ProjectConfig[] = raw.projects.map((p, i) => {
    if (seen.has(p.name))
      problem(["projects", i, "name"], `duplicate project name "${p.name}"`, "unique names");
    seen.add(p.name);
    if (p.pubsub) {
      // A token issued for one project's subscription must not open another project.
      const other = audiences.get(p.pubsub.audience);
      if (other !== undefined)
        problem(
          ["projects", i, "pubsub", "audience"],
          `project "${p.name}" has the same pubsub audience as project "${other}"`,
          "an audience of its own for each project, e.g. its push endpoint URL",
        );
      else audiences.set(p.pubsub.audience, p.name);
    }
    if (receivesNothing(p)) {
      problem(
        ["projects", i, "subscriptions"],
        `project "${p.name}" receives nothing: it has no subscription and no events entry`,
        "at least one subscription (subscriptions: [{ registry: dockerhub }]) or events entry (events: [{ source, types }])",
      );
    }
    if (!p.script && !p.dispatchfile) {
      problem(
        ["projects", i],
        `project "${p.name}" has neither script nor dispatchfile`,
        "script: or dispatchfile:",
      );
    }
    return {
      name: p.name,
      script: p.script === undefined ? undefined : toSource(p.script, base),
      dispatchfile: p.dispatchfile === undefined ? undefined : toSource(p.dispatchfile, base),
      secrets: p.secrets,
      subscriptions: p.subscriptions.map(toSubscription),
      events: p.events.map((e) => ({ source: e.source, types: [...e.types] })),
      webhookToken: p.webhookToken,
      ...(p.pubsub
        ? { pubsub: { serviceAccount: p.pubsub.serviceAccount, audience: p.pubsub.audience } }
        : {}),
      executor: p.executor,
      concurrency: p.concurrency,
      timeouts: { scriptMs: p.timeouts.script, jobMs: p.timeouts.job },
      allowPrivileged: p.allowPrivileged,
      ...(p.serviceAccount === undefined ? {} : { serviceAccount: p.serviceAccount }),
      jobs: p.jobs,
      callbacks: p.callbacks,
      logRetention: p.logRetention,
    };
  });
  const sharedAudience = audiences.size !== raw.projects.filter((p) => p.pubsub).length;
  let registriesWrong = false;
  const registries = resolveRegistries(raw, base, (...args) => {
    registriesWrong = true;
    problem(...args);
  });
  if (
    registriesWrong ||
    seen.size !== projects.length ||
    sharedAudience ||
    projects.some((p) => !p.script && !p.dispatchfile) ||
    raw.projects.some(receivesNothing)
  )
    return undefined;
  return ok({
    file,
    port: raw.server.port,
    host: raw.server.host,
    dataDir: resolve(base, raw.server.dataDir),
    adminToken: raw.server.adminToken,
    readOnlyTokens: raw.server.readOnlyTokens,
    bodyLimitBytes: raw.server.bodyLimit,
    maxEventsPerRequest: raw.server.maxEventsPerRequest,
    digestHoldMs: raw.server.digestHold,
    headersTimeoutMs: raw.server.headersTimeout,
    requestTimeoutMs: raw.server.requestTimeout,
    deliveries: {
      keep: raw.server.deliveries.keep,
      maxAgeMs: raw.server.deliveries.maxAge,
      maxBodyBytes: raw.server.deliveries.maxBodyBytes,
    },
    ...(raw.server.pubsubJwksUrl === undefined ? {} : { pubsubJwksUrl: raw.server.pubsubJwksUrl }),
    ...(raw.server.publicUrl === undefined ? {} : { publicUrl: raw.server.publicUrl }),
    docker: {
      socketPath: raw.docker.socket ?? defaultDockerSocket(),
      ...(raw.docker.network ? { network: raw.docker.network } : {}),
      insecureRegistries: raw.docker.insecureRegistries,
      maxConcurrentJobs: raw.docker.maxConcurrentJobs,
    },
    jobs: raw.jobs,
    worker: {
      leaseMs: raw.worker.lease,
      maxRuns: raw.worker.maxRuns,
      pollMs: raw.worker.pollInterval,
      verifyRetryMs: raw.worker.verifyRetry,
    },
    sandbox: { memoryMb: raw.sandbox.memoryMb },
    ...(raw.kubernetes
      ? {
          kubernetes: {
            ...raw.kubernetes,
            kubeconfig: raw.kubernetes.kubeconfig && resolve(base, raw.kubernetes.kubeconfig),
            pathClaims: raw.kubernetes.pathClaims.map((p) => ({ ...p, path: resolve(base, p.path) })),
            keepPodsMs: raw.kubernetes.keepPods,
          },
        }
      : {}),
    ...(registries.length > 0 ? { registries } : {}),
    projects,
  });
}

/** Only what was set: a subscription as written compares equal to one built in code. */
function toSubscription(s: RawConfig["projects"][number]["subscriptions"][number]): Subscription {
  const { tagPattern, semver, policy, signatureTags, runPer, window, accounts, fireOnFirstScan, ...rest } = s;
  return {
    ...rest,
    ...(rest.registry === "poll" ? { accounts, fireOnFirstScan } : {}),
    ...(tagPattern === undefined ? {} : { tagPattern }),
    ...(semver === undefined ? {} : { semver }),
    ...(policy === undefined ? {} : { policy: definedPolicy(policy) }),
    ...(signatureTags ? { signatureTags } : {}),
    ...(runPer === "digest" ? { runPer, windowMs: window ?? DEFAULT_DIGEST_WINDOW_MS } : {}),
  };
}

function definedPolicy(p: TagPolicy): TagPolicy {
  const { pattern, extract, order, range, direction } = p;
  return {
    ...(pattern === undefined ? {} : { pattern }),
    ...(extract === undefined ? {} : { extract }),
    order,
    ...(range === undefined ? {} : { range }),
    ...(direction === undefined ? {} : { direction }),
  };
}

function toSource(
  s: string | { git: { url: string; revision: string; path: string } },
  base: string,
): SourceRef {
  return typeof s === "string" ? { path: resolve(base, s) } : { git: s.git };
}

/** DOCKER_HOST (unix:// only), else Docker's usual socket. */
export function defaultDockerSocket(env = process.env): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith("unix://")) return host.slice("unix://".length);
  return "/var/run/docker.sock";
}
