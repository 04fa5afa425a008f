/**
 * A parser gets untrusted bytes: whatever arrives, it answers with pushes or Problems and never throws
 * (a throw would be a 500, and a registry would retry it forever). Every registry's fixtures are bent
 * in every field to check it.
 */
import { expect } from "chai";
import type { Result } from "@bosun/core";
import type { ParsedDelivery, RegistryGateway } from "../src/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_BODIES: [string, Buffer][] = [
  ["empty", Buffer.alloc(0)],
  ["whitespace", Buffer.from(" \n ")],
  ["null", Buffer.from("null")],
  ["true", Buffer.from("true")],
  ["a number", Buffer.from("42")],
  ["a huge number", Buffer.from("1e999")],
  ["a string", Buffer.from('"push"')],
  ["an empty array", Buffer.from("[]")],
  ["an array of objects", Buffer.from("[{}, {}]")],
  ["an empty object", Buffer.from("{}")],
  ["a __proto__ key", Buffer.from('{"__proto__": {"events": []}, "constructor": 1}')],
  ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ["deep nesting", Buffer.from("[".repeat(100_000) + "]".repeat(100_000))],
  ["trailing garbage", Buffer.from("{} {}")],
];

const ODD_VALUES: Json[] = [
  null,
  "",
  "x",
  0,
  -1,
  1.5,
  1e21,
  1e308,
  true,
  [],
  {},
  [null],
  "A".repeat(300),
  "../../etc",
];

export function parserContract(gateway: RegistryGateway, samples: { name: string; body: Buffer }[]): void {
  const parse = (body: Buffer, contentType = gateway.contentTypes[0] ?? "application/json") =>
    gateway.parse({ headers: { "content-type": contentType }, query: new URLSearchParams(), body });

  describe(`${gateway.title} gateway: parser on odd input`, () => {
    for (const [name, body] of ODD_BODIES) {
      it(`rejects ${name} without throwing`, () => {
        const result = parse(body);
        expectWellFormed(result);
        expect(result.errors, `${name} was accepted`).to.be.an("array");
      });
    }

    for (const sample of samples) {
      it(`${sample.name}: survives every field replaced by an odd value or removed`, () => {
        const original = JSON.parse(sample.body.toString("utf8")) as Json;
        let variants = 0;
        for (const path of pathsOf(original)) {
          for (const value of [...ODD_VALUES, undefined]) {
            const body = Buffer.from(JSON.stringify(replaced(original, path, value)) ?? "");
            expectWellFormed(parse(body), `${path.join(".")} = ${JSON.stringify(value)}`);
            variants++;
          }
        }
        expect(variants).to.be.greaterThan(0);
      });

      it(`${sample.name}: survives truncation and a byte-order mark`, () => {
        for (let end = 0; end < sample.body.length; end += 7) {
          expectWellFormed(parse(sample.body.subarray(0, end)), `first ${end} bytes`);
        }
        expectWellFormed(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sample.body])), "with a BOM");
      });
    }
  });
}

/** Either pushes with usable image references, or problems with a payload code and a message. */
function expectWellFormed(result: Result<ParsedDelivery>, context = ""): void {
  if (result.errors) {
    expect(result.errors, context).to.have.length.greaterThan(0);
    for (const problem of result.errors) {
      expect(problem.code, context).to.be.oneOf(["PAYLOAD_MALFORMED", "PAYLOAD_UNSUPPORTED"]);
      expect(problem.message, context).to.be.a("string").and.not.equal("");
    }
    return;
  }
  expect(result.value.ignored, context).to.be.an("array");
  for (const push of result.value.pushes) {
    expect(push.type, context).to.be.oneOf(["image_push", "image_delete"]);
    expect(push.image.ref, context).to.equal(refOf(push.image));
    expect(push.image.repository, context).to.match(/^[a-z0-9]+(?:[._/-]+[a-z0-9]+)*$/);
    if (push.image.pushedAt !== undefined)
      expect(Number.isNaN(Date.parse(push.image.pushedAt)), context).to.equal(false);
  }
}

function refOf(image: { registry: string; repository: string; tag?: string; digest?: string }): string {
  const base = `${image.registry}/${image.repository}`;
  return image.tag ? `${base}:${image.tag}` : image.digest ? `${base}@${image.digest}` : base;
}

function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const child = (value as Record<string | number, Json>)[key] as Json;
    return [[...prefix, key], ...pathsOf(child, [...prefix, key])];
  });
}

/** A deep copy with the value at `path` replaced, or removed when `value` is undefined. */
function replaced(root: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = value;
  }
  return copy;
}
