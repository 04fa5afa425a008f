/** A script bundled for the isolate. Plain data, so it can be cached in memory or on disk. */
export interface Bundle {
  /** Absolute path of the script file. */
  entry: string;
  /** The script's folder: stack traces and problems are given relative to it. */
  root: string;
  /** An expression evaluating to the SDK's dispatchEvent, after running the script's top level. */
  code: string;
  /** Source map of `code` (JSON), for mapping stack frames back to the script's files. */
  sourceMap: string;
  /** sha256 over every input file's content. */
  hash: string;
  /** Absolute paths of every file that went in. */
  inputs: string[];
}
