/**
 * Runs in the isolate before anything else: takes out what isolated-vm's memory limit does not
 * count. Its limit covers the heap and the memory of fixed-length ArrayBuffers (SharedArrayBuffers
 * included), but not WebAssembly memory, nor what resizable ArrayBuffers and growable
 * SharedArrayBuffers commit as they grow: with those a script could take the worker to gigabytes.
 *
 * - WebAssembly is removed: besides its memory, its compilation runs where the host cannot see it.
 * - SharedArrayBuffer is removed: an isolate has one thread, so shared memory only serves
 *   Atomics.wait, which would block the run until its wall-clock limit.
 * - ArrayBuffer refuses `maxByteLength`; every buffer that can be made is fixed-length.
 */
import { UNSUPPORTED_CODE } from "./protocol.js";

const global = globalThis as unknown as Record<string, unknown>;
delete global.WebAssembly;
delete global.SharedArrayBuffer;

const Native = ArrayBuffer;
const construct = Reflect.construct;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;

function unsupported(message: string): TypeError {
  const error = new TypeError(message);
  defineProperty(error, "code", { value: UNSUPPORTED_CODE, enumerable: false });
  return error;
}

/** ArrayBuffer, fixed-length only. The options object is read once and never handed on. */
const FixedLength = function ArrayBuffer(length?: unknown, options?: unknown): ArrayBuffer {
  if (new.target === undefined) throw new TypeError("Constructor ArrayBuffer requires 'new'");
  const isObject = options !== null && (typeof options === "object" || typeof options === "function");
  if (isObject && (options as { maxByteLength?: unknown }).maxByteLength !== undefined) {
    throw unsupported(
      "resizable ArrayBuffers (maxByteLength) are not available to scripts: their memory is not counted against the sandbox's memory limit; use a fixed-length ArrayBuffer",
    );
  }
  return construct(Native, [length], new.target) as ArrayBuffer;
};

defineProperty(FixedLength, "prototype", { value: Native.prototype, writable: false });
for (const key of ["isView", Symbol.species] as const) {
  const descriptor = getOwnPropertyDescriptor(Native, key);
  if (descriptor) defineProperty(FixedLength, key, descriptor);
}
// Every way back to the constructor (`buffer.constructor`, `ArrayBuffer.prototype.constructor`,
// species lookups) now leads to the fixed-length one; the native one is not reachable from a script.
defineProperty(Native.prototype, "constructor", {
  value: FixedLength,
  writable: true,
  enumerable: false,
  configurable: true,
});
defineProperty(global, "ArrayBuffer", {
  value: FixedLength,
  writable: true,
  enumerable: false,
  configurable: true,
});
