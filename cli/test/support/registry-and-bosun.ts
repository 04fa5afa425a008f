/** A real registry that notifies a real `bosun serve` about a project's pushes, jobs on Podman. */
import { freePort, startRegistry, type DockerSocket, type TestRegistry } from "@bosun/test-support";
import { BosunProcess } from "./bosun-process.js";

export interface RegistryAndBosun {
  registry: TestRegistry;
  bosun: BosunProcess;
}

/**
 * `handler` is the project's `script: ...` or `dispatchfile: ...` line; the project subscribes to the
 * registry's pushes and pulls from it over plain HTTP.
 */
export async function startRegistryAndBosun(options: {
  socket: DockerSocket;
  project: string;
  token: string;
  handler: string;
  files: Record<string, string>;
}): Promise<RegistryAndBosun> {
  const port = await freePort();
  const registry = await startRegistry({
    notifyUrl: `http://127.0.0.1:${port}/events/distribution/${options.project}`,
    notifyHeaders: { Authorization: [`Bearer ${options.token}`] },
  });
  const bosun = await BosunProcess.start({
    port,
    config: [
      "docker:",
      `  socket: ${options.socket.socketPath}`,
      `  insecureRegistries: ["${registry.host}"]`,
      "projects:",
      `  - name: ${options.project}`,
      `    ${options.handler}`,
      `    webhookToken: ${options.token}`,
      "    subscriptions: [{ registry: distribution }]",
    ].join("\n"),
    files: options.files,
  });
  return { registry, bosun };
}
