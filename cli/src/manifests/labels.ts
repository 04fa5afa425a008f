/** The labels on every object `bosun manifests` renders, and the selectors that find its pods. */

export const APP = "bosun";

type Labels = Record<string, string>;

export function labels(component: string): Labels {
  return {
    "app.kubernetes.io/name": APP,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": APP,
    "app.kubernetes.io/managed-by": "bosun-manifests",
  };
}

/** What a Deployment's and a Service's selectors match: stable, because selectors cannot change. */
export function selector(component: string): Labels {
  return { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": component };
}
