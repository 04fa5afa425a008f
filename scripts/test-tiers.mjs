// Which test files make up each tier. `npm test` runs every file; `npm run test:unit` leaves out the
// integration tier listed here: the files that need something beyond the test process itself.
// A test file is named `<package>/<path under test/, without .test.ts>`; a file not listed is a
// unit test, so a new test that starts containers, a registry, the `bosun` command or the host
// executor's shell, or that waits out real time limits, is added here.
import { globSync } from "node:fs";

export const INTEGRATION = {
  // Real containers through Podman's Docker API, and a registry (Debian's docker-registry, skopeo).
  "cli/e2e-dispatchfile": "containers, a registry",
  "cli/e2e-registry": "containers, a registry",
  "cli/e2e-dockerhub-v2": "containers, bosun processes",
  "cli/run-actions": "containers, bosun processes",
  "cli/examples": "containers",
  "cli/script-run-logins": "containers, a registry",
  "cli/service-accounts": "containers, a registry that demands a login, bosun serve as a process",
  "cli/project-api": "containers, a registry, git, bosun processes",
  // Bosun's own image, built (scripts/build-image.sh) and run under Podman.
  "cli/image": "Bosun's image built and run, a registry",
  "cli/image-manifests": "Bosun's image built and run",
  "executors/docker-container-config": "containers",
  "executors/docker-executor": "containers, a registry",
  "executors/docker-operations": "containers",
  "executors/registry-auth": "containers, a registry",
  "worker/sandbox-host-functions": "containers",
  "worker/script-job-errors": "containers",
  "worker/script-storage-cache": "containers",
  "worker/run-actions": "containers",
  // npm itself, installing a script folder's dependencies (offline: local packages).
  "worker/sandbox-dependencies": "npm, local packages",
  // The Kubernetes stand-in, whose pods run on Podman.
  "executors/kubernetes-contract": "containers, a registry",
  "worker/kubernetes-dispatchfile": "containers",
  // The `bosun` command as its own process (a server, a CLI call, a kill and restart).
  "cli/cli": "bosun processes",
  "cli/dispatchfile": "bosun processes",
  "cli/durability": "bosun processes",
  "cli/events": "bosun processes",
  "cli/deliveries": "bosun processes",
  "cli/deliveries-retention": "bosun serve as a process, restarted",
  "cli/dashboard-serving": "bosun worker as a process",
  "cli/login": "bosun processes",
  "cli/manifests": "bosun processes, a PostgreSQL server",
  "cli/records-redaction": "bosun processes",
  "cli/serve": "bosun processes",
  "cli/dashboard-browser": "Chromium, bosun processes, containers, a registry",
  "cli/dashboard-inbox-browser": "Chromium, bosun processes, containers, a registry",
  "cli/serve-reload": "bosun processes, host shell jobs",
  "cli/split-deployment": "bosun processes",
  "cli/store-readiness": "bosun processes",
  // Watched registries: a real registry (Debian's docker-registry) with htpasswd and token auth.
  "watchers/client-registry": "a registry, a token server",
  "watchers/poller-registry": "two registries",
  "cli/registries": "bosun processes, a registry",
  "watchers/poller-postgres": "a PostgreSQL server",
  // Throwaway PostgreSQL servers (Debian's PostgreSQL 15 binaries, started by test-support).
  "store/postgres-server": "a PostgreSQL server",
  "store/postgres-store": "a PostgreSQL server",
  "store/postgres-store-specific": "a PostgreSQL server, stopped and restarted",
  "store/postgres-shared-admission": "a PostgreSQL server shared by two stores",
  "worker/consumer-postgres": "a PostgreSQL server",
  "cli/postgres-store": "bosun processes, a PostgreSQL server",
  "cli/scale-out": "bosun processes killed and restarted, a PostgreSQL server",
  // Jobs in the host's shell, a git server, and real timeouts and soak runs.
  "cli/executors": "host shell jobs",
  "executors/host-executor": "host shell jobs",
  "worker/git-auth": "a git server",
  "cli/serve-slow-clients": "real request timeouts",
  "worker/sandbox-limits": "real time limits, a 100-script soak",
};

/** `cli/dist/test/serve.test.js` → `cli/serve`; scripts' own tests (`scripts/test/x.test.mjs`) → `scripts/x`. */
export function testName(file) {
  const m = /^([^/]+)\/(?:dist\/)?test\/(.+)\.test\.m?js$/.exec(file);
  return m ? `${m[1]}/${m[2]}` : file;
}

/** Every compiled test file under root, relative to it, in order; only those of `packages` if given. */
export function allTestFiles(root, packages = []) {
  const dirs = packages.length ? packages : ["*"];
  return dirs
    .flatMap((p) => [
      `${p}/dist/test/**/*.test.js`,
      ...(p === "*" || p === "scripts" ? ["scripts/test/*.test.mjs"] : []),
    ])
    .flatMap((pattern) => globSync(pattern, { cwd: root }))
    .filter((f, i, all) => all.indexOf(f) === i)
    .sort();
}

/**
 * The files of a tier ("unit" or "all"), and the integration entries that name no file: a test moved
 * or renamed without its entry here would otherwise join the unit tier unnoticed.
 */
export function selectTier(files, tier, integration = INTEGRATION) {
  const names = new Set(files.map(testName));
  const packages = new Set([...names].map((name) => name.split("/")[0]));
  const stale = Object.keys(integration).filter(
    (name) => packages.has(name.split("/")[0]) && !names.has(name),
  );
  const selected = tier === "unit" ? files.filter((f) => !(testName(f) in integration)) : files;
  return { files: selected, stale };
}
