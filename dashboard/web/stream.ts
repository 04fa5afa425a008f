/**
 * Follows GET /api/v1/stream with fetch (EventSource cannot send the Authorization header), parsing
 * server-sent events, and opens it again after a server restart or a network drop, saying so.
 */
import { authHeaders } from "./api.js";

export type StreamHandler = (event: string, data: unknown) => void;

export interface StreamHandle {
  close(): void;
}

export interface StreamOptions {
  /** The query (e.g. `?run=<id>&after=<seq>`); asked anew at every (re)connect. */
  query: () => string;
  onEvent: StreamHandler;
  /** Connected (`hello` seen) or not: the page shows it, and refreshes what it missed. */
  onState?: (connected: boolean) => void;
}

const RETRY_MS = [500, 1000, 2000, 4000];

/** The header's indicator: whether the page is following the server live. */
function showLive(connected: boolean): void {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = connected ? "live" : "reconnecting…";
  live.className = connected ? "live on" : "live off";
}

export function openStream(options: StreamOptions): StreamHandle {
  let abort = new AbortController();
  let closed = false;
  let failures = 0;
  const loop = async () => {
    while (!closed) {
      try {
        await follow(options, abort.signal, () => (failures = 0));
      } catch {
        // Ended by the server or the network: tried again below, unless the page closed it.
      }
      if (closed) return;
      showLive(false);
      options.onState?.(false);
      const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
      await new Promise((resolve) => setTimeout(resolve, wait));
      abort = new AbortController();
    }
  };
  void loop();
  return {
    close() {
      closed = true;
      abort.abort();
    },
  };
}

async function follow(options: StreamOptions, signal: AbortSignal, connected: () => void): Promise<void> {
  const res = await fetch(`/api/v1/stream${options.query()}`, { headers: authHeaders(), signal });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (!data) continue;
      if (event === "hello") {
        connected();
        showLive(true);
        options.onState?.(true);
      }
      options.onEvent(event, JSON.parse(data));
    }
  }
}
