/** A real registry that notifies a real Bosun about a project's pushes, jobs on Podman. */
import { freePort, startRegistry, type DockerSocket, type TestRegistry } from "@bosun/test-support";
import { BosunProcess } from "./bosun-process.js";

export interface RegistryAndBosun {
  registry: TestRegistry;
  /** The process the registry notifies; its API reads the store. */
  bosun: BosunProcess;
  /** Every Bosun process started, `bosun` among them, to dispose of. */
  processes: BosunProcess[];
}

/**
 * `handler` is the project's `script: ...` or `dispatchfile: ...` line; the project subscribes to the
 * registry's pushes and pulls from it over plain HTTP. Without `storeUrl`, one `bosun serve` on its
 * SQLite store; with a PostgreSQL `storeUrl`, a `bosun gateway` takes the notifications and a
 * `bosun worker` apart runs the jobs, each with its own data directory.
 */
export async function startRegistryAndBosun(options: {
  socket: DockerSocket;
  project: string;
  token: string;
  handler: string;
  files: Record<string, string>;
  storeUrl?: string;
}): Promise<RegistryAndBosun> {
  const port = await freePort();
  const registry = await startRegistry({
    notifyUrl: `http://127.0.0.1:${port}/events/distribution/${options.project}`,
    notifyHeaders: { Authorization: [`Bearer ${options.token}`] },
  });
  const config = [
    "docker:",
    `  socket: ${options.socket.socketPath}`,
    `  insecureRegistries: ["${registry.host}"]`,
    "projects:",
    `  - name: ${options.project}`,
    `    ${options.handler}`,
    `    webhookToken: ${options.token}`,
    "    subscriptions: [{ registry: distribution }]",
  ].join("\n");
  if (options.storeUrl === undefined) {
    const bosun = await BosunProcess.start({ port, config, files: options.files });
    return { registry, bosun, processes: [bosun] };
  }
  const env = { BOSUN_STORE_URL: options.storeUrl };
  const gateway = await BosunProcess.start({
    port,
    command: ["gateway", "--registry", "distribution"],
    config,
    files: options.files,
    env,
  });
  const worker = await BosunProcess.start({ command: ["worker"], config, files: options.files, env });
  return { registry, bosun: gateway, processes: [gateway, worker] };
}
