/** The shape of bosun.yaml, as zod schemas. Defaults live here, in one place. */
import semver from "semver";
import { z } from "zod";
import { DIGEST_ONLY_HOLD_MS, WEBHOOK_REGISTRY_KINDS } from "../events.js";
import { backtracking } from "../linear-regex.js";
import { javascriptPattern } from "../subscriptions/tag-policy.js";
import { parseDuration, parseSize } from "./units.js";
import { RESOURCE_NAME } from "./names.js";

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "invalid duration",
      params: { expected: 'a duration like "30s", "10m", "1h" or milliseconds' },
    });
    return z.NEVER;
  }
  return ms;
});

// Zero would mean "no timeout" to Node: a timeout must be one.
const positiveDuration = duration.refine((ms) => ms > 0, {
  message: "invalid duration",
  params: { expected: 'a duration above zero, like "10s" or "30s"' },
});

const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "invalid size",
      params: { expected: 'a size like "1MiB", "512KiB" or bytes' },
    });
    return z.NEVER;
  }
  return bytes;
});

const NAME = RESOURCE_NAME;

const gitSource = z.strictObject({
  git: z.strictObject({
    url: z.string().min(1),
    revision: z.string().min(1).default("main"),
    path: z.string().min(1),
  }),
});
const source = z.union([z.string().min(1), gitSource]);

const REGEX_EXPECTED = "a JavaScript regular expression, e.g. ^v[0-9]+\\.[0-9]+\\.[0-9]+$";
// Tag patterns run on every pushed tag, which anyone able to push chooses: they must run in linear time.
// `translate` turns the written pattern into the JavaScript one that runs (a policy's Go-style groups).
const regexOf = (translate: (v: string) => string = (v) => v) =>
  z
    .string()
    .max(1024)
    .superRefine((written, ctx) => {
      const v = translate(written);
      try {
        new RegExp(v);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: `invalid regular expression: ${(err as Error).message}`,
          params: { expected: REGEX_EXPECTED },
        });
        return;
      }
      // Retries from each position are bounded by the tag's length cap; nested or overlapping ones are not.
      const problem = backtracking(v, "", { allowMove: true });
      if (problem !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `regular expression may take exponential or polynomial time on some tags: ${problem}`,
          params: { expected: `${REGEX_EXPECTED}, without nested or overlapping quantifiers` },
        });
      }
    });
const regex = regexOf();

const semverRange = z.string().superRefine((v, ctx) => {
  if (semver.validRange(v) === null) {
    ctx.addIssue({
      code: "custom",
      message: "invalid semver range",
      params: { expected: 'a semver range, e.g. ">=1.2.0 <2" or "^1.4"' },
    });
  }
});

// Linear: the domain's labels exclude the dot that separates them.
const EMAIL = /^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$/;

const serviceAccountEmail = z.string().superRefine((v, ctx) => {
  if (v.length > 254 || !EMAIL.test(v)) {
    ctx.addIssue({
      code: "custom",
      message: "invalid service account email",
      params: { expected: "a service account email, e.g. bosun-push@my-project.iam.gserviceaccount.com" },
    });
  }
});

const httpUrl = z.string().superRefine((v, ctx) => {
  const url = URL.canParse(v) ? new URL(v) : undefined;
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    ctx.addIssue({
      code: "custom",
      message: "invalid URL",
      params: { expected: "an http(s) URL, e.g. https://www.googleapis.com/oauth2/v3/certs" },
    });
  }
});

// Pub/Sub push authentication: Google's OIDC token, checked against these instead of the webhookToken.
const pubsub = z.strictObject({
  serviceAccount: serviceAccountEmail,
  audience: z.string().min(1),
});

/** How long the first tag of a digest waits for the others (runPer: digest) unless `window` says. */
export const DEFAULT_DIGEST_WINDOW_MS = 10_000;

// Flux's ImagePolicy: filterTags (pattern, extract) and one of its orders; range and direction belong to one.
const tagPolicy = z
  .strictObject({
    pattern: regexOf(javascriptPattern).optional(),
    extract: z.string().min(1).max(256).optional(),
    order: z.enum(["semver", "alphabetical", "numerical"]),
    range: semverRange.optional(),
    direction: z.enum(["asc", "desc"]).optional(),
  })
  .superRefine((p, ctx) => {
    const refuse = (key: string, message: string, expected: string) =>
      ctx.addIssue({ code: "custom", path: [key], message, params: { expected } });
    if (p.range !== undefined && p.order !== "semver")
      refuse("range", `range applies to order: semver, not ${p.order}`, "order: semver, or no range");
    if (p.direction !== undefined && p.order === "semver")
      refuse(
        "direction",
        "direction applies to alphabetical and numerical orders",
        "no direction with semver",
      );
    if (p.extract !== undefined && p.pattern === undefined)
      refuse("extract", "extract needs a pattern to take groups from", "a pattern such as ^v(?P<ver>.*)$");
  });

const subscription = z
  .strictObject({
    // "poll": the registries Bosun watches itself (top-level `registries`), rather than hears from.
    registry: z.enum([...WEBHOOK_REGISTRY_KINDS, "poll"]),
    repositories: z.array(z.string().min(1)).default([]),
    tags: z.array(z.string().min(1)).default([]),
    tagPattern: regex.optional(),
    semver: semverRange.optional(),
    policy: tagPolicy.optional(),
    // Signature, attestation and SBOM tags accompany pushes; taken only when asked for.
    signatureTags: z.boolean().default(false),
    runPer: z.enum(["tag", "digest"]).default("tag"),
    window: positiveDuration.optional(),
    // registry: poll only. Names from `registries`; empty: every watched registry.
    accounts: z.array(z.string().min(1)).default([]),
    // registry: poll only. The first scan of a repository fires for its tags rather than only recording them.
    fireOnFirstScan: z.boolean().default(false),
    // A webhook registry only. A name from `registries`: the account asked for the pushed tag's digest.
    verifyWith: z.string().min(1).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.registry === "poll" && s.verifyWith !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["verifyWith"],
        message: "verifyWith is for webhook registries: a polled push is already the registry's word",
        input: s.verifyWith,
        params: { expected: "a webhook registry (harbor, distribution...), or no verifyWith" },
      });
    if (s.window !== undefined && s.runPer !== "digest")
      ctx.addIssue({
        code: "custom",
        path: ["window"],
        message: "window applies to runPer: digest",
        params: { expected: "runPer: digest, or no window" },
      });
    if (s.registry !== "poll")
      for (const key of ["accounts", "fireOnFirstScan"] as const) {
        if (key === "accounts" ? s.accounts.length === 0 : !s.fireOnFirstScan) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} is for watched registries`,
          input: s[key],
          params: { expected: `registry: poll, or no ${key}` },
        });
      }
  });

// Brigade v2 names: a gateway's source ("brigade.sh/cli", "example.com/ci") and its event types.
const EVENT_SOURCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$/;
const EVENT_TYPE = /^(\*|[A-Za-z0-9][A-Za-z0-9._:/-]{0,127})$/;

const eventName = (pattern: RegExp, message: string, expected: string) =>
  z.string().superRefine((v, ctx) => {
    if (!pattern.test(v)) ctx.addIssue({ code: "custom", message, params: { expected } });
  });

const eventSubscription = z.strictObject({
  source: eventName(
    EVENT_SOURCE,
    "invalid event source",
    'a source such as "brigade.sh/cli" (letters, digits, . _ : / -)',
  ),
  types: z
    .array(
      eventName(
        EVENT_TYPE,
        "invalid event type",
        'a type such as "exec" or "deploy", or "*" for every type of the source',
      ),
    )
    .min(1, { message: "an events entry needs at least one type" }),
});

export const projectSchema = z.strictObject({
  name: z.string().regex(NAME, { message: "invalid project name" }),
  script: source.optional(),
  dispatchfile: source.optional(),
  secrets: z.record(z.string(), z.string()).default({}),
  // Nothing reaches a project unless it opts in: a subscription (pushes) or an events entry (parse.ts
  // refuses a project with neither).
  subscriptions: z.array(subscription).default([]),
  // Events created through the API (`bosun event create`) reach only projects that name their source and type.
  events: z.array(eventSubscription).default([]),
  webhookToken: z.string().min(8, { message: "webhookToken is too short" }).optional(),
  pubsub: pubsub.optional(),
  // "host" runs tasks on the worker's own machine: for development, and only when a project asks.
  executor: z.enum(["docker", "kubernetes", "host"]).default("docker"),
  concurrency: z.number().int().min(1).max(1000).default(2),
  timeouts: z
    .strictObject({ script: duration.default(600_000), job: duration.default(900_000) })
    .default({ script: 600_000, job: 900_000 }),
  allowPrivileged: z.boolean().default(false),
  // Whose registry and git logins the project uses besides its own (`bosun serviceaccount create`).
  serviceAccount: z.string().regex(NAME, { message: "invalid service account name" }).optional(),
  // A run's jobs: at most maxPerRun started in all, at most maxConcurrentPerRun running at once.
  jobs: z
    .strictObject({
      maxPerRun: z.number().int().min(1).max(100_000).default(500),
      maxConcurrentPerRun: z.number().int().min(1).max(1000).default(4),
    })
    .default({ maxPerRun: 500, maxConcurrentPerRun: 4 }),
  callbacks: z.strictObject({ dockerhub: z.boolean().default(false) }).default({ dockerhub: false }),
  logRetention: z
    .array(
      z.strictObject({
        maxBuildAge: z.number().positive().optional(),
        maxBuildRuns: z.number().int().min(0).optional(),
        tasks: z.string().min(1).default("*"),
      }),
    )
    .default([]),
});

// host[:port] as in image references: no scheme, no path.
const ADDRESS = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:[0-9]{1,5})?$/;
// os/architecture[/variant], as an OCI index names a platform.
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/** A registry Bosun watches (polls) with an account of its own: see docs/configuration.md, "Watched registries". */
const registryAccount = z
  .strictObject({
    name: z.string().regex(NAME, { message: "invalid registry name" }),
    address: z.string().regex(ADDRESS, { message: "invalid registry address" }),
    repositories: z.array(z.string().min(1)).optional(),
    catalog: z.boolean().default(false),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    login: z.string().regex(NAME, { message: "invalid project name" }).optional(),
    insecure: z.boolean().default(false),
    interval: duration
      .refine((ms) => ms >= 1_000, {
        message: "interval is too short",
        params: { expected: 'at least 1s, e.g. "5m"' },
      })
      .default(300_000),
    jitter: duration.optional(),
    platform: z
      .string()
      .regex(PLATFORM, { message: "a platform such as linux/amd64 or linux/arm64/v8" })
      .default("linux/amd64"),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string, expected: string, input?: unknown) =>
      ctx.addIssue({ code: "custom", path: [path], message, input, params: { expected } });
    const listed = r.repositories !== undefined && r.repositories.length > 0;
    if (listed === r.catalog)
      issue(
        r.catalog ? "catalog" : "repositories",
        r.catalog ? "repositories and catalog are both set" : "no repositories to watch",
        "repositories: [...] or catalog: true, one of them",
        r.repositories,
      );
    if (r.password !== undefined && r.passwordFile !== undefined)
      issue("passwordFile", "password and passwordFile are both set", "one of password and passwordFile");
    if ((r.password !== undefined || r.passwordFile !== undefined) && r.username === undefined)
      issue("username", "missing username", "a username with the password");
    if (r.username !== undefined && r.password === undefined && r.passwordFile === undefined)
      issue(
        "username",
        "a username without a password",
        "password or passwordFile with the username",
        r.username,
      );
    if (r.login !== undefined && r.username !== undefined)
      issue("login", "login and username are both set", "a project's stored login, or username and password");
  });

/** The delivery log's bounds when the config says nothing: 10000 deliveries, 7 days, 64 KiB of each body. */
const DELIVERIES_DEFAULTS = { keep: 10_000, maxAge: 7 * 86_400_000, maxBodyBytes: 64 * 1024 };

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(7744),
      host: z.string().min(1).default("127.0.0.1"),
      dataDir: z.string().min(1).default(".data"),
      adminToken: z.string().min(16, { message: "adminToken is too short" }).optional(),
      // Tokens that may read the API and the dashboard but change nothing (403 READ_ONLY_TOKEN).
      readOnlyTokens: z.array(z.string().min(16, { message: "a read-only token is too short" })).default([]),
      bodyLimit: size.default(1024 * 1024),
      // Where the keys of Pub/Sub push tokens are fetched; absent: Google's (see docs/gateways.md).
      pubsubJwksUrl: httpUrl.optional(),
      // The address registries reach this server at (behind a proxy, a load balancer): the webhooks
      // Bosun keeps on registries point at <publicUrl>/events/<registry>/<project>.
      publicUrl: httpUrl.optional(),
      // A request whose pushes would fan out past this many events is refused (413).
      maxEventsPerRequest: z.number().int().min(1).max(100_000).default(100),
      // A digest-only push waits this long for the same digest to arrive tagged (docs/gateways.md).
      digestHold: positiveDuration.default(DIGEST_ONLY_HOLD_MS),
      // Webhooks are small: a client that trickles its headers or body is cut off after seconds.
      headersTimeout: positiveDuration.default(10_000),
      requestTimeout: positiveDuration.default(30_000),
      // The delivery log: every authenticated webhook request with its outcome, bounded in count and age.
      deliveries: z
        .strictObject({
          keep: z.number().int().min(0).max(10_000_000).default(DELIVERIES_DEFAULTS.keep),
          maxAge: positiveDuration.default(DELIVERIES_DEFAULTS.maxAge),
          maxBodyBytes: size.default(DELIVERIES_DEFAULTS.maxBodyBytes),
        })
        .default(DELIVERIES_DEFAULTS),
    })
    .superRefine((server, ctx) => {
      // Node refuses a server whose headers may take longer than the whole request.
      if (server.headersTimeout > server.requestTimeout) {
        ctx.addIssue({
          code: "custom",
          path: ["headersTimeout"],
          message: "headersTimeout is longer than requestTimeout",
          input: `${server.headersTimeout}ms`,
          params: { expected: `at most requestTimeout (${server.requestTimeout}ms)` },
        });
      }
    })
    .default({
      port: 7744,
      host: "127.0.0.1",
      dataDir: ".data",
      readOnlyTokens: [],
      bodyLimit: 1024 * 1024,
      maxEventsPerRequest: 100,
      digestHold: DIGEST_ONLY_HOLD_MS,
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      deliveries: DELIVERIES_DEFAULTS,
    }),
  docker: z
    .strictObject({
      socket: z.string().min(1).optional(),
      network: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/, {
          message: 'a network name or mode such as "bridge", "none", "host" or "container:<name>"',
        })
        .optional(),
      insecureRegistries: z.array(z.string().min(1)).default([]),
      maxConcurrentJobs: z.number().int().min(1).max(1000).default(8),
    })
    .default({ insecureRegistries: [], maxConcurrentJobs: 8 }),
  // Slots of the host and kubernetes executors (docker's are docker.maxConcurrentJobs), and the most
  // of an executor's slots one project holds (default: all but a quarter, at least one left).
  jobs: z
    .strictObject({
      maxConcurrent: z.number().int().min(1).max(1000).default(8),
      maxConcurrentPerProject: z.number().int().min(1).max(1000).optional(),
    })
    .default({ maxConcurrent: 8 }),
  worker: z
    .strictObject({
      lease: duration.default(30_000),
      maxRuns: z.number().int().min(1).max(1000).default(8),
      pollInterval: duration.default(1_000),
      // A verified webhook's registry that cannot be asked: the first wait, doubled up to 5 minutes.
      verifyRetry: duration.default(5_000),
    })
    .default({ lease: 30_000, maxRuns: 8, pollInterval: 1_000, verifyRetry: 5_000 }),
  kubernetes: z
    .strictObject({
      kubeconfig: z.string().min(1).optional(),
      namespace: z.string().min(1).default("default"),
      serviceAccountName: z.string().min(1).optional(),
      imagePullSecrets: z.array(z.string().min(1)).default([]),
      nodeSelector: z.record(z.string(), z.string()).default({}),
      workspaceClaim: z.string().min(1).optional(),
      cacheClaim: z.string().min(1).optional(),
      pathClaims: z
        .array(
          z.strictObject({
            path: z.string().min(1),
            claim: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
              message: "a PersistentVolumeClaim name (lowercase letters, digits, - and .)",
            }),
          }),
        )
        .default([]),
      keepPods: duration.default(0),
    })
    .optional(),
  sandbox: z
    .strictObject({ memoryMb: z.number().int().min(8).max(4096).default(128) })
    .default({ memoryMb: 128 }),
  // A PostgreSQL database shared by several gateways and workers; absent, SQLite in server.dataDir.
  store: z
    .strictObject({
      url: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      passwordFile: z.string().min(1).optional(),
      poolSize: z.number().int().min(1).max(100).optional(),
    })
    .refine((s) => s.password === undefined || s.passwordFile === undefined, {
      message: "store.password and store.passwordFile are both set",
      params: { expected: "one of password and passwordFile" },
    })
    .optional(),
  // The key that seals `bosun login` passwords; without it (and BOSUN_CREDENTIALS_KEY), logins are refused.
  credentials: z.strictObject({ keyFile: z.string().min(1).optional() }).optional(),
  // Registries polled for new and moved tags, each with its account.
  registries: z.array(registryAccount).default([]),
  projects: z.array(projectSchema).default([]),
});

export type RawConfig = z.output<typeof configSchema>;
