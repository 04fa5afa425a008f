/** How a view shows an API failure: a token the server no longer takes sends the user to sign in. */
import { ApiError, signOut } from "../api.js";
import { h } from "../dom.js";
import { setAccess } from "../session.js";

export function showFailure(main: HTMLElement, err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    signOut();
    setAccess(undefined);
    location.hash = `#/signin?next=${encodeURIComponent(location.hash.slice(1))}`;
    return;
  }
  const text = err instanceof ApiError ? `${err.message} [${err.code}]` : String(err);
  main.append(h("p", { class: "error", role: "alert" }, text));
}

/** Runs a view's loading, showing what failed. */
export function guard(main: HTMLElement, work: () => Promise<void>): void {
  work().catch((err: unknown) => showFailure(main, err));
}
