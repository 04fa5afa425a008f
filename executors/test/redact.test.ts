/**
 * Redaction of a secret in the forms output prints it: escaped (JSON, console, util.inspect, URL),
 * quoted twice, and a multi-line secret line by line, in whole texts and in streamed chunks alike.
 */
import { inspect } from "node:util";
import { expect } from "chai";
import { createRedactor, redactStrings } from "@bosun/core";
import { StreamRedactor } from "../src/redact.js";

const PEM = `-----BEGIN KEY-----\nAAAABBBBCCCC"DD\\DD\nEEEEFFFF'GGGG\n-----END KEY-----`;

const printed: Record<string, string> = {
  raw: PEM,
  json: JSON.stringify({ key: PEM }),
  "json twice": JSON.stringify({ text: JSON.stringify({ key: PEM }) }),
  inspect: inspect({ key: PEM }),
  console: `{ key: '${PEM.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}' }`,
  url: `https://example.com/?k=${encodeURIComponent(PEM)}`,
  "line by line": PEM.split("\n").join("\r\n"),
};

describe("redaction of escaped and multi-line secrets", () => {
  for (const [form, text] of Object.entries(printed)) {
    it(`masks the secret printed ${form}, whole and in chunks of every size`, () => {
      const whole = createRedactor([PEM])(text);
      expect(whole).to.contain("***");
      for (const part of ["AAAABBBBCCCC", "EEEEFFFF", "DD\\DD"]) expect(whole).not.to.contain(part);
      for (const size of [1, 2, 7, 64]) {
        const r = new StreamRedactor([PEM]);
        let out = "";
        for (let i = 0; i < text.length; i += size) out += r.push(text.slice(i, i + size));
        out += r.flush();
        expect(out, `chunks of ${size}`).to.equal(whole);
      }
    });
  }

  it("redacts a record's values, never its field names (a secret that spells one)", () => {
    const job = { name: "image-builder", image: "alpine", tasks: ["echo image"], envNames: ["IMAGE"] };
    expect(redactStrings(job, createRedactor(["image"]))).to.deep.equal({
      name: "***-builder",
      image: "alpine",
      tasks: ["echo ***"],
      envNames: ["IMAGE"],
    });
  });

  it("leaves short lines of a multi-line secret alone elsewhere", () => {
    expect(createRedactor(["abc\nlong-enough-line"])("abc and long-enough-line")).to.equal("abc and ***");
  });
});
