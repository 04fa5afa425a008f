import type { IncomingMessage } from "node:http";

export type BodyRead = { body: Buffer; tooLarge?: undefined } | { body?: undefined; tooLarge: true };

/**
 * Reads a request body, holding at most `limitBytes`. Past the limit the rest is read and discarded
 * rather than buffered, so the 413 reaches the client: closing a socket with unread data resets the
 * connection before the answer arrives. The server's request timeout bounds how long that takes.
 * Rejects with RequestAbortedError when the client goes away mid-body (or the server's request
 * timeout cuts it off): that is the client's doing, not a fault of the gateway.
 */
export async function readBodyWithin(request: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  if (request.readableEnded) {
    throw new Error("The request body was already read: mount the gateway router before any body parser.");
  }
  const declared = Number(request.headers["content-length"]);
  let tooLarge = Number.isFinite(declared) && declared > limitBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
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
  } catch (error) {
    throw new RequestAbortedError({ cause: error });
  }
  // A stream destroyed without an error (the socket closed by the server) ends the loop too.
  if (!request.complete) throw new RequestAbortedError();
  return tooLarge ? { tooLarge: true } : { body: Buffer.concat(chunks, size) };
}

/** The client went away (or was cut off) before its whole body arrived. */
export class RequestAbortedError extends Error {
  constructor(options?: ErrorOptions) {
    super("The client closed the connection before its request body arrived.", options);
    this.name = "RequestAbortedError";
  }
}
