/**
 * What the dashboard's browser tests run against: a real `bosun serve` whose jobs run on Podman, a
 * real registry that notifies it of pushes, and headless Chromium, with pages whose console errors,
 * request URLs and response bodies are kept for the tests to check.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import {
  ensureTestImage,
  freePort,
  startDockerSocket,
  type DockerSocket,
  type TestRegistry,
  startRegistry,
} from "@bosun/test-support";
import { BosunProcess } from "./bosun-process.js";
import { startBrowser, type TestBrowser } from "./browser.js";

/** Where screenshots go: $BOSUN_ARTIFACTS, else test-artifacts/ at the repository's root (git-ignored). */
export const ARTIFACTS = join(
  process.env.BOSUN_ARTIFACTS ?? join(dirname(fileURLToPath(import.meta.url)), "../../../../test-artifacts"),
  "dashboard",
);

export interface DashboardStackOptions {
  /** The project the registry notifies (its webhook path is /events/distribution/<project>). */
  project: string;
  webhookToken: string;
  /** bosun.yaml after `server:` and `docker:`: the projects and anything else. */
  config: string[];
  files: Record<string, string>;
  readOnlyTokens: string[];
}

export interface DashboardStack {
  socket: DockerSocket;
  registry: TestRegistry;
  bosun: BosunProcess;
  browser: TestBrowser;
  adminToken: string;
  /** Console errors of every watched page, prefixed with the page's name. */
  consoleErrors: string[];
  /** Bodies of every answer a watched page had, but the stream's. */
  bodies: string[];
  requestUrls: string[];
  watchedPage(name: string): Promise<Page>;
  /** Signs in from the dashboard's start page; resolves once the runs list shows. */
  signIn(page: Page, token: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDashboardStack(options: DashboardStackOptions): Promise<DashboardStack> {
  mkdirSync(ARTIFACTS, { recursive: true });
  ensureTestImage();
  // What started is stopped again if a later part fails to start.
  const started: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop();
  };
  let socket: DockerSocket, registry: TestRegistry, bosun: BosunProcess, browser: TestBrowser;
  try {
    socket = await startDockerSocket();
    started.push(() => socket.stop());
    const port = await freePort();
    registry = await startRegistry({
      notifyUrl: `http://127.0.0.1:${port}/events/distribution/${options.project}`,
      notifyHeaders: { Authorization: [`Bearer ${options.webhookToken}`] },
    });
    started.push(() => registry.stop());
    bosun = await BosunProcess.start({
      port,
      config: [
        "server:",
        `  readOnlyTokens: ${JSON.stringify(options.readOnlyTokens)}`,
        "docker:",
        `  socket: ${socket.socketPath}`,
        `  insecureRegistries: ["${registry.host}"]`,
        ...options.config,
      ].join("\n"),
      files: options.files,
    });
    started.push(() => bosun.dispose());
    browser = await startBrowser();
    started.push(() => browser.close());
  } catch (err) {
    await stopAll();
    throw err;
  }
  const adminToken = readFileSync(join(bosun.dir, "data", "admin-token"), "utf8").trim();
  const consoleErrors: string[] = [];
  const bodies: string[] = [];
  const requestUrls: string[] = [];
  return {
    socket,
    registry,
    bosun,
    browser,
    adminToken,
    consoleErrors,
    bodies,
    requestUrls,
    async watchedPage(name) {
      const page = await browser.context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(`${name}: ${m.text()}`);
      });
      page.on("pageerror", (e) => consoleErrors.push(`${name}: ${String(e)}`));
      page.on("request", (r) => requestUrls.push(r.url()));
      page.on("response", (r) => {
        if (!(r.headers()["content-type"] ?? "").includes("text/event-stream"))
          void r.text().then(
            (t) => bodies.push(t),
            () => undefined,
          );
      });
      return page;
    },
    async signIn(page, token) {
      await page.goto(`${bosun.url}/`);
      await page.waitForURL(/#\/signin/);
      await page.fill("#token", token);
      await page.press("#token", "Enter");
      await page.waitForSelector("table.runs");
    },
    stop: stopAll,
  };
}
