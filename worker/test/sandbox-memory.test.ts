import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptOutcome } from "../src/index.js";
import { runFixture } from "./sandbox-harness.test.js";

/**
 * Memory a script could take outside the heap limit. Each script tries to take 512 MiB against a
 * 32 MiB limit, touching every byte, and says "allocated" if it got it; none may.
 */
const MEMORY_MB = 32;
const MB = 1024 * 1024;
/** A Wasm module that exports a memory of 1 page, growable to 8192 pages (512 MiB). */
const WASM_WITH_MEMORY = [
  0, 97, 115, 109, 1, 0, 0, 0, 5, 5, 1, 1, 1, 128, 64, 7, 7, 1, 3, 109, 101, 109, 2, 0,
];

/** Forms refused with SCRIPT_UNSUPPORTED: memory isolated-vm does not count, and shared memory (no use on one thread). */
const UNCOUNTED: Record<string, string> = {
  "a resizable ArrayBuffer, resized": `const b = new ArrayBuffer(0, { maxByteLength: 512 * MB }); b.resize(512 * MB); new Uint8Array(b).fill(1);`,
  "a resizable ArrayBuffer, transferred to its maximum": `const b = new ArrayBuffer(0, { maxByteLength: 512 * MB }); new Uint8Array(b.transfer(512 * MB)).fill(1);`,
  "a resizable ArrayBuffer made through buffer.constructor": `const C = new Uint8Array(1).buffer.constructor; const b = new C(0, { maxByteLength: 512 * MB }); b.resize(512 * MB); new Uint8Array(b).fill(1);`,
  "a resizable ArrayBuffer made through a subclass": `class Big extends ArrayBuffer {} const b = new Big(0, { maxByteLength: 512 * MB }); b.resize(512 * MB); new Uint8Array(b).fill(1);`,
  "a resizable ArrayBuffer made through Reflect.construct and the species": `const b = Reflect.construct(ArrayBuffer[Symbol.species], [0, { maxByteLength: 512 * MB }]); b.resize(512 * MB); new Uint8Array(b).fill(1);`,
  "a growable SharedArrayBuffer": `const b = new SharedArrayBuffer(0, { maxByteLength: 512 * MB }); b.grow(512 * MB); new Uint8Array(b).fill(1);`,
  "a fixed-length SharedArrayBuffer": `const all = []; for (let i = 0; i < 16; i++) { const b = new SharedArrayBuffer(32 * MB); new Uint8Array(b).fill(1); all.push(b); }`,
  "a WebAssembly.Memory, grown": `const m = new WebAssembly.Memory({ initial: 1, maximum: 8192 }); m.grow(8000); new Uint8Array(m.buffer).fill(1);`,
  "Wasm compiled from bytes, its memory grown": `const m = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(WASM))).exports.mem; m.grow(8000); new Uint8Array(m.buffer).fill(1);`,
  "await WebAssembly.instantiate": `const { instance } = await WebAssembly.instantiate(new Uint8Array(WASM)); const m = instance.exports.mem; m.grow(8000); new Uint8Array(m.buffer).fill(1);`,
  "await WebAssembly.compile": `const m = new WebAssembly.Instance(await WebAssembly.compile(new Uint8Array(WASM))).exports.mem; m.grow(8000); new Uint8Array(m.buffer).fill(1);`,
};

/** Forms isolated-vm counts against the limit: the allocation fails, or the run is out_of_memory. */
const COUNTED: Record<string, string> = {
  "plain ArrayBuffers": `const all = []; for (let i = 0; i < 16; i++) { const b = new ArrayBuffer(32 * MB); new Uint8Array(b).fill(1); all.push(b); }`,
  "typed arrays": `const all = []; for (let i = 0; i < 16; i++) all.push(new Float64Array(4 * MB).fill(1));`,
  "ArrayBuffer.prototype.transfer to a larger length": `const all = []; for (let i = 0; i < 16; i++) { const b = new ArrayBuffer(8).transfer(32 * MB); new Uint8Array(b).fill(1); all.push(b); }`,
  "ArrayBuffer.prototype.resize of a fixed-length buffer": `const b = new ArrayBuffer(8); b.resize(512 * MB); new Uint8Array(b).fill(1);`,
};

describe("sandbox: memory outside the heap", function () {
  this.timeout(60_000);
  let temp: string;
  before(async () => {
    temp = await mkdtemp(join(tmpdir(), "bosun-memory-"));
  });
  after(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  /** Runs `body` in an exec handler; the highest rise of this process's RSS meanwhile, in MiB. */
  async function attempt(body: string) {
    const script = join(temp, "brigade.js");
    await writeFile(
      script,
      `const { events } = require("brigadier");\nconst MB = ${MB};\nconst WASM = ${JSON.stringify(WASM_WITH_MEMORY)};\n` +
        `events.on("exec", async () => {\n${body}\nconsole.log("allocated");\n});\n`,
    );
    const start = process.memoryUsage.rss();
    let peak = start;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    try {
      const run = await runFixture(script, {
        limits: { memoryMb: MEMORY_MB, cpuMs: 20_000, timeoutMs: 30_000 },
      });
      return { ...run, riseMb: (peak - start) / MB };
    } finally {
      clearInterval(sample);
    }
  }

  const describeOutcome = (outcome: ScriptOutcome) => JSON.stringify(outcome).slice(0, 300);

  for (const [name, body] of Object.entries(UNCOUNTED)) {
    it(`refuses ${name}: SCRIPT_UNSUPPORTED, saying why`, async () => {
      const run = await attempt(body);
      expect(run.output()).to.not.include("allocated");
      expect(run.outcome.status, describeOutcome(run.outcome)).to.equal("failed");
      if (run.outcome.status !== "failed") return;
      expect(run.outcome.error.code).to.equal("SCRIPT_UNSUPPORTED");
      expect(run.outcome.error.message).to.match(/not available to scripts|one thread/);
      expect(run.riseMb).to.be.lessThan(256);
    });
  }

  for (const [name, body] of Object.entries(COUNTED)) {
    it(`holds ${name} to the limit`, async () => {
      const run = await attempt(body);
      expect(run.output()).to.not.include("allocated");
      expect(run.outcome.status, describeOutcome(run.outcome)).to.be.oneOf(["failed", "out_of_memory"]);
      expect(run.riseMb).to.be.lessThan(256);
    });
  }

  it("refuses a resizable ArrayBuffer at the top level too, with the same code", async () => {
    const script = join(temp, "brigade.js");
    await writeFile(script, `require("brigadier");\nnew ArrayBuffer(0, { maxByteLength: 1024 });\n`);
    const { outcome } = await runFixture(script);
    expect(outcome.status).to.equal("failed");
    if (outcome.status === "failed") expect(outcome.error.code).to.equal("SCRIPT_UNSUPPORTED");
  });

  it("leaves fixed-length ArrayBuffers and typed arrays as they were", async () => {
    const run = await attempt(
      `const b = new ArrayBuffer(16); const s = b.slice(4); console.log(b instanceof ArrayBuffer, s instanceof ArrayBuffer, s.constructor === ArrayBuffer, ArrayBuffer.isView(new Uint8Array(b)), b.resizable, new Uint8Array(4).buffer.transfer(8).byteLength, typeof WebAssembly, typeof SharedArrayBuffer);`,
    );
    expect(run.outcome.status).to.equal("succeeded");
    expect(run.output()).to.equal("true true true true false 8 undefined undefined\nallocated\n");
  });
});
