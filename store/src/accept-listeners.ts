/** Who is told of something a consumer may act on at once (a wake-up hint), shared by the stores. */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  /** Returns the unsubscribe. The same function subscribed twice gets two independent subscriptions. */
  add(listener: (value: T) => void): () => void {
    const entry = (value: T) => listener(value);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  tell(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch {
        // A listener is a wake-up hint; its failure is its own business and must not reach the caller.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** Told that events were accepted (or a run queued again), with their projects. */
export class AcceptListeners extends Listeners<readonly string[]> {}
