/** Starts a gateway router on an ephemeral port of 127.0.0.1 and speaks to it with fetch. */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import { REGISTRY_KINDS, type ProjectConfig } from "@bosun/core";
import type { GatewayRouterOptions } from "../../src/index.js";
import { createGatewayRouter } from "../../src/http/router.js";

export const TOKEN = "hook-token-5c1d9e0a7b3f";
export const PROJECT = "webapp";
/** Configured, but without a webhookToken: every request to it is refused. */
export const TOKENLESS_PROJECT = "no-token";

export function projectConfig(name: string, webhookToken?: string): ProjectConfig {
  const project: ProjectConfig = {
    name,
    secrets: {},
    // Opted in to every push from every registry, signatures too: the contract tests the gateways, not opt-in.
    subscriptions: REGISTRY_KINDS.map((registry) => ({
      registry,
      repositories: [],
      tags: [],
      signatureTags: true,
    })),
    executor: "host",
    concurrency: 1,
    timeouts: { scriptMs: 60_000, jobMs: 60_000 },
    allowPrivileged: false,
  };
  if (webhookToken !== undefined) project.webhookToken = webhookToken;
  return project;
}

export const PROJECTS: readonly ProjectConfig[] = [
  projectConfig(PROJECT, TOKEN),
  projectConfig(TOKENLESS_PROJECT),
];

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

export async function startGateway(
  options: Omit<GatewayRouterOptions, "findProject"> & Partial<Pick<GatewayRouterOptions, "findProject">>,
): Promise<RunningGateway> {
  const app = express();
  app.use(createGatewayRouter({ findProject: (name) => PROJECTS.find((p) => p.name === name), ...options }));
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface OutgoingRequest {
  /** Path and query, e.g. "/events/dockerhub/webapp?access_token=...". */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function send(baseUrl: string, request: OutgoingRequest): Promise<Reply> {
  const response = await fetch(baseUrl + request.path, {
    method: "POST",
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
