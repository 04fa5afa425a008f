/**
 * The pure JobSpec → Pod (+ Secret) mapping, checked against the official object schemas
 * (kubernetes-models validates with them) and against Kubernetes' naming rules, which the schemas
 * do not express, for a matrix of specs.
 */
import type { JobSpec } from "@bosun/core";
import { expect } from "chai";
import { Pod, Secret } from "kubernetes-models/v1";
import { toPod, type KubernetesPodOptions, type PodObjects } from "../src/kubernetes/index.js";
import { isDnsLabel, isLabelValue, labelKey } from "../src/kubernetes/names.js";

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const name = key.slice(slash + 1);
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix);
}

const base: JobSpec = {
  name: "build",
  image: "registry.example.com/team/app:v1.2.3",
  tasks: ["echo hello", "make test"],
  env: {},
  labels: { "bosun.project": "shop", "bosun.run": "01J9Z6Q2W8", "bosun.job": "01J9Z6Q3AA" },
};

const brigade: Partial<JobSpec> = {
  imagePullSecrets: ["regcred"],
  imageForcePull: true,
  serviceAccount: "builder",
  annotations: { "example.com/owner": "team-a", note: "free text, even: punctuation!" },
  resourceRequests: { cpu: "250m", memory: "128Mi" },
  resourceLimits: { cpu: "1", memory: "512Mi" },
  host: { os: "linux", name: "node-7", nodeSelector: { disktype: "ssd" } },
  storage: { enabled: true, path: "/mnt/brigade/share" },
  cache: { enabled: true, path: "/mnt/brigade/cache", size: "5Mi" },
};

const allOptions: KubernetesPodOptions = {
  namespace: "bosun-jobs",
  imagePullSecrets: ["bosun-pull"],
  nodeSelector: { pool: "jobs" },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "jobs", effect: "NoSchedule" }],
  workspaceClaim: "bosun-workspaces",
  cacheClaim: "bosun-caches",
  nonce: "a1b2c3d4",
};

const SECRET = "s3cr3t-t0ken-value";
const PULL_PASSWORD = "pull-pa55word-value";
const logins = [
  { registry: "docker.io", username: "hub-user", password: "hub-pa55word" },
  { registry: "registry.example.com", username: "robot$ci", password: PULL_PASSWORD },
];

const matrix: { name: string; spec: JobSpec; options?: KubernetesPodOptions }[] = [
  { name: "minimal", spec: { ...base, labels: {} } },
  {
    name: "all options",
    spec: { ...base, ...brigade, timeoutMs: 90_500, workingDir: "/src" },
    options: allOptions,
  },
  {
    name: "long names",
    spec: {
      ...base,
      name: "a-really-long-job-name-that-goes-on-and-on-and-on-and-on-and-on-forever",
      labels: {
        "bosun.project": "a-project-whose-name-is-much-longer-than-sixty-three-characters-in-total",
        "bosun.run": "r".repeat(80),
        "bosun.job": "j".repeat(70),
      },
    },
  },
  {
    name: "odd label values",
    spec: {
      ...base,
      name: "Build & Test!",
      labels: {
        "bosun.project": "-Team/App_",
        "bosun.run": "run:42",
        "bosun.job": "ünïcödé job",
        "Weird Key!": "value with spaces",
        "UPPER.example.COM/x": "...",
        "/": "nothing left",
      },
    },
  },
  { name: "no tasks, args", spec: { ...base, tasks: [], args: ["--flag", "value"] } },
  { name: "no tasks, no args", spec: { ...base, tasks: [] } },
  { name: "privileged", spec: { ...base, privileged: true, shell: "/bin/bash" } },
  {
    name: "secrets",
    spec: {
      ...base,
      env: { TOKEN: SECRET, PLAIN: "x", "odd:name": "y", EMPTY: "" },
      secretValues: [SECRET],
    },
  },
  {
    name: "mounts of claims",
    spec: { ...base, mounts: [{ source: "shared-data", target: "/data", readOnly: true }] },
  },
  {
    name: "worker folders on claims (a Dispatchfile task)",
    spec: {
      ...base,
      mounts: [
        { source: "/var/lib/bosun/runs/r1/tasks/build", target: "/workspace" },
        { source: "/var/lib/bosun/runs/r1/volumes/cache", target: "/cache", readOnly: true },
      ],
    },
    options: { namespace: "jobs", pathClaims: [{ path: "/var/lib/bosun", claim: "bosun-data" }] },
  },
  { name: "cache without a claim", spec: { ...base, cache: { enabled: true, path: "/cache", size: "1Gi" } } },
  {
    name: "registry login, env and configured pull secrets",
    spec: { ...base, ...brigade, env: { TOKEN: SECRET }, registryCredentials: logins },
    options: allOptions,
  },
  {
    name: "sidecars",
    spec: {
      ...base,
      ...brigade,
      env: { TOKEN: SECRET },
      secretValues: [SECRET],
      sidecars: [
        { name: "db", image: "postgres:16", env: { POSTGRES_PASSWORD: SECRET }, args: ["-c", "fsync=off"] },
        {
          name: "web",
          image: "nginx:1.27",
          command: ["nginx", "-g", "daemon off;"],
          env: {},
          privileged: true,
        },
      ],
    },
    options: allOptions,
  },
];

function build(spec: JobSpec, options?: KubernetesPodOptions): PodObjects {
  return toPod(spec, options ?? { namespace: "jobs" });
}

describe("kubernetes pod mapping", function () {
  it("runs sidecars as native sidecar containers beside the job's, their env from the Secret", function () {
    const spec: JobSpec = {
      ...base,
      env: { TOKEN: SECRET },
      secretValues: [SECRET],
      storage: { enabled: true, path: "/mnt/brigade/share" },
      sidecars: [
        { name: "db", image: "postgres:16", env: { POSTGRES_PASSWORD: SECRET }, args: ["-c", "fsync=off"] },
        { name: "cache", image: "redis:7", command: ["redis-server"], env: {}, imageForcePull: true },
      ],
    };
    const { pod, secret } = toPod(spec, { namespace: "jobs", workspaceClaim: "bosun-workspaces" });
    const podSpec = pod.spec!;
    expect(podSpec.containers.map((c) => c.name)).to.deep.equal(["job"]);
    const [db, cache] = podSpec.initContainers!;
    expect(db).to.deep.include({
      name: "db",
      image: "postgres:16",
      restartPolicy: "Always",
      args: ["-c", "fsync=off"],
    });
    expect(cache).to.deep.include({
      name: "cache",
      restartPolicy: "Always",
      command: ["redis-server"],
      imagePullPolicy: "Always",
    });
    // Every container mounts what the job mounts (the shared workspace).
    expect(db!.volumeMounts).to.deep.equal(podSpec.containers[0]!.volumeMounts);
    const ref = db!.env![0]!.valueFrom!.secretKeyRef!;
    expect(db!.env![0]!.name).to.equal("POSTGRES_PASSWORD");
    expect(ref.name).to.equal(secret!.metadata!.name);
    expect(Buffer.from(secret!.data![ref.key]!, "base64").toString()).to.equal(SECRET);
    expect(ref.key).to.not.equal(podSpec.containers[0]!.env![0]!.valueFrom!.secretKeyRef!.key);
    expect(JSON.stringify(pod)).to.not.include(SECRET);
    expect(() =>
      toPod(
        { ...spec, sidecars: [{ name: "job", image: "x", env: {} }] },
        { namespace: "jobs", workspaceClaim: "w" },
      ),
    ).to.throw(/sidecar name "job"/);
  });

  for (const { name, spec, options } of matrix) {
    it(`builds a valid pod: ${name}`, function () {
      const { pod, secret, pullSecret } = build(spec, options);
      new Pod(pod as never).validate();
      if (secret) new Secret(secret as never).validate();
      if (pullSecret) new Secret(pullSecret as never).validate();
      for (const s of [secret, pullSecret]) if (s) expect(isDnsLabel(s.metadata?.name ?? "")).to.equal(true);

      const meta = pod.metadata ?? {};
      expect(isDnsLabel(meta.name ?? ""), meta.name).to.equal(true);
      for (const [k, v] of Object.entries(meta.labels ?? {})) {
        expect(isQualifiedKey(k), `label key ${k}`).to.equal(true);
        expect(isLabelValue(v), `label ${k}=${v}`).to.equal(true);
      }
      for (const k of Object.keys(meta.annotations ?? {})) expect(isQualifiedKey(k), k).to.equal(true);
      expect(meta.labels?.["app.kubernetes.io/managed-by"]).to.equal("bosun");
      expect(pod.spec?.restartPolicy).to.equal("Never");
      expect(pod.spec?.containers).to.have.length(1);
      expect(JSON.stringify(pod)).to.not.include(SECRET);
      expect(JSON.stringify(pod)).to.not.include(PULL_PASSWORD);
      for (const v of pod.spec?.volumes ?? []) expect(isDnsLabel(v.name)).to.equal(true);
    });
  }

  it("names pods readably, within 63 characters, and apart when only the cut-off part differs", function () {
    const { pod } = build(base);
    expect(pod.metadata?.name).to.match(/^bosun-shop-01j9z6q2w8-build-[0-9a-f]{8}$/);
    const long = matrix.find((m) => m.name === "long names")?.spec ?? base;
    const a = build(long).pod.metadata?.name ?? "";
    const b = build({ ...long, labels: { ...long.labels, "bosun.job": "k".repeat(70) } }).pod.metadata?.name;
    expect(a.length).to.be.at.most(63);
    expect(a).to.not.equal(b);
    expect(build(base).pod.metadata?.name).to.equal(pod.metadata?.name);
    expect(toPod(base, { namespace: "jobs", nonce: "x" }).pod.metadata?.name).to.not.equal(
      pod.metadata?.name,
    );
  });

  it("labels the pod with project, run and job, and keeps changed labels exactly in an annotation", function () {
    const odd = matrix.find((m) => m.name === "odd label values")?.spec ?? base;
    const { pod } = build(odd);
    expect(pod.metadata?.labels).to.include({
      "bosun.project": "Team-App",
      "bosun.run": "run-42",
      "bosun.job": "unicode-job",
      "Weird-Key": "value-with-spaces",
      "upper.example.com/x": "",
    });
    expect(JSON.parse(pod.metadata?.annotations?.["bosun.dev/labels"] ?? "{}")).to.deep.equal(odd.labels);
    expect(pod.metadata?.annotations?.["bosun.dev/job-name"]).to.equal("Build & Test!");
    expect(build(base).pod.metadata?.annotations?.["bosun.dev/labels"]).to.equal(undefined);
    expect(labelKey("/")).to.equal(undefined);
  });

  it("runs the tasks through the shell, or the image's own command with args", function () {
    const tasks = build(base).pod.spec?.containers[0];
    expect(tasks?.command).to.deep.equal(["/bin/sh", "-e", "-c", "echo hello\nmake test"]);
    expect(tasks?.args).to.equal(undefined);
    const args = build({ ...base, tasks: [], args: ["--flag", "value"] }).pod.spec?.containers[0];
    expect(args?.command).to.equal(undefined);
    expect(args?.args).to.deep.equal(["--flag", "value"]);
    const bash = build({ ...base, shell: "/bin/bash" }).pod.spec?.containers[0];
    expect(bash?.command?.[0]).to.equal("/bin/bash");
  });

  it("escapes `$` in command and args, which Kubernetes would expand from the env before the shell", function () {
    const tasks = build({ ...base, tasks: ['echo "$HOME $$ $(NAME)"'] }).pod.spec?.containers[0];
    expect(tasks?.command?.[3]).to.equal('echo "$$HOME $$$$ $$(NAME)"');
    const args = build({ ...base, tasks: [], command: ["run", "$(X)"], args: ["$$"] }).pod.spec
      ?.containers[0];
    expect(args?.command).to.deep.equal(["run", "$$(X)"]);
    expect(args?.args).to.deep.equal(["$$$$"]);
  });

  it("sets the container's command from the job's command, with its args", function () {
    const both = build({ ...base, tasks: [], command: ["/app/run"], args: ["--fast"] }).pod.spec
      ?.containers[0];
    expect(both?.command).to.deep.equal(["/app/run"]);
    expect(both?.args).to.deep.equal(["--fast"]);
    const alone = build({ ...base, tasks: [], command: ["/app/run"] }).pod.spec?.containers[0];
    expect(alone?.command).to.deep.equal(["/app/run"]);
    expect(alone?.args).to.equal(undefined);
    const tasksWin = build({ ...base, command: ["/app/run"] }).pod.spec?.containers[0];
    expect(tasksWin?.command?.[0]).to.equal("/bin/sh");
  });

  it("keeps env values in a Secret the pod refers to by key", function () {
    const env = { TOKEN: SECRET, "odd:name": "y", EMPTY: "" };
    const { pod, secret } = build({ ...base, env });
    const secretName = secret?.metadata?.name ?? "";
    expect(secretName).to.equal(`${pod.metadata?.name}-env`);
    expect(secret?.metadata?.labels).to.deep.equal(pod.metadata?.labels);
    expect(secret?.metadata?.ownerReferences).to.equal(undefined);
    const decoded = Object.fromEntries(
      Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
    );
    const vars = pod.spec?.containers[0]?.env ?? [];
    expect(vars.map((v) => v.name)).to.deep.equal(["TOKEN", "odd:name", "EMPTY"]);
    for (const v of vars) {
      expect(v.value).to.equal(undefined);
      expect(v.valueFrom?.secretKeyRef?.name).to.equal(secretName);
      expect(decoded[v.valueFrom?.secretKeyRef?.key ?? ""]).to.equal(env[v.name as keyof typeof env]);
    }
    expect(build(base).secret).to.equal(undefined);
  });

  it("puts the login for the image's registry in a dockerconfigjson Secret the pod pulls with", function () {
    const { pod, pullSecret } = build({ ...base, ...brigade, registryCredentials: logins }, allOptions);
    const name = `${pod.metadata?.name}-pull`;
    expect(pullSecret?.metadata?.name).to.equal(name);
    expect(pullSecret?.metadata?.namespace).to.equal("bosun-jobs");
    expect(pullSecret?.metadata?.labels).to.deep.equal(pod.metadata?.labels);
    expect(pullSecret?.metadata?.ownerReferences).to.equal(undefined);
    expect(pullSecret?.type).to.equal("kubernetes.io/dockerconfigjson");
    expect(Object.keys(pullSecret?.data ?? {})).to.deep.equal([".dockerconfigjson"]);
    const config = JSON.parse(
      Buffer.from(pullSecret?.data?.[".dockerconfigjson"] ?? "", "base64").toString("utf8"),
    ) as unknown;
    // Only the login the image needs; the Docker Hub one stays out.
    expect(config).to.deep.equal({
      auths: {
        "registry.example.com": {
          username: "robot$ci",
          password: PULL_PASSWORD,
          auth: Buffer.from(`robot$ci:${PULL_PASSWORD}`).toString("base64"),
        },
      },
    });
    expect(pod.spec?.imagePullSecrets).to.deep.equal([{ name: "bosun-pull" }, { name: "regcred" }, { name }]);
  });

  it("files a Docker Hub login under Docker Hub's config key, whichever name the image uses", function () {
    for (const image of ["team/app:v1", "docker.io/team/app:v1", "index.docker.io/team/app:v1"]) {
      const { pod, pullSecret } = build({ ...base, image, registryCredentials: logins });
      const config = JSON.parse(
        Buffer.from(pullSecret?.data?.[".dockerconfigjson"] ?? "", "base64").toString("utf8"),
      ) as { auths: Record<string, { username: string }> };
      expect(Object.keys(config.auths), image).to.deep.equal(["https://index.docker.io/v1/"]);
      expect(config.auths["https://index.docker.io/v1/"]?.username).to.equal("hub-user");
      expect(pod.spec?.imagePullSecrets).to.deep.equal([{ name: pullSecret?.metadata?.name }]);
    }
  });

  it("makes no pull Secret when the project has no login for the image's registry", function () {
    const other = [{ registry: "ghcr.io", username: "u", password: "p" }];
    for (const spec of [
      base,
      { ...base, registryCredentials: [] },
      { ...base, registryCredentials: other },
    ]) {
      const { pod, pullSecret } = build(spec);
      expect(pullSecret).to.equal(undefined);
      expect(pod.spec).to.not.have.property("imagePullSecrets");
    }
  });

  it("maps the Brigade settings and the executor's options", function () {
    const spec = { ...base, ...brigade, timeoutMs: 90_500, privileged: true };
    const { pod } = build(spec, allOptions);
    const podSpec = pod.spec;
    const c = podSpec?.containers[0];
    expect(pod.metadata?.namespace).to.equal("bosun-jobs");
    expect(podSpec?.activeDeadlineSeconds).to.equal(91);
    expect(podSpec?.serviceAccountName).to.equal("builder");
    expect(podSpec?.automountServiceAccountToken).to.equal(undefined);
    expect(podSpec?.imagePullSecrets).to.deep.equal([{ name: "bosun-pull" }, { name: "regcred" }]);
    expect(podSpec?.nodeSelector).to.deep.equal({
      pool: "jobs",
      "kubernetes.io/os": "linux",
      "kubernetes.io/hostname": "node-7",
      disktype: "ssd",
    });
    expect(podSpec?.tolerations).to.deep.equal(allOptions.tolerations);
    expect(c?.imagePullPolicy).to.equal("Always");
    expect(c?.resources).to.deep.equal({
      requests: { cpu: "250m", memory: "128Mi" },
      limits: { cpu: "1", memory: "512Mi" },
    });
    expect(c?.securityContext).to.deep.equal({ privileged: true });
    expect(pod.metadata?.annotations).to.include({ "example.com/owner": "team-a" });
    expect(podSpec?.volumes).to.deep.equal([
      { name: "workspace", persistentVolumeClaim: { claimName: "bosun-workspaces" } },
      { name: "cache", persistentVolumeClaim: { claimName: "bosun-caches" } },
    ]);
    expect(c?.volumeMounts).to.deep.equal([
      { name: "workspace", mountPath: "/mnt/brigade/share", subPath: "shop/01j9z6q2w8" },
      { name: "cache", mountPath: "/mnt/brigade/cache", subPath: "shop/build" },
    ]);
  });

  it("leaves out what was not asked for", function () {
    const { pod } = build(base);
    const c = pod.spec?.containers[0];
    expect(pod.spec?.automountServiceAccountToken).to.equal(false);
    expect(pod.spec?.enableServiceLinks).to.equal(false);
    for (const key of [
      "activeDeadlineSeconds",
      "imagePullSecrets",
      "nodeSelector",
      "tolerations",
      "volumes",
    ]) {
      expect(pod.spec, key).to.not.have.property(key);
    }
    for (const key of [
      "securityContext",
      "resources",
      "env",
      "volumeMounts",
      "imagePullPolicy",
      "workingDir",
    ]) {
      expect(c, key).to.not.have.property(key);
    }
  });

  it("skips the host-directory mounts the script handler adds for storage and cache", function () {
    const spec: JobSpec = {
      ...base,
      ...brigade,
      mounts: [
        { source: "/var/lib/bosun/runs/r1/storage", target: "/mnt/brigade/share" },
        { source: "/var/lib/bosun/cache/shop/build", target: "/mnt/brigade/cache" },
      ],
    };
    const mounts = build(spec, allOptions).pod.spec?.containers[0]?.volumeMounts ?? [];
    expect(mounts.map((m) => m.mountPath)).to.deep.equal(["/mnt/brigade/share", "/mnt/brigade/cache"]);
  });

  it("mounts a worker folder from the claim it lies on (the deepest), with the rest as subPath", function () {
    const spec: JobSpec = {
      ...base,
      mounts: [
        { source: "/var/lib/bosun/runs/r1/tasks/build", target: "/workspace" },
        { source: "/var/lib/bosun/runs/r1/volumes/v", target: "/v", readOnly: true },
        { source: "/var/lib/bosun/scratch", target: "/scratch" },
        { source: "/var/lib/bosun", target: "/all" },
      ],
    };
    const pathClaims = [
      { path: "/var/lib/bosun", claim: "bosun-data" },
      { path: "/var/lib/bosun/scratch", claim: "scratch" },
      { path: "/var/lib/bosun-other", claim: "other" },
    ];
    const pod = build(spec, { namespace: "jobs", pathClaims }).pod;
    expect(pod.spec?.volumes).to.deep.equal([
      { name: "path-0", persistentVolumeClaim: { claimName: "bosun-data" } },
      { name: "path-1", persistentVolumeClaim: { claimName: "scratch" } },
    ]);
    expect(pod.spec?.containers[0]?.volumeMounts).to.deep.equal([
      { name: "path-0", mountPath: "/workspace", subPath: "runs/r1/tasks/build" },
      { name: "path-0", mountPath: "/v", subPath: "runs/r1/volumes/v", readOnly: true },
      { name: "path-1", mountPath: "/scratch" },
      { name: "path-0", mountPath: "/all" },
    ]);
  });

  it("refuses a worker folder on no listed claim, naming kubernetes.pathClaims", function () {
    const spec = { ...base, mounts: [{ source: "/var/lib/bosun-other/x", target: "/x" }] };
    expect(() => build(spec, { namespace: "jobs", pathClaims: [{ path: "/var/lib/bosun", claim: "d" }] }))
      .to.throw(/worker's folder \/var\/lib\/bosun-other\/x.*kubernetes\.pathClaims/)
      .with.property("code", "KUBERNETES_INVALID_JOB");
  });

  it("refuses what cannot become a valid pod, saying why", function () {
    const cases: [JobSpec, RegExp][] = [
      [{ ...base, mounts: [{ source: "/host/dir", target: "/x" }] }, /pathClaims/],
      [{ ...base, mounts: [{ source: "Not_A_Claim", target: "/x" }] }, /PersistentVolumeClaim/],
      [{ ...base, storage: { enabled: true, path: "/share" } }, /workspaceClaim/],
      [{ ...base, annotations: { "bad key!": "x" } }, /annotation key/],
      [{ ...base, host: { nodeSelector: { zone: "not valid!" } } }, /nodeSelector/],
    ];
    for (const [spec, message] of cases) {
      let thrown: unknown;
      try {
        build(spec);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, String(message)).to.be.instanceOf(Error);
      expect((thrown as { code?: string }).code).to.equal("KUBERNETES_INVALID_JOB");
      expect((thrown as Error).message).to.match(message);
    }
  });
});
