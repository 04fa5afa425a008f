/**
 * Brigade's `resourceLimits` (Kubernetes quantities: cpu "500m" or "2", memory "256Mi" or "1G") as the
 * engine's HostConfig limits. Requests have no equivalent for a single container and are left out.
 */
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/;
const MEMORY_UNITS: Record<string, number> = {
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};
const CPU = /^(\d+(?:\.\d+)?)(m)?$/;

export function hostLimits(limits: { cpu?: string; memory?: string } | undefined): {
  Memory?: number;
  NanoCpus?: number;
} {
  const out: { Memory?: number; NanoCpus?: number } = {};
  if (limits?.memory) {
    const m = MEMORY.exec(limits.memory.trim());
    if (!m)
      throw new Error(`resourceLimits.memory "${limits.memory}" is not a quantity like "256Mi" or "1G"`);
    out.Memory = Math.round(Number(m[1]) * (m[2] ? (MEMORY_UNITS[m[2]] ?? 1) : 1));
  }
  if (limits?.cpu) {
    const c = CPU.exec(limits.cpu.trim());
    if (!c) throw new Error(`resourceLimits.cpu "${limits.cpu}" is not a quantity like "500m" or "2"`);
    out.NanoCpus = Math.round(Number(c[1]) * (c[2] ? 1e6 : 1e9));
  }
  return out;
}
