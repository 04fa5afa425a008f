/**
 * `bosun manifests`: every combination checked against the official object schemas (kubernetes-models
 * validates with them) and against what the schemas do not say: Kubernetes' naming rules, the worker's
 * Role against the API calls the kubernetes executor really makes, the containers' commands and probes
 * against the real `bosun`, and the output through the real CLI.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { Deployment } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { PersistentVolumeClaim, Service, ServiceAccount } from "kubernetes-models/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { parseAllDocuments, stringify } from "yaml";
import { freePort, startPostgres } from "@bosun/test-support";
import {
  buildManifests,
  checkOptions,
  chooseImage,
  DATA_CLAIM,
  GATEWAY_KINDS,
  ManifestError,
  render,
  WORKER,
  type KubeObject,
  type ManifestRequest,
  type OutputFormat,
} from "../src/manifests/index.js";
import { REPO_ROOT } from "./support/fixtures.js";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "cli", "bin", "bosun.js");

async function bosun(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--no-node-snapshot", BIN, ...args], { timeout: 60_000 });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

type Validating = { validate(): void };
const MODELS: Record<string, { apiVersion: string; new (data: never): Validating }> = {
  Deployment,
  Service,
  ServiceAccount,
  PersistentVolumeClaim,
  PodDisruptionBudget,
  Role,
  RoleBinding,
};

/** Throws when the object does not fit the official schema of its kind. */
function validate(object: object): void {
  const { apiVersion, kind } = object as { apiVersion?: string; kind?: string };
  const Model = MODELS[kind ?? ""];
  if (!Model) throw new Error(`no schema for kind ${kind}`);
  expect(apiVersion, `${kind}'s apiVersion`).to.equal(Model.apiVersion);
  new Model(object as never).validate();
}

// Kubernetes' naming rules, which the schemas do not express.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isDnsLabel = (v: string) => v.length <= 63 && DNS_LABEL.test(v);
const isLabelValue = (v: string) => v.length <= 63 && LABEL_VALUE.test(v);
function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const name = key.slice(slash + 1);
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return slash < 0 || (slash <= 253 && DNS_SUBDOMAIN.test(key.slice(0, slash)));
}

function checkNames(object: KubeObject): void {
  const where = `${object.kind} ${object.metadata?.name}`;
  const name = object.metadata?.name ?? "";
  expect(isDnsLabel(name), `${where}: name`).to.equal(true);
  expect(isDnsLabel(object.metadata?.namespace ?? ""), `${where}: namespace`).to.equal(true);
  // A Service's name becomes a DNS name: it must start with a letter.
  if (object.kind === "Service") expect(DNS_1035.test(name), `${where}: service name`).to.equal(true);
  const labelSets = [object.metadata?.labels ?? {}];
  if (object.kind === "Deployment") {
    const d = object as V1Deployment;
    // Pods are named <deployment>-<10-character hash>-<5 characters>, and their hostname is cut at 63.
    expect(name.length + 17, `${where}: its pods' names`).to.be.at.most(63);
    labelSets.push(d.spec?.selector.matchLabels ?? {}, d.spec?.template.metadata?.labels ?? {});
    const pod = d.spec!.template.spec!;
    for (const c of pod.containers) {
      expect(isDnsLabel(c.name), `${where}: container ${c.name}`).to.equal(true);
      for (const p of c.ports ?? []) {
        expect(p.name!.length <= 15 && PORT_NAME.test(p.name!), `${where}: port ${p.name}`).to.equal(true);
      }
    }
    for (const v of pod.volumes ?? [])
      expect(isDnsLabel(v.name), `${where}: volume ${v.name}`).to.equal(true);
    if (pod.serviceAccountName) expect(DNS_SUBDOMAIN.test(pod.serviceAccountName)).to.equal(true);
  }
  for (const labels of labelSets) {
    for (const [key, value] of Object.entries(labels)) {
      expect(isQualifiedKey(key), `${where}: label key ${key}`).to.equal(true);
      expect(isLabelValue(value), `${where}: label ${key}=${value}`).to.equal(true);
    }
  }
}

function containerOf(objects: readonly KubeObject[], name: string): V1Container {
  const d = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === name) as V1Deployment;
  expect(d, `Deployment ${name}`).to.not.equal(undefined);
  return d.spec!.template.spec!.containers[0]!;
}

/** The objects back from the output, as `kubectl apply -f -` would read them. */
function parseOutput(text: string, format: OutputFormat): unknown[] {
  if (format === "json") {
    const list = JSON.parse(text) as { apiVersion: string; kind: string; items: unknown[] };
    expect(list).to.include({ apiVersion: "v1", kind: "List" });
    return list.items;
  }
  const docs = parseAllDocuments(text);
  expect("empty" in docs, "an empty YAML stream").to.equal(false);
  return docs.map((doc) => {
    expect(doc.errors, "YAML errors").to.deep.equal([]);
    return doc.toJS() as unknown;
  });
}

const COMBINATIONS: { name: string; options: ManifestRequest }[] = [
  ...GATEWAY_KINDS.map((kind) => ({ name: `--gateway ${kind}`, options: { gateways: [kind] } })),
  { name: "--worker", options: { worker: true } },
  { name: "--gateway quay --worker", options: { gateways: ["quay"], worker: true } },
  { name: "--all", options: { gateways: GATEWAY_KINDS, worker: true } },
  {
    name: "--all with every option",
    options: {
      gateways: GATEWAY_KINDS,
      worker: true,
      namespace: "n".repeat(63),
      jobsNamespace: "ci-jobs",
      image: "registry.example.com:5000/team/bosun@sha256:" + "a".repeat(64),
      configSecret: "bosun.config-prod",
      storageSize: "20Gi",
    },
  },
  { name: "--all --store postgres", options: { gateways: GATEWAY_KINDS, worker: true, store: "postgres" } },
  {
    name: "--all --store postgres --replicas 3 --worker-replicas 2 --store-secret db/conn",
    options: {
      gateways: GATEWAY_KINDS,
      worker: true,
      store: "postgres",
      storeSecret: "db/conn",
      replicas: 3,
      workerReplicas: 2,
    },
  },
  {
    name: "--worker --store postgres --worker-replicas 1",
    options: { worker: true, store: "postgres", replicas: 2, workerReplicas: 1 },
  },
];

describe("bosun manifests", function () {
  this.timeout(60_000);

  describe("every combination, against the official schemas", () => {
    for (const { name, options } of COMBINATIONS) {
      for (const format of ["yaml", "json"] as const) {
        it(`${name} -o ${format}`, () => {
          const checked = checkOptions(options);
          const objects = buildManifests(checked);
          const parsed = parseOutput(render(objects, format, checked), format);
          expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(objects)));
          for (const object of parsed) validate(object as object);
          for (const object of objects) checkNames(object);

          const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
          expect(new Set(kinds).size, "no object twice").to.equal(kinds.length);
          const sqlite = checked.store.kind === "sqlite";
          if (sqlite) expect(kinds).to.include(`PersistentVolumeClaim/${DATA_CLAIM}`);
          else expect(kinds).to.not.include(`PersistentVolumeClaim/${DATA_CLAIM}`);
          const budgets =
            (checked.replicas > 1 ? checked.gateways.length : 0) +
            (checked.worker && checked.workerReplicas > 1 ? 1 : 0);
          for (const kind of checked.gateways) {
            expect(kinds).to.include.members([
              `Deployment/bosun-gateway-${kind}`,
              `Service/bosun-gateway-${kind}`,
            ]);
          }
          const workerKinds = [
            `Deployment/${WORKER}`,
            `Service/${WORKER}`,
            `ServiceAccount/${WORKER}`,
            "Role/bosun-worker-jobs",
            "RoleBinding/bosun-worker-jobs",
          ];
          if (checked.worker) expect(kinds).to.include.members(workerKinds);
          else expect(kinds).to.not.include.members(workerKinds);
          expect(kinds.filter((k) => k.startsWith("PodDisruptionBudget/"))).to.have.length(
            sqlite ? 0 : budgets,
          );
          expect(kinds).to.have.length(
            (sqlite ? 1 : budgets) + checked.gateways.length * 2 + (checked.worker ? 5 : 0),
          );
        });
      }
    }
  });

  it("the validation refuses a broken object", () => {
    const [, deployment] = buildManifests(checkOptions({ gateways: ["dockerhub"] }));
    expect(deployment!.kind).to.equal("Deployment");
    validate(deployment!);
    const broken = (edit: (d: V1Deployment & Record<string, unknown>) => void) => {
      const copy = structuredClone(deployment) as V1Deployment & Record<string, unknown>;
      edit(copy);
      return copy;
    };
    const cases = [
      broken((d) => ((d.spec as unknown as Record<string, unknown>).replicas = "one")),
      broken((d) => delete (d.spec!.template.spec!.containers[0] as Partial<V1Container>).name),
      broken(
        (d) =>
          ((
            d.spec!.template.spec!.containers[0]!.ports![0] as unknown as Record<string, unknown>
          ).containerPort = "http"),
      ),
      broken((d) => delete (d.spec as Partial<NonNullable<V1Deployment["spec"]>>).selector),
    ];
    for (const object of cases) expect(() => validate(object)).to.throw();
    expect(() =>
      validate({ apiVersion: "v1", kind: "Service", spec: { ports: [{ port: "eighty" }] } }),
    ).to.throw();
  });

  it("on PostgreSQL: the URL from its Secret, no data volume, replicas spread, rolled and budgeted", () => {
    const objects = buildManifests(
      checkOptions({
        gateways: ["dockerhub"],
        worker: true,
        store: "postgres",
        storeSecret: "pg-conn/dsn",
        replicas: 3,
        workerReplicas: 2,
      }),
    );
    expect(objects.some((o) => o.kind === "PersistentVolumeClaim")).to.equal(false);
    for (const [name, replicas] of [
      ["bosun-gateway-dockerhub", 3],
      [WORKER, 2],
    ] as const) {
      const d = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === name) as V1Deployment;
      const pod = d.spec!.template.spec!;
      const podLabels = d.spec!.template.metadata!.labels!;
      expect(d.spec!.replicas).to.equal(replicas);
      // A new pod is ready before an old one goes: never all down during a rollout.
      expect(d.spec!.strategy).to.deep.equal({
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
      expect(pod.affinity, "no pinning to one node").to.equal(undefined);
      const [spread] = pod.topologySpreadConstraints!;
      expect(spread).to.deep.include({ topologyKey: "kubernetes.io/hostname", maxSkew: 1 });
      expect(podLabels).to.include(spread!.labelSelector!.matchLabels!);
      expect(pod.volumes).to.deep.include({ name: "data", emptyDir: {} });
      const c = containerOf(objects, name);
      expect(c.env).to.deep.include({
        name: "BOSUN_STORE_URL",
        valueFrom: { secretKeyRef: { name: "pg-conn", key: "dsn" } },
      });
      // Readiness follows the store; liveness does not, so a database outage restarts no pod.
      expect(c.readinessProbe!.httpGet!.path).to.equal("/readyz");
      expect(c.livenessProbe!.httpGet!.path).to.equal("/healthz");
      const budget = objects.find((o) => o.kind === "PodDisruptionBudget" && o.metadata?.name === name) as {
        spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
      };
      expect(budget.spec.maxUnavailable).to.equal(1);
      expect(podLabels).to.include(budget.spec.selector.matchLabels);
      expect(budget.spec.selector.matchLabels).to.deep.equal(d.spec!.selector.matchLabels);
    }
    // One replica needs no budget (it would block every drain); the default Secret is bosun-store/url.
    const single = buildManifests(checkOptions({ worker: true, store: "postgres" }));
    expect(single.some((o) => o.kind === "PodDisruptionBudget")).to.equal(false);
    expect(containerOf(single, WORKER).env).to.deep.include({
      name: "BOSUN_STORE_URL",
      valueFrom: { secretKeyRef: { name: "bosun-store", key: "url" } },
    });
    const note = render(single, "yaml", checkOptions({ worker: true, store: "postgres" }));
    expect(note).to.contain("create secret generic bosun-store --from-literal=url=");
    expect(note).to.contain("server.adminToken");
  });

  it("the gateway and worker Deployments: command, probes, config, data, labels and security", () => {
    const objects = buildManifests(
      checkOptions({ gateways: ["harbor"], worker: true, configSecret: "my-conf" }),
    );
    const gateway = objects.find((o) => o.metadata?.name === "bosun-gateway-harbor") as V1Deployment;
    expect(gateway.metadata!.labels).to.include({
      "app.kubernetes.io/name": "bosun",
      "app.kubernetes.io/component": "gateway-harbor",
    });
    const g = containerOf(objects, "bosun-gateway-harbor");
    expect([...g.command!, ...g.args!].join(" ")).to.match(
      /^bosun gateway --registry harbor --config \/etc\/bosun\/bosun\.yaml /,
    );
    const w = containerOf(objects, WORKER);
    expect([...w.command!, ...w.args!].slice(0, 2)).to.deep.equal(["bosun", "worker"]);
    for (const [c, d] of [
      [g, gateway],
      [w, objects.find((o) => o.metadata?.name === WORKER && o.kind === "Deployment") as V1Deployment],
    ] as const) {
      expect(c.readinessProbe!.httpGet).to.include({ path: "/readyz", port: "http" });
      expect(c.livenessProbe!.httpGet).to.include({ path: "/healthz", port: "http" });
      expect(c.securityContext).to.deep.include({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(c.resources!.requests).to.have.keys("cpu", "memory");
      const pod = d.spec!.template.spec!;
      expect(d.spec!.replicas).to.equal(1);
      expect(pod.volumes).to.deep.include({ name: "config", secret: { secretName: "my-conf" } });
      expect(pod.volumes).to.deep.include({ name: "data", persistentVolumeClaim: { claimName: DATA_CLAIM } });
      // Every Bosun pod beside the others: one SQLite file, one node.
      const affinity = pod.affinity!.podAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0]!;
      expect(affinity.topologyKey).to.equal("kubernetes.io/hostname");
      expect(d.spec!.template.metadata!.labels).to.include(affinity.labelSelector!.matchLabels!);
    }
    const workerPod = (
      objects.find((o) => o.metadata?.name === WORKER && o.kind === "Deployment") as V1Deployment
    ).spec!.template.spec!;
    expect(workerPod.serviceAccountName).to.equal(WORKER);
    expect(gateway.spec!.template.spec!.automountServiceAccountToken).to.equal(false);
  });

  it("the worker's Role grants exactly what the kubernetes executor calls", () => {
    const expected = executorPermissions();
    // A sanity check of the reading itself: the calls it must at least have found.
    expect(expected.get("pods")).to.include.members(["create", "watch"]);
    expect(expected.get("pods/log")).to.deep.equal(new Set(["get"]));

    const objects = buildManifests(checkOptions({ worker: true, jobsNamespace: "jobs" }));
    const role = objects.find((o) => o.kind === "Role") as { metadata: { namespace: string }; rules: Rule[] };
    expect(role.metadata.namespace).to.equal("jobs");
    const granted = new Map<string, Set<string>>();
    for (const rule of role.rules) {
      expect(rule.apiGroups).to.deep.equal([""]);
      expect(rule.resourceNames ?? []).to.deep.equal([]);
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          expect(verb).to.not.equal("*");
          granted.set(resource, (granted.get(resource) ?? new Set()).add(verb));
        }
      }
    }
    expect(sorted(granted)).to.deep.equal(sorted(expected));

    const binding = objects.find((o) => o.kind === "RoleBinding") as {
      metadata: { namespace: string };
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    expect(binding.metadata.namespace).to.equal("jobs");
    expect(binding.roleRef).to.include({ kind: "Role", name: "bosun-worker-jobs" });
    expect(binding.subjects).to.deep.equal([{ kind: "ServiceAccount", name: WORKER, namespace: "bosun" }]);
  });

  it("refuses what it cannot honour, saying why", () => {
    const refused = (o: ManifestRequest) => {
      try {
        checkOptions(o);
      } catch (err) {
        expect(err).to.be.instanceOf(ManifestError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(o)}`);
    };
    expect(refused({})).to.contain("--worker");
    expect(refused({ worker: true, replicas: 2 })).to.contain("--store postgres");
    expect(refused({ worker: true, workerReplicas: 2 })).to.contain("--worker-replicas");
    expect(refused({ worker: true, store: "mysql" })).to.contain("sqlite or postgres");
    expect(refused({ worker: true, storeSecret: "db/url" })).to.contain("only with --store postgres");
    for (const storeSecret of ["Bad_Name", "db/url/extra", "db/ke y", "/url"]) {
      expect(refused({ worker: true, store: "postgres", storeSecret })).to.contain("--store-secret");
    }
    expect(refused({ worker: true, store: "postgres", replicas: 0 })).to.contain("--replicas");
    expect(refused({ worker: true, namespace: "Bosun_NS" })).to.contain("--namespace");
    expect(refused({ worker: true, namespace: "n".repeat(64) })).to.contain("--namespace");
    expect(refused({ worker: true, configSecret: "-x" })).to.contain("--config-secret");
    expect(refused({ worker: true, storageSize: "lots" })).to.contain("--storage-size");
    expect(refused({ gateways: ["cli"] })).to.contain("dockerhub");
  });

  it("names Bosun's image <registry>/bosun:<version>, ghcr.io/bosun by default", () => {
    const version = (
      JSON.parse(readFileSync(join(REPO_ROOT, "cli", "package.json"), "utf8")) as { version: string }
    ).version;
    const imageOf = (o: ManifestRequest) =>
      containerOf(buildManifests(checkOptions({ worker: true, ...o })), WORKER).image;
    expect(imageOf({})).to.equal(`ghcr.io/bosun/bosun:${version}`);
    expect(chooseImage(undefined, undefined)).to.equal(`ghcr.io/bosun/bosun:${version}`);
    expect(chooseImage(undefined, "registry.example.com:5000/team/")).to.equal(
      `registry.example.com:5000/team/bosun:${version}`,
    );
    expect(chooseImage("example.com/other:1", undefined)).to.equal("example.com/other:1");
    for (const [image, registry, says] of [
      ["a/b:1", "registry.example.com", "not both"],
      [undefined, "https://registry.example.com", "--image-registry"],
      [undefined, "registry.example.com/bosun:1", "--image-registry"],
      [undefined, "", "--image-registry"],
    ] as const) {
      expect(() => chooseImage(image, registry)).to.throw(ManifestError, says);
    }
  });

  describe("through the real CLI", () => {
    it("bosun manifests --all prints YAML whose documents round-trip", async () => {
      const r = await bosun(["manifests", "--all"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.split("\n")[0]).to.match(/^# /);
      expect(r.stdout).to.contain("--store postgres");
      const docs = parseOutput(r.stdout, "yaml");
      const objects = buildManifests(checkOptions({ gateways: GATEWAY_KINDS, worker: true }));
      expect(docs).to.deep.equal(JSON.parse(JSON.stringify(objects)));
      for (const doc of docs) {
        validate(doc as object);
        expect(parseAllDocuments(stringify(doc)).map((d) => d.toJS())).to.deep.equal([doc]);
      }
    });

    it("-o json prints a v1 List; --gateway repeats and combines with --worker", async () => {
      const r = await bosun([
        ...["manifests", "--gateway", "ghcr", "--gateway", "ecr", "--worker", "-o", "json"],
        ...["--namespace", "ci", "--image", "example.com/bosun:dev"],
      ]);
      expect(r.code, r.stderr).to.equal(0);
      const items = parseOutput(r.stdout, "json") as KubeObject[];
      for (const item of items) validate(item);
      const names = items.filter((o) => o.kind === "Deployment").map((o) => o.metadata?.name);
      expect(names).to.deep.equal(["bosun-gateway-ghcr", "bosun-gateway-ecr", WORKER]);
      expect(items.every((o) => o.metadata?.namespace === "ci")).to.equal(true);
      expect(containerOf(items, WORKER).image).to.equal("example.com/bosun:dev");
      const pushed = await bosun([
        "manifests",
        "--worker",
        "-o",
        "json",
        "--image-registry",
        "registry.example.com",
      ]);
      expect(pushed.code, pushed.stderr).to.equal(0);
      const image = containerOf(parseOutput(pushed.stdout, "json") as KubeObject[], WORKER).image;
      expect(image).to.match(/^registry\.example\.com\/bosun:\d+\.\d+\.\d+/);
    });

    it("--store postgres --replicas 2 prints replicas, budgets and the store Secret", async () => {
      const r = await bosun([
        ...["manifests", "--all", "--store", "postgres", "--replicas", "2", "--worker-replicas", "3"],
        ...["--store-secret", "pg/url", "-o", "json"],
      ]);
      expect(r.code, r.stderr).to.equal(0);
      const items = parseOutput(r.stdout, "json") as KubeObject[];
      for (const item of items) validate(item);
      const expected = buildManifests(
        checkOptions({
          gateways: GATEWAY_KINDS,
          worker: true,
          store: "postgres",
          storeSecret: "pg/url",
          replicas: 2,
          workerReplicas: 3,
        }),
      );
      expect(items).to.deep.equal(JSON.parse(JSON.stringify(expected)));
      const worker = items.find(
        (o) => o.kind === "Deployment" && o.metadata?.name === WORKER,
      ) as V1Deployment;
      expect(worker.spec!.replicas).to.equal(3);
      expect(items.filter((o) => o.kind === "PodDisruptionBudget")).to.have.length(GATEWAY_KINDS.length + 1);
      const bad = await bosun(["manifests", "--worker", "--store", "postgres", "--worker-replicas", "two"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("--worker-replicas");
    });

    it("a wrong --gateway, --replicas or -o is refused with the choices and a non-zero exit", async () => {
      const r = await bosun(["manifests", "--gateway", "nope"]);
      expect(r.code).to.not.equal(0);
      expect(r.stdout).to.equal("");
      expect(r.stderr).to.contain('unknown registry kind "nope"');
      for (const kind of GATEWAY_KINDS) expect(r.stderr).to.contain(kind);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain("[USAGE_INVALID]");

      const replicas = await bosun(["manifests", "--worker", "--replicas", "3"]);
      expect(replicas.code).to.not.equal(0);
      expect(replicas.stderr).to.contain("--store postgres");
      const output = await bosun(["manifests", "--worker", "-o", "toml"]);
      expect(output.code).to.not.equal(0);
      expect(output.stderr).to.contain("yaml or json");
    });

    it("the containers' commands start the real gateway and worker, which answer the probes", async () => {
      const objects = buildManifests(checkOptions({ gateways: ["distribution"], worker: true }));
      const dir = mkdtempSync(join(tmpdir(), "bosun-manifests-"));
      writeFileSync(join(dir, "bosun.yaml"), "");
      const children: ChildProcess[] = [];
      try {
        for (const name of ["bosun-gateway-distribution", WORKER]) {
          const c = containerOf(objects, name);
          const { child, port } = await startContainer(c, dir, {});
          children.push(child);
          for (const path of [
            c.readinessProbe!.httpGet!.path!,
            c.livenessProbe!.httpGet!.path!,
            "/metrics",
          ]) {
            const res = await fetch(`http://127.0.0.1:${port}${path}`);
            expect(res.status, `${name} ${path}`).to.equal(200);
          }
        }
      } finally {
        await stopAll(children);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("--store postgres: the containers run on a real database; readiness follows it, liveness does not", async () => {
      const objects = buildManifests(
        checkOptions({ gateways: ["distribution"], worker: true, store: "postgres", replicas: 2 }),
      );
      const database = await startPostgres();
      const dir = mkdtempSync(join(tmpdir(), "bosun-manifests-"));
      writeFileSync(join(dir, "bosun.yaml"), "");
      const children: ChildProcess[] = [];
      try {
        const probes: { name: string; port: number; c: V1Container }[] = [];
        for (const name of ["bosun-gateway-distribution", WORKER]) {
          const c = containerOf(objects, name);
          // What the kubelet does with the secretKeyRef: the Secret's value in BOSUN_STORE_URL.
          const fromSecret = c.env!.find((e) => e.name === "BOSUN_STORE_URL")!.valueFrom!.secretKeyRef!;
          expect(fromSecret).to.deep.equal({ name: "bosun-store", key: "url" });
          const { child, port } = await startContainer(c, join(dir, name), { BOSUN_STORE_URL: database.url });
          children.push(child);
          probes.push({ name, port, c });
        }
        const status = async (port: number, path: string) =>
          (await fetch(`http://127.0.0.1:${port}${path}`)).status;
        for (const { name, port, c } of probes) {
          expect(await status(port, c.readinessProbe!.httpGet!.path!), `${name} ready`).to.equal(200);
        }
        await database.pause();
        try {
          for (const { name, port, c } of probes) {
            expect(await status(port, c.readinessProbe!.httpGet!.path!), `${name} ready`).to.equal(503);
            expect(await status(port, c.livenessProbe!.httpGet!.path!), `${name} alive`).to.equal(200);
          }
        } finally {
          await database.resume();
        }
      } finally {
        await stopAll(children);
        await database.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** Runs a container's own command on this machine: its paths and address moved here, env added. */
async function startContainer(
  c: V1Container,
  dir: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "bosun.yaml"))) writeFileSync(join(dir, "bosun.yaml"), "");
  const port = await freePort();
  const args = c.args!.map((a) =>
    a === "/etc/bosun/bosun.yaml"
      ? join(dir, "bosun.yaml")
      : a === "/var/lib/bosun"
        ? join(dir, "data")
        : a === "0.0.0.0"
          ? "127.0.0.1"
          : a === String(c.ports![0]!.containerPort)
            ? String(port)
            : a,
  );
  const child = spawn(process.execPath, ["--no-node-snapshot", BIN, ...args], {
    env: { ...process.env, BOSUN_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    await listening(child);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return { child, port };
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function sorted(m: Map<string, Set<string>>): [string, string[]][] {
  return [...m]
    .map(([k, v]): [string, string[]] => [k, [...v].sort()])
    .sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The permissions the kubernetes executor needs, read from its source: every CoreV1Api call
 * (`api.<verb>Namespaced<Kind>[<Subresource>](`) and every watch path. A call this reading does not
 * understand fails the test rather than being skipped.
 */
function executorPermissions(): Map<string, Set<string>> {
  const dir = join(REPO_ROOT, "executors", "src", "kubernetes");
  const source = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  const VERBS: Record<string, string> = {
    create: "create",
    read: "get",
    list: "list",
    patch: "patch",
    replace: "update",
    delete: "delete",
    deleteCollection: "deletecollection",
  };
  const needs = new Map<string, Set<string>>();
  const add = (resource: string, verb: string) =>
    needs.set(resource, (needs.get(resource) ?? new Set()).add(verb));
  let calls = 0;
  for (const [, method] of source.matchAll(/\bapi\s*\.\s*(\w+)\s*\(/g)) {
    const m =
      /^(create|read|list|patch|replace|deleteCollection|delete)Namespaced([A-Z][a-z]+)(Log|Status)?$/.exec(
        method!,
      );
    if (!m) throw new Error(`the executor calls api.${method}, which this test does not know how to read`);
    const resource = `${m[2]!.toLowerCase()}s${m[3] ? `/${m[3].toLowerCase()}` : ""}`;
    add(resource, VERBS[m[1]!]!);
    calls++;
  }
  const watches = [...source.matchAll(/new Watch\(/g)].length;
  const paths = [...source.matchAll(/\/api\/v1\/namespaces\/\$\{[^}]+\}\/(\w+)`/g)].map((m) => m[1]!);
  expect(paths.length, "a path for every Watch").to.equal(watches);
  for (const resource of paths) add(resource, "watch");
  // Requests the executor makes itself (a followed log): a GET of a subresource.
  const raw = [...source.matchAll(/\/api\/v1\/namespaces\/\$\{[^}]+\}\/(\w+)\/\$\{[^}]+\}\/(\w+)`/g)];
  if (raw.length > 0) expect(source, "raw requests are GETs").to.match(/method: "GET"/);
  for (const [, resource, sub] of raw) add(`${resource}/${sub}`, "get");
  expect(calls, "API calls found in the executor").to.be.at.least(5);
  return needs;
}

function listening(child: ChildProcess): Promise<void> {
  let stderr = "";
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bosun did not start:\n${stderr}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("bosun listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bosun exited with ${code}:\n${stderr}`));
    });
  });
}
