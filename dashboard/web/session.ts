/** Who is signed in, for the header and for views that offer actions only to the admin token. */
import type { Access } from "./api.js";

let access: Access | undefined;
const listeners = new Set<() => void>();

export function currentAccess(): Access | undefined {
  return access;
}

export function setAccess(next: Access | undefined): void {
  access = next;
  for (const l of listeners) l();
}

export function onAccessChange(listener: () => void): void {
  listeners.add(listener);
}

/** Actions (POST/PUT/DELETE) are shown to the admin token only; the API refuses the rest anyway. */
export function mayAct(): boolean {
  return access === "admin";
}
