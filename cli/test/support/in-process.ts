/** A server started in the test's own process, on a temporary data dir. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, formatProblems, type ServerConfig } from "@bosun/core";
import { startServer, type RunningServer, type StartOptions } from "../../src/server/server.js";
import { createLogger } from "../../src/server/logger.js";
import { ApiHelper } from "./api.js";

export interface TestServer {
  server: RunningServer;
  config: ServerConfig;
  api: ApiHelper;
  dir: string;
  url: string;
  dispose(): Promise<void>;
}

export async function startTestServer(
  yaml: string,
  files: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-test-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const parsed = parseConfig(yaml, { file: join(dir, "bosun.yaml"), env: {} });
  if (parsed.errors) throw new Error(formatProblems(parsed.errors));
  const config = { ...parsed.value, port: 0, dataDir: join(dir, "data") };
  process.env.BOSUN_LOG_LEVEL ??= "silent";
  const server = await startServer(config, { logger: createLogger(), ...options });
  return {
    server,
    config,
    dir,
    url: server.url,
    api: new ApiHelper(server.url, () => server.adminToken),
    async dispose() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
