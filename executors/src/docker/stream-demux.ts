/**
 * The engine multiplexes stdout and stderr of a container without a TTY into one byte stream of
 * frames: an 8-byte header (stream type, three zero bytes, big-endian payload length) and the payload.
 * Socket chunks do not respect frame boundaries, so both headers and payloads may arrive in pieces.
 */
import type { OutputStream } from "../job-output.js";

const HEADER = 8;

export class StreamDemuxer {
  private header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private remaining = 0;
  private current: OutputStream = "stdout";

  constructor(private readonly onFrame: (stream: OutputStream, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < HEADER) return;
        this.headerFill = 0;
        // 0 is stdin (echoed back only with a TTY), 1 stdout, 2 stderr, 3 the engine's own errors.
        const type = this.header[0];
        this.current = type === 2 || type === 3 ? "stderr" : "stdout";
        this.remaining = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      this.onFrame(this.current, chunk.subarray(offset, offset + take));
      this.remaining -= take;
      offset += take;
    }
  }
}
