import type { Problem } from "@bosun/core";
import { singleHeader } from "../common/headers.js";
import type { RegistryGateway, RequestHeaders } from "../registry.js";

/** "Application/JSON; charset=utf-8" → "application/json". */
export function mediaTypeOf(header: string): string {
  return (header.split(";")[0] ?? "").trim().toLowerCase();
}

/** Why the body cannot be read as this registry's payload, judged from the headers alone. */
export function contentTypeProblem(gateway: RegistryGateway, headers: RequestHeaders): Problem | undefined {
  const accepted = gateway.contentTypes.join(", ");
  const encoding = singleHeader(headers, "content-encoding")?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
    return {
      code: "CONTENT_TYPE_UNSUPPORTED",
      message: `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported; send the body uncompressed.`,
      path: "Content-Encoding",
      expected: "identity",
      found: encoding.slice(0, 40),
    };
  }
  const header = singleHeader(headers, "content-type");
  if (header === undefined && gateway.contentTypeOptional) return undefined;
  const mediaType = header === undefined ? undefined : mediaTypeOf(header);
  if (mediaType !== undefined && gateway.contentTypes.includes(mediaType)) return undefined;
  return {
    code: "CONTENT_TYPE_UNSUPPORTED",
    message: `${gateway.title} payloads are sent as ${accepted}; send the body with one of these Content-Types.`,
    path: "Content-Type",
    expected: accepted,
    found: mediaType === undefined ? "no Content-Type" : mediaType.slice(0, 80),
  };
}
