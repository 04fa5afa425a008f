import { randomFillSync } from "node:crypto";
import { encodeTime, monotonicFactory } from "ulid";

/**
 * ulid's own generator asks the OS for one random byte per character; at thousands of pushes a second
 * that showed in profiles. Bytes come from a pool refilled 4 KiB at a time instead (same CSPRNG).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;
function random(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // ulid maps a number in [0, 1) onto its 32-letter alphabet.
  return pool[used++]! / 256;
}

const next = monotonicFactory(random);

/** A new ULID: unique, and sortable by creation time within and across processes. */
export function newId(): string {
  return next();
}

/** The least id made at `ms` (epoch milliseconds) or later: every id made before it sorts below. */
export function firstIdAt(ms: number): string {
  return `${encodeTime(Math.max(0, Math.floor(ms)), 10)}${"0".repeat(16)}`;
}
