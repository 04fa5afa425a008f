/**
 * Hash routes (`#/runs/<id>`), so a link to a run or a job can be shared and back works, with no
 * server-side routing. A view renders into the main element and returns how to stop (its streams).
 */
export interface Route {
  /** The path after `#`, e.g. "/runs/01H.../jobs/01H...". */
  path: string;
  params: URLSearchParams;
}

export type View = (main: HTMLElement, route: Route, match: string[]) => (() => void) | void;

export interface RouteEntry {
  pattern: RegExp;
  view: View;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#/, "") || "/runs";
  const [path = "/runs", search = ""] = hash.split("?", 2);
  return { path, params: new URLSearchParams(search) };
}

export function startRouter(main: HTMLElement, routes: readonly RouteEntry[], notFound: View): void {
  let stop: (() => void) | void;
  const render = () => {
    stop?.();
    const route = currentRoute();
    main.replaceChildren();
    for (const { pattern, view } of routes) {
      const m = pattern.exec(route.path);
      if (m) {
        stop = view(
          main,
          route,
          m.slice(1).map((part) => (part === undefined ? "" : decodeURIComponent(part))),
        );
        return;
      }
    }
    stop = notFound(main, route, []);
  };
  window.addEventListener("hashchange", render);
  render();
}
