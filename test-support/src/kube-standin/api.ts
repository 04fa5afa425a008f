/**
 * The REST endpoints of the stand-in: core/v1 Secrets and Pods in a namespace, and pods/log (read at
 * once, or followed as the container writes it until it exits). Each operation accepts the query
 * parameters it implements and refuses any other with 400, so a client that starts relying on more of
 * the API fails loudly here rather than passing by accident.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Kubelet } from "./kubelet.js";
import { applyJsonPatch, applyMergePatch } from "./patch.js";
import { SelectorError, fieldSelector, labelSelector } from "./selectors.js";
import type { StandinObject } from "./selectors.js";
import type { EventType, Resource, Store } from "./store.js";
import { ApiError, badRequest, notFound, validateObject } from "./validate.js";

export interface ApiOptions {
  namespaces: readonly string[];
  /** Bearer token every request must carry; none checked when undefined. */
  token?: string;
  /** How often a watch that allows bookmarks gets one. */
  bookmarkIntervalMs: number;
}

export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
}

const KINDS: Record<Resource, "Pod" | "Secret"> = { pods: "Pod", secrets: "Secret" };

/** Query parameters each operation implements. */
const PARAMS = {
  create: [],
  get: [],
  list: ["labelSelector", "fieldSelector", "resourceVersion"],
  watch: [
    "watch",
    "labelSelector",
    "fieldSelector",
    "resourceVersion",
    "allowWatchBookmarks",
    "timeoutSeconds",
  ],
  patch: [],
  delete: ["gracePeriodSeconds", "propagationPolicy"],
  log: ["container", "limitBytes", "follow"],
} as const;

export class Api {
  readonly received: Received[] = [];
  private readonly watches = new Set<ServerResponse>();
  private readonly follows = new Set<ServerResponse>();
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly kubelet: Kubelet,
    private readonly o: ApiOptions,
  ) {}

  /** Ends every open watch connection abruptly, as a dropped network connection would. */
  dropWatches(): number {
    const n = this.watches.size;
    for (const res of this.watches) res.socket?.destroy();
    return n;
  }

  /** Ends every open `follow=true` log stream abruptly, as a dropped network connection would. */
  dropLogs(): number {
    const n = this.follows.size;
    for (const res of this.follows) res.socket?.destroy();
    return n;
  }

  /** Waits for deletions, container removals and garbage collection still under way. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://standin");
      const query = Object.fromEntries(url.searchParams);
      this.received.push({ method: req.method ?? "", path: url.pathname, query });
      const body = await readBody(req);
      if (this.o.token !== undefined && req.headers.authorization !== `Bearer ${this.o.token}`) {
        throw new ApiError(401, "Unauthorized", "Unauthorized");
      }
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|secrets)(?:\/([^/]+))?(\/log)?$/.exec(url.pathname);
      if (!m || (m[4] && (m[2] !== "pods" || !m[3]))) {
        throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      }
      const namespace = decodeURIComponent(m[1] ?? "");
      const resource = m[2] as Resource;
      const name = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
      const method = req.method ?? "GET";
      const params = url.searchParams;
      const allow = (op: keyof typeof PARAMS) => {
        for (const key of params.keys()) {
          if (!(PARAMS[op] as readonly string[]).includes(key)) {
            throw badRequest(`kube-standin does not implement the query parameter ${key} for ${op}`);
          }
        }
      };
      if (m[4] && method === "GET") {
        allow("log");
        return this.log(namespace, name ?? "", params, res);
      }
      if (!name && method === "POST") {
        allow("create");
        return send(res, 201, this.create(resource, namespace, parseJson(body)));
      }
      if (!name && method === "GET" && params.get("watch") === "true") {
        allow("watch");
        return this.watch(resource, namespace, params, res);
      }
      if (!name && method === "GET") {
        allow("list");
        return send(res, 200, this.list(resource, namespace, params));
      }
      if (name && method === "GET") {
        allow("get");
        return send(res, 200, this.get(resource, namespace, name));
      }
      if (name && method === "PATCH" && resource === "secrets") {
        allow("patch");
        return send(res, 200, this.patchSecret(namespace, name, body, req.headers["content-type"] ?? ""));
      }
      if (name && method === "DELETE") {
        allow("delete");
        const grace = params.get("gracePeriodSeconds");
        const policy = params.get("propagationPolicy") ?? "Background";
        if (!["Background", "Foreground", "Orphan"].includes(policy)) {
          throw badRequest(`unsupported propagationPolicy ${policy}`);
        }
        const result =
          resource === "pods"
            ? this.deletePod(namespace, name, grace === null ? undefined : Number(grace), policy)
            : this.deleteSecret(namespace, name);
        return send(res, 200, result);
      }
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `the server does not allow this method on the requested resource`,
      );
    } catch (err) {
      const e =
        err instanceof ApiError
          ? err
          : err instanceof SelectorError
            ? badRequest(err.message)
            : new ApiError(
                500,
                "InternalError",
                `kube-standin: ${err instanceof Error ? err.stack : String(err)}`,
              );
      if (!res.headersSent) send(res, e.code, e.status());
      else res.destroy();
    }
  }

  private create(resource: Resource, namespace: string, body: StandinObject): StandinObject {
    const kind = KINDS[resource];
    if (!this.o.namespaces.includes(namespace)) {
      throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: "namespaces",
      });
    }
    if ((body.kind ?? kind) !== kind || (body.apiVersion ?? "v1") !== "v1") {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (v1)`,
      );
    }
    const meta = (body.metadata ??= {} as StandinObject["metadata"]);
    if (meta.namespace !== undefined && meta.namespace !== namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    if (!meta.name && typeof meta.generateName === "string")
      meta.name = meta.generateName + randomBytes(3).toString("hex").slice(0, 5);
    const obj: StandinObject = {
      ...body,
      kind,
      apiVersion: "v1",
      metadata: { ...meta, namespace, uid: randomUUID(), creationTimestamp: new Date().toISOString() },
    };
    delete obj.metadata.resourceVersion;
    if (resource === "secrets") normaliseSecret(obj);
    else defaultPod(obj);
    validateObject(kind, obj);
    if (resource === "pods") refuseUnimplemented(obj);
    if (this.store.get(resource, namespace, obj.metadata.name)) {
      throw new ApiError(409, "AlreadyExists", `${resource} "${obj.metadata.name}" already exists`, {
        name: obj.metadata.name,
        kind: resource,
      });
    }
    const stored = this.store.put(resource, obj);
    if (resource === "pods") this.kubelet.start(stored);
    return stored;
  }

  private get(resource: Resource, namespace: string, name: string): StandinObject {
    const obj = this.store.get(resource, namespace, name);
    if (!obj) throw notFound(KINDS[resource], name);
    return obj;
  }

  private list(resource: Resource, namespace: string, params: URLSearchParams): Record<string, unknown> {
    const labels = labelSelector(params.get("labelSelector"));
    const fields = fieldSelector(resource, params.get("fieldSelector"));
    const items = this.store.list(resource, namespace, (o) => labels(o) && fields(o));
    return {
      kind: `${KINDS[resource]}List`,
      apiVersion: "v1",
      metadata: { resourceVersion: this.store.resourceVersion },
      items,
    };
  }

  private watch(resource: Resource, namespace: string, params: URLSearchParams, res: ServerResponse): void {
    const labels = labelSelector(params.get("labelSelector"));
    const fields = fieldSelector(resource, params.get("fieldSelector"));
    const match = (o: StandinObject) => labels(o) && fields(o);
    const rv = params.get("resourceVersion");
    const from = rv && rv !== "0" ? Number(rv) : undefined;
    if (from !== undefined && !Number.isInteger(from)) throw badRequest(`invalid resourceVersion ${rv}`);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.flushHeaders();
    const write = (type: EventType | "BOOKMARK" | "ERROR", object: unknown) => {
      if (!res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    if (from === undefined) for (const o of this.store.list(resource, namespace, match)) write("ADDED", o);
    const unsubscribe = this.store.watch(resource, namespace, match, from, write);
    if (unsubscribe === "gone") {
      const message = `too old resource version: ${from} (${this.store.resourceVersion})`;
      write("ERROR", new ApiError(410, "Expired", message).status());
      res.end();
      return;
    }
    this.watches.add(res);
    const timers: NodeJS.Timeout[] = [];
    const timeout = Number(params.get("timeoutSeconds") ?? 1800);
    timers.push(setTimeout(() => res.end(), timeout * 1000));
    if (params.get("allowWatchBookmarks") === "true") {
      const bookmark = () =>
        write("BOOKMARK", {
          kind: KINDS[resource],
          apiVersion: "v1",
          metadata: { resourceVersion: this.store.resourceVersion },
        });
      timers.push(setInterval(bookmark, this.o.bookmarkIntervalMs));
    }
    res.once("close", () => {
      timers.forEach(clearTimeout);
      unsubscribe();
      this.watches.delete(res);
    });
  }

  private log(namespace: string, name: string, params: URLSearchParams, res: ServerResponse): void {
    const pod = this.get("pods", namespace, name);
    const container = ((pod.spec as { containers: { name: string }[] }).containers[0] as { name: string })
      .name;
    const asked = params.get("container");
    if (asked !== null && asked !== container) {
      throw badRequest(`container ${asked} is not valid for pod ${name}`);
    }
    const follow = params.get("follow");
    if (follow !== null && follow !== "true" && follow !== "false") {
      throw badRequest(`invalid follow ${follow}`);
    }
    const limit = params.get("limitBytes");
    const limitBytes = limit === null ? Infinity : Number(limit);
    if (limit !== null && !(Number.isInteger(limitBytes) && limitBytes > 0)) {
      throw badRequest(`limitBytes: Invalid value: ${limit}: must be greater than 0`);
    }
    const uid = String(pod.metadata.uid);
    const log = this.kubelet.log(uid);
    if (!log) {
      const reason = this.kubelet.waitingReason(uid);
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    if (follow !== "true") {
      const body = log.subarray(0, Math.min(log.length, limitBytes));
      res.writeHead(200, { "content-type": "text/plain", "content-length": body.length }).end(body);
      return;
    }
    // follow=true: the log so far, then as it grows, until the container has exited (or limitBytes).
    res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
    res.flushHeaders();
    let sent = 0;
    // Assigned once following has begun; `end` may run before that (a log that is already complete).
    let stop: (() => void) | undefined = undefined;
    const end = () => {
      stop?.();
      if (!res.writableEnded) res.end();
    };
    const write = (chunk: Buffer) => {
      if (res.writableEnded || res.destroyed) return;
      const piece = chunk.subarray(0, Math.max(0, Math.min(chunk.length, limitBytes - sent)));
      sent += piece.length;
      if (piece.length > 0) res.write(piece);
      if (sent >= limitBytes) end();
    };
    this.follows.add(res);
    res.once("close", () => {
      stop?.();
      this.follows.delete(res);
    });
    // Started (there is a log), so following is possible: it ends at once when the container has exited.
    stop = this.kubelet.followLog(uid, { write, end });
    if (res.writableEnded) stop?.();
  }

  private patchSecret(namespace: string, name: string, body: string, contentType: string): StandinObject {
    const current = this.get("secrets", namespace, name);
    const patch = parseJson(body);
    const type = contentType.split(";")[0]?.trim();
    let next: StandinObject;
    if (type === "application/json-patch+json") next = applyJsonPatch(current, patch) as StandinObject;
    else if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json") {
      next = applyMergePatch(current, patch) as StandinObject;
    } else
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
      );
    normaliseSecret(next);
    for (const key of ["name", "namespace", "uid", "creationTimestamp"] as const) {
      if (next.metadata?.[key] !== current.metadata[key]) {
        throw new ApiError(
          422,
          "Invalid",
          `Secret "${name}" is invalid: metadata.${key}: Invalid value: field is immutable`,
        );
      }
    }
    if (current.immutable === true) {
      if (JSON.stringify(next.data ?? {}) !== JSON.stringify(current.data ?? {}) || next.immutable !== true) {
        throw new ApiError(
          422,
          "Invalid",
          `Secret "${name}" is invalid: data: Forbidden: field is immutable when \`immutable\` is set`,
        );
      }
    }
    validateObject("Secret", next);
    const stored = this.store.put("secrets", next);
    // An owner that is already gone: the garbage collector deletes the dependent.
    this.later(async () => this.collectOrphans(namespace));
    return stored;
  }

  private deleteSecret(namespace: string, name: string): Record<string, unknown> {
    const gone = this.store.remove("secrets", namespace, name);
    if (!gone) throw notFound("Secret", name);
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, kind: "secrets", uid: gone.metadata.uid },
    };
  }

  /**
   * Graceful deletion as the API server and kubelet do it: with a grace period and a running
   * container, the pod first gets a deletionTimestamp and goes once the container has stopped;
   * otherwise (or with gracePeriodSeconds=0) it goes at once and the kubelet stops it afterwards.
   */
  private deletePod(
    namespace: string,
    name: string,
    grace: number | undefined,
    policy: string,
  ): StandinObject {
    const pod = this.get("pods", namespace, name);
    const uid = String(pod.metadata.uid);
    const seconds =
      grace ?? (pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
    const finish = async () => {
      await this.kubelet.terminate(uid, seconds);
      const removed = this.store.remove("pods", namespace, name);
      await this.kubelet.cleanup(uid);
      if (removed) this.collect(namespace, uid, policy);
    };
    if (seconds > 0 && this.kubelet.isActive(uid)) {
      const marked = this.store.update("pods", namespace, name, (p) => {
        p.metadata.deletionTimestamp = new Date(Date.now() + seconds * 1000).toISOString();
        p.metadata.deletionGracePeriodSeconds = seconds;
      });
      this.later(finish);
      return marked ?? pod;
    }
    const removed = this.store.remove("pods", namespace, name) ?? pod;
    this.later(async () => {
      await this.kubelet.terminate(uid, 0);
      await this.kubelet.cleanup(uid);
      this.collect(namespace, uid, policy);
    });
    return removed;
  }

  /** The garbage collector, for the pod `ownerUid` that was just deleted. */
  private collect(namespace: string, ownerUid: string, policy: string): void {
    for (const secret of this.store.list("secrets", namespace, () => true)) {
      const refs = (secret.metadata.ownerReferences ?? []) as { uid: string }[];
      if (!refs.some((r) => r.uid === ownerUid)) continue;
      if (policy === "Orphan") {
        this.store.update("secrets", namespace, secret.metadata.name, (s) => {
          s.metadata.ownerReferences = refs.filter((r) => r.uid !== ownerUid);
        });
      }
    }
    if (policy !== "Orphan") this.collectOrphans(namespace);
  }

  /** Deletes Secrets whose every owner is gone. */
  private collectOrphans(namespace: string): void {
    const live = new Set(this.store.list("pods", namespace, () => true).map((p) => String(p.metadata.uid)));
    for (const secret of this.store.list("secrets", namespace, () => true)) {
      const refs = (secret.metadata.ownerReferences ?? []) as { uid: string }[];
      if (refs.length > 0 && refs.every((r) => !live.has(r.uid))) {
        this.store.remove("secrets", namespace, secret.metadata.name);
      }
    }
  }

  private later(task: () => Promise<void>): void {
    const p: Promise<void> = task()
      .catch((err: unknown) => process.emitWarning(`kube-standin: ${String(err)}`))
      .finally(() => this.background.delete(p));
    this.background.add(p);
  }
}

/** stringData is write-only: merged into data (base64) as the API server does. Type defaults to Opaque. */
function normaliseSecret(secret: StandinObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(stringData))
      data[k] = Buffer.from(String(v), "utf8").toString("base64");
    secret.data = data;
    delete secret.stringData;
  }
  secret.type ??= "Opaque";
}

/** The defaults the API server fills in, and a fresh status. */
function defaultPod(pod: StandinObject): void {
  const spec = (pod.spec ??= {}) as Record<string, unknown>;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.enableServiceLinks ??= true;
  const all = [
    ...((spec.containers ?? []) as Record<string, unknown>[]),
    ...((spec.initContainers ?? []) as Record<string, unknown>[]),
  ];
  for (const c of all) {
    const image = String(c.image ?? "");
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    c.imagePullPolicy ??= image.includes("@") || (tag && tag !== "latest") ? "IfNotPresent" : "Always";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
  }
  pod.status = { phase: "Pending", qosClass: "BestEffort" };
}

/** Valid pods this stand-in cannot run: refused rather than run differently from Kubernetes. */
function refuseUnimplemented(pod: StandinObject): void {
  const spec = pod.spec as Record<string, unknown>;
  const why = [
    ((spec.containers as unknown[]).length !== 1 && "more than one container") || "",
    (((spec.initContainers ?? []) as { restartPolicy?: string }[]).some(
      (c) => c.restartPolicy !== "Always",
    ) &&
      "initContainers other than sidecars (restartPolicy: Always)") ||
      "",
    (spec.ephemeralContainers && "ephemeralContainers") || "",
    (spec.restartPolicy !== "Never" && `restartPolicy ${String(spec.restartPolicy)} (only Never)`) || "",
  ].filter(Boolean);
  if (why.length > 0) throw badRequest(`kube-standin does not implement ${why.join(", ")}`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(body: string): StandinObject {
  try {
    return JSON.parse(body) as StandinObject;
  } catch {
    throw badRequest("the body of the request is not valid JSON");
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
}
