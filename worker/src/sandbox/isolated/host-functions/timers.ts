/** setTimer(id, ms) / clearTimer(id): the isolate's clock. Due timers are fired back into the isolate. */
import { isId, refuse } from "./refuse.js";

const MAX_DELAY = 2 ** 31 - 1;

export interface HostTimers {
  setTimer(timerId: unknown, delayMs: unknown): string | undefined;
  clearTimer(timerId: unknown): string | undefined;
  /** Timers not yet fired. */
  readonly pending: number;
  clearAll(): void;
}

export function createTimers(fire: (timerId: number) => void, maxTimers: number): HostTimers {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    setTimer(timerId, delayMs) {
      if (!isId(timerId)) return refuse("setTimer: the timer id must be a positive integer");
      if (typeof delayMs !== "number" || !(delayMs >= 0 && delayMs <= MAX_DELAY)) {
        return refuse(`setTimer: the delay must be between 0 and ${MAX_DELAY} ms`);
      }
      if (!timers.has(timerId) && timers.size >= maxTimers) {
        return refuse(`a script may have at most ${maxTimers} timers pending`);
      }
      clearTimeout(timers.get(timerId));
      timers.set(
        timerId,
        setTimeout(() => {
          timers.delete(timerId);
          fire(timerId);
        }, delayMs),
      );
      return undefined;
    },
    clearTimer(timerId) {
      if (!isId(timerId)) return refuse("clearTimer: the timer id must be a positive integer");
      clearTimeout(timers.get(timerId));
      timers.delete(timerId);
      return undefined;
    },
    get pending() {
      return timers.size;
    },
    clearAll() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
