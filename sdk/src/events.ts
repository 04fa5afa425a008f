import type { BrigadeEvent, CauseEvent, EventHandler, ImageEvent } from "./types.js";

/** Handlers by event type, in registration order. */
export class EventRegistry {
  private readonly handlers = new Map<string, EventHandler[]>();

  on(type: "image_push" | "image_delete", handler: EventHandler<ImageEvent>): this;
  on(type: "after" | "error", handler: EventHandler<CauseEvent>): this;
  on(type: string, handler: EventHandler): this;
  on(type: string, handler: EventHandler<never>): this {
    if (typeof type !== "string" || type === "")
      throw new TypeError("events.on: the event type must be a string");
    if (typeof handler !== "function")
      throw new TypeError(`events.on("${type}"): the handler must be a function`);
    const list = this.handlers.get(type) ?? [];
    list.push(handler as EventHandler);
    this.handlers.set(type, list);
    return this;
  }

  has(type: string): boolean {
    return (this.handlers.get(type)?.length ?? 0) > 0;
  }

  handlersFor(type: string): readonly EventHandler<BrigadeEvent>[] {
    return [...(this.handlers.get(type) ?? [])];
  }

  /** Types with at least one handler. */
  types(): string[] {
    return [...this.handlers.keys()].filter((t) => this.has(t));
  }
}

/** The registry scripts use: `events.on("image_push", (e, p) => ...)`. */
export const events = new EventRegistry();
