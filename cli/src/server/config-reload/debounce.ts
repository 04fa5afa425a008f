/**
 * Runs `fn` once a burst of calls is over: `quietMs` after the last call, and at the latest `maxWaitMs`
 * after the first, so that a steady stream of change events still gets looked at.
 */
export interface Debounced {
  (): void;
  cancel(): void;
}

export function debounce(fn: () => void, quietMs: number, maxWaitMs = quietMs * 5): Debounced {
  let timer: NodeJS.Timeout | undefined;
  let firstAt: number | undefined;
  const fire = () => {
    timer = undefined;
    firstAt = undefined;
    fn();
  };
  const debounced = () => {
    const now = Date.now();
    firstAt ??= now;
    clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - now)));
  };
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    firstAt = undefined;
  };
  return debounced;
}
