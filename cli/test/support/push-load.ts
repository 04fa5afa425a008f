/**
 * A load generator that behaves like a registry: it sends each push until some gateway answers 2xx,
 * resending the same body (so the same delivery) after a refusal or a dropped connection.
 */
import { dockerHub } from "@bosun/gateways";

export interface PushTarget {
  /** The gateway's base URL, read at each attempt (a restarted gateway keeps its port). */
  readonly url: string;
}

export interface PushLoadOptions {
  gateways: readonly PushTarget[];
  /** project and tag of push i; every tag is distinct. */
  pushOf(i: number): { project: string; repository: string; tag: string };
  count: number;
  token: string;
  /** Requests in flight at once. */
  parallel: number;
  /** Called once per push, after its first 2xx, with how many pushes have been answered so far. */
  onAccepted?(answered: number): void;
  /** The longest one push may go unanswered before the load fails. */
  giveUpMs?: number;
}

export interface PushLoadResult {
  /** Tags that got a 2xx, by project. */
  accepted: Map<string, Set<string>>;
  /** Attempts answered non-2xx or cut off (the killed gateway's), each later resent. */
  retried: number;
}

export async function sendPushes(options: PushLoadOptions): Promise<PushLoadResult> {
  const accepted = new Map<string, Set<string>>();
  let next = 0;
  let answered = 0;
  let retried = 0;
  const sendOne = async (i: number) => {
    const push = options.pushOf(i);
    const hub = dockerHub.synthesize({ repository: push.repository, tag: push.tag }, options.token);
    const until = Date.now() + (options.giveUpMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      const gateway = options.gateways[(i + attempt) % options.gateways.length]!;
      const status = await fetch(`${gateway.url}/events/dockerhub/${push.project}?${hub.query.toString()}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: hub.body,
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      if (status >= 200 && status < 300) break;
      retried++;
      if (Date.now() > until)
        throw new Error(`push ${push.project}:${push.tag} never got a 2xx (last ${status})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    let tags = accepted.get(push.project);
    if (!tags) accepted.set(push.project, (tags = new Set()));
    tags.add(push.tag);
    options.onAccepted?.(++answered);
  };
  await Promise.all(
    Array.from({ length: options.parallel }, async () => {
      while (next < options.count) await sendOne(next++);
    }),
  );
  return { accepted, retried };
}
