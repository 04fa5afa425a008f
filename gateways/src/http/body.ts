import type { IncomingMessage } from "node:http";

export type BodyRead = { body: Buffer; tooLarge?: undefined } | { body?: undefined; tooLarge: true };

/**
 * Reads a request body, holding at most `limitBytes`. Past the limit the rest is read and discarded
 * rather than buffered, so the 413 reaches the client: closing a socket with unread data resets the
 * connection before the answer arrives. The server's request timeout bounds how long that takes.
 * Rejects when the client goes away mid-body.
 */
export async function readBodyWithin(request: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  if (request.readableEnded) {
    throw new Error("The request body was already read: mount the gateway router before any body parser.");
  }
  const declared = Number(request.headers["content-length"]);
  let tooLarge = Number.isFinite(declared) && declared > limitBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (tooLarge) continue;
    size += chunk.length;
    if (size > limitBytes) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  }
  return tooLarge ? { tooLarge: true } : { body: Buffer.concat(chunks, size) };
}
