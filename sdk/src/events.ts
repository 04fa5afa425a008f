import type { BrigadeEvent, CauseEvent, EventHandler, ImageEvent, Project } from "./types.js";
import type { V2EventHandler } from "./v2-types.js";

/** How a handler started by `emit` or `fire` ended: the dispatch waits for these and fails on a rejection. */
export type EmittedOutcome = { failed: false } | { failed: true; reason: unknown };

/**
 * Handlers of both Brigade generations, decided by the arguments: `on(type, fn)` is v1 (several per
 * type, in registration order), `on(source, type, fn)` is v2 (one per source and type; type "*"
 * takes the source's types that have no handler of their own).
 */
export class EventRegistry {
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly v2 = new Map<string, Map<string, V2EventHandler>>();
  private emitted: Promise<EmittedOutcome>[] = [];

  on(type: "image_push" | "image_delete", handler: EventHandler<ImageEvent>): this;
  on(type: "after" | "error", handler: EventHandler<CauseEvent>): this;
  on(type: string, handler: EventHandler): this;
  on(source: string, type: string, handler: V2EventHandler): this;
  on(first: string, second: string | EventHandler<never>, third?: V2EventHandler): this {
    if (typeof second === "string") return this.onV2(first, second, third);
    checkName(first, "events.on: the event type must be a string");
    if (typeof second !== "function")
      throw new TypeError(`events.on("${first}"): the handler must be a function`);
    const list = this.handlers.get(first) ?? [];
    list.push(second as EventHandler);
    this.handlers.set(first, list);
    return this;
  }

  /** A v1 handler that runs for the next event of `type` only. */
  once(type: string, handler: EventHandler): this {
    checkName(type, "events.once: the event type must be a non-empty string");
    if (typeof handler !== "function")
      throw new TypeError(`events.once("${type}"): the handler must be a function`);
    const wrapper: EventHandler = (e, p) => {
      this.remove(type, wrapper);
      return handler(e, p);
    };
    return this.on(type, wrapper);
  }

  /**
   * Runs the v1 handlers of `type` with `e` and `p`, as v1's EventEmitter did: at once, in order,
   * a synchronous throw reaching the caller. What they return is awaited by the run, which fails
   * when one rejects. True when `type` had a handler; a type with none is a no-op.
   */
  emit(type: string, e: BrigadeEvent, p: Project): boolean {
    checkName(type, "events.emit: the event type must be a non-empty string");
    const handlers = this.handlersFor(type);
    for (const handler of handlers) {
      const returned = handler(e, p);
      this.emitted.push(
        Promise.resolve(returned).then(
          (): EmittedOutcome => ({ failed: false }),
          (reason: unknown): EmittedOutcome => ({ failed: true, reason }),
        ),
      );
    }
    return handlers.length > 0;
  }

  /** v1's `fire(e, p)`: emits `e.type`. */
  fire(e: BrigadeEvent, p: Project): boolean {
    if (typeof e !== "object" || e === null) throw new TypeError("events.fire: the event must be an object");
    return this.emit(e.type, e, p);
  }

  /** v2's `events.process()`: Bosun hands each event to the handlers itself, so nothing to do. */
  process(): void {}

  has(type: string): boolean {
    return (this.handlers.get(type)?.length ?? 0) > 0;
  }

  handlersFor(type: string): readonly EventHandler<BrigadeEvent>[] {
    return [...(this.handlers.get(type) ?? [])];
  }

  /** The v2 handler for (source, type), else the source's "*" handler. */
  v2HandlerFor(source: string, type: string): V2EventHandler | undefined {
    const bySource = this.v2.get(source);
    return bySource?.get(type) ?? bySource?.get("*");
  }

  /** Types with at least one v1 handler. */
  types(): string[] {
    return [...this.handlers.keys()].filter((t) => this.has(t));
  }

  hasEmitted(): boolean {
    return this.emitted.length > 0;
  }

  /** The outcomes of the handlers emitted since the last call, for the dispatch to await. */
  takeEmitted(): Promise<EmittedOutcome>[] {
    const taken = this.emitted;
    this.emitted = [];
    return taken;
  }

  private onV2(source: string, type: string, handler: V2EventHandler | undefined): this {
    checkName(source, "events.on: the source must be a non-empty string");
    checkName(type, `events.on("${source}", type): the type must be a non-empty string`);
    if (typeof handler !== "function")
      throw new TypeError(`events.on("${source}", "${type}"): the handler must be a function`);
    const bySource = this.v2.get(source) ?? new Map<string, V2EventHandler>();
    if (bySource.has(type))
      throw new Error(
        `events.on("${source}", "${type}"): a handler is already registered for this source and type; ` +
          "Brigade v2 takes one per source and type (handle several cases in one function)",
      );
    bySource.set(type, handler);
    this.v2.set(source, bySource);
    return this;
  }

  private remove(type: string, handler: EventHandler): void {
    const list = this.handlers.get(type);
    const at = list?.indexOf(handler) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }
}

function checkName(value: unknown, message: string): void {
  if (typeof value !== "string" || value === "") throw new TypeError(message);
}

/** The registry scripts use: `events.on("image_push", (e, p) => ...)` or `events.on(source, type, e => ...)`. */
export const events = new EventRegistry();

/** v1's `fire(e, p)`: runs the handlers of `e.type` on the scripts' registry. */
export function fire(e: BrigadeEvent, p: Project): boolean {
  return events.fire(e, p);
}
