/**
 * The few globals the sandbox provides (installed by the worker's in-isolate runtime). The SDK is
 * compiled without Node's types so that nothing else can be used by mistake.
 */

interface Console {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

declare const console: Console;

declare function setTimeout(callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown;
declare function clearTimeout(handle: unknown): void;
