/** Prometheus metrics on /metrics. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  gatewayRequests: Counter<"registry" | "status">;
  eventsAccepted: Counter<"registry">;
  runsFinished: Counter<"status">;
  runSeconds: Histogram<"status">;
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
  };
}
