import { BosunError, type ErrorCode } from "@bosun/core";

/** A watched registry's failure, with the code docs/errors.md explains. */
export class RegistryError extends BosunError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, [], options);
    this.name = "RegistryError";
  }
}
