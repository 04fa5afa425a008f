/**
 * The stand-in's etcd: objects in memory, one resourceVersion counter for all of them (as etcd's
 * revision), and a bounded history of changes that watches are served from. A watch asking for a
 * version older than the history gets 410 Gone, as from a real server after compaction.
 */
import type { Matcher, StandinObject } from "./selectors.js";

export type Resource = "pods" | "secrets";
export type EventType = "ADDED" | "MODIFIED" | "DELETED";

interface Change {
  resource: Resource;
  type: EventType;
  rv: number;
  object: StandinObject;
}

interface Watcher {
  resource: Resource;
  namespace: string;
  match: Matcher;
  send(type: EventType, object: StandinObject): void;
}

const HISTORY = 5_000;

export class Store {
  private rv = 1;
  /** Versions at or after this one can still be watched from. */
  private oldestWatchable = 1;
  private readonly objects = new Map<string, StandinObject>();
  private history: Change[] = [];
  private readonly watchers = new Set<Watcher>();

  get resourceVersion(): string {
    return String(this.rv);
  }

  get(resource: Resource, namespace: string, name: string): StandinObject | undefined {
    const obj = this.objects.get(key(resource, namespace, name));
    return obj && structuredClone(obj);
  }

  list(resource: Resource, namespace: string | undefined, match: Matcher): StandinObject[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    return [...this.objects]
      .filter(([k, o]) => k.startsWith(prefix) && match(o))
      .map(([, o]) => structuredClone(o));
  }

  /** Stores the object under a new version and tells the watches; returns what was stored. */
  put(resource: Resource, object: StandinObject): StandinObject {
    const k = key(resource, object.metadata.namespace, object.metadata.name);
    const type: EventType = this.objects.has(k) ? "MODIFIED" : "ADDED";
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, stored);
    this.record(resource, type, stored);
    return structuredClone(stored);
  }

  /** Changes a stored object; undefined (and nothing written) when it is gone or `change` says no. */
  update(
    resource: Resource,
    namespace: string,
    name: string,
    change: (o: StandinObject) => boolean | void,
  ): StandinObject | undefined {
    const current = this.get(resource, namespace, name);
    if (!current || change(current) === false) return undefined;
    return this.put(resource, current);
  }

  remove(resource: Resource, namespace: string, name: string): StandinObject | undefined {
    const k = key(resource, namespace, name);
    const obj = this.objects.get(k);
    if (!obj) return undefined;
    this.objects.delete(k);
    const gone = structuredClone(obj);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record(resource, "DELETED", gone);
    return structuredClone(gone);
  }

  /**
   * Sends the changes after `fromRv` (none when undefined: the caller sends the current objects),
   * then every new one. "gone" when `fromRv` is older than the history kept.
   */
  watch(
    resource: Resource,
    namespace: string,
    match: Matcher,
    fromRv: number | undefined,
    send: Watcher["send"],
  ): (() => void) | "gone" {
    if (fromRv !== undefined && fromRv < this.oldestWatchable - 1) return "gone";
    if (fromRv !== undefined) {
      for (const c of this.history) {
        if (c.rv > fromRv && c.resource === resource && c.object.metadata.namespace === namespace) {
          if (match(c.object)) send(c.type, structuredClone(c.object));
        }
      }
    }
    const watcher: Watcher = { resource, namespace, match, send };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** As after a compaction: every version handed out so far is too old to watch from. */
  expireHistory(): void {
    this.history = [];
    this.rv++;
    this.oldestWatchable = this.rv + 1;
  }

  private record(resource: Resource, type: EventType, object: StandinObject): void {
    this.history.push({ resource, type, rv: this.rv, object });
    if (this.history.length > HISTORY) {
      const dropped = this.history.splice(0, this.history.length - HISTORY);
      this.oldestWatchable = (dropped.at(-1)?.rv ?? 0) + 1;
    }
    for (const w of this.watchers) {
      if (w.resource === resource && w.namespace === object.metadata.namespace && w.match(object)) {
        w.send(type, structuredClone(object));
      }
    }
  }
}

function key(resource: Resource, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}
