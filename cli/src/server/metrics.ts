/**
 * Prometheus metrics on /metrics. Every label value comes from a bounded set: registry kinds (an
 * unknown name in a webhook path counts as "unknown"), HTTP statuses the gateway answers, run
 * statuses. Never a project name or anything else a request can make up.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { REGISTRY_KINDS } from "@bosun/core";
import type { Answer } from "@bosun/gateways";

export interface Metrics {
  registry: Registry;
  gatewayRequests: Counter<"registry" | "status">;
  eventsAccepted: Counter<"registry">;
  runsFinished: Counter<"status">;
  runSeconds: Histogram<"status">;
  configReloads: Counter<"result">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "bosun_" });
  return {
    registry,
    gatewayRequests: new Counter({
      name: "bosun_gateway_requests_total",
      help: "Webhook requests by registry and HTTP status",
      labelNames: ["registry", "status"],
      registers: [registry],
    }),
    eventsAccepted: new Counter({
      name: "bosun_events_accepted_total",
      help: "Events durably committed, by registry",
      labelNames: ["registry"],
      registers: [registry],
    }),
    runsFinished: new Counter({
      name: "bosun_runs_finished_total",
      help: "Runs finished, by status",
      labelNames: ["status"],
      registers: [registry],
    }),
    runSeconds: new Histogram({
      name: "bosun_run_duration_seconds",
      help: "Run duration from claim to finish",
      labelNames: ["status"],
      buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers: [registry],
    }),
    configReloads: configReloads(registry),
  };
}

/** Both results are shown from the start (at 0), so that a rate over them needs no first reload. */
function configReloads(registry: Registry): Counter<"result"> {
  const counter = new Counter({
    name: "bosun_config_reloads_total",
    help: "Changed configuration files read by the running process, by result: applied or refused",
    labelNames: ["result"],
    registers: [registry],
  });
  for (const result of ["applied", "refused"]) counter.inc({ result }, 0);
  return counter;
}

const KNOWN_REGISTRIES: ReadonlySet<string> = new Set(REGISTRY_KINDS);

/** A registry kind, or "unknown" for whatever else a webhook path names. */
export function registryLabel(name: string): string {
  return KNOWN_REGISTRIES.has(name) ? name : "unknown";
}

/** Counts one gateway answer: its status ("aborted" when the client left), and the events it accepted. */
export function countAnswer(metrics: Metrics, registry: string, answer: Answer): void {
  const labels = { registry: registryLabel(registry) };
  const status = answer.aborted ? "aborted" : String(answer.status);
  metrics.gatewayRequests.inc({ ...labels, status });
  const accepted = (answer.body as { accepted?: unknown[] }).accepted?.length ?? 0;
  if (accepted > 0) metrics.eventsAccepted.inc(labels, accepted);
}
