/** The dashboard: the header (views, who is signed in) and the routes to each view. */
import { get, signOut, token, type Access } from "./api.js";
import { h, replace } from "./dom.js";
import { startRouter, type RouteEntry } from "./router.js";
import { currentAccess, onAccessChange, setAccess } from "./session.js";
import { deliveriesView } from "./views/deliveries.js";
import { deliveryView } from "./views/delivery.js";
import { healthView } from "./views/health.js";
import { projectsView } from "./views/projects.js";
import { runView } from "./views/run.js";
import { runsView } from "./views/runs.js";
import { signInView } from "./views/signin.js";

/** The views in the header; a new one is an entry here and a route below. */
const NAV = [
  { href: "#/runs", label: "Runs" },
  { href: "#/deliveries", label: "Deliveries" },
  { href: "#/projects", label: "Projects" },
  { href: "#/health", label: "Health" },
];

const ROUTES: RouteEntry[] = [
  { pattern: /^\/signin$/, view: signInView },
  { pattern: /^\/runs$/, view: runsView },
  {
    pattern: /^\/runs\/([^/]+)(?:\/(logs)|\/(jobs)\/([^/]+))?$/,
    view: (m, r, [id, logs, jobs, job]) => runView(m, r, [id ?? "", logs || jobs || "", job ?? ""]),
  },
  { pattern: /^\/deliveries$/, view: deliveriesView },
  { pattern: /^\/deliveries\/([^/]+)$/, view: deliveryView },
  { pattern: /^\/projects$/, view: projectsView },
  { pattern: /^\/health$/, view: healthView },
];

function renderHeader(): void {
  const nav = document.getElementById("nav")!;
  const who = document.getElementById("who")!;
  const access = currentAccess();
  replace(nav, access ? NAV.map((n) => h("a", { href: n.href }, n.label)) : []);
  replace(
    who,
    access && h("span", { class: "access" }, access === "admin" ? "admin" : "read-only"),
    access &&
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            signOut();
            setAccess(undefined);
            location.hash = "#/signin";
          },
        },
        "Sign out",
      ),
  );
}

async function start(): Promise<void> {
  const main = document.getElementById("main")!;
  onAccessChange(renderHeader);
  if (token()) {
    const access = await get<{ access: Access }>("/session").then(
      (s) => s.access,
      () => undefined,
    );
    if (!access) signOut();
    setAccess(access);
  }
  renderHeader();
  const guarded: RouteEntry[] = ROUTES.map((r) => ({
    pattern: r.pattern,
    view: (m, route, match) => {
      if (!currentAccess() && route.path !== "/signin") {
        location.replace(`#/signin?next=${encodeURIComponent(location.hash.slice(1) || "/runs")}`);
        return;
      }
      return r.view(m, route, match);
    },
  }));
  startRouter(main, guarded, (m) => {
    m.append(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/runs" }, "Back to the runs")));
  });
}

void start();
