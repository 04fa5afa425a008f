/** Who is told that events were accepted (a wake-up hint for consumers), shared by the stores. */
export class AcceptListeners {
  readonly #listeners = new Set<(projects: readonly string[]) => void>();

  /** Returns the unsubscribe. The same function subscribed twice gets two independent subscriptions. */
  add(listener: (projects: readonly string[]) => void): () => void {
    const entry = (projects: readonly string[]) => listener(projects);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  tell(projects: readonly string[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(projects);
      } catch {
        // A listener is a wake-up hint; its failure is its own business and must not reach the gateway.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
