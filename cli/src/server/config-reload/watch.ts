/**
 * Tells when the config file may have changed. The folder is watched, not the file: editors replace a
 * file by renaming another over it, and Kubernetes updates a mounted ConfigMap or Secret by swapping the
 * `..data` symlink to a new folder, neither of which a watch on the file itself survives. When the file
 * is a symlink, the folder it points into is watched too (and followed when it moves). Every event
 * counts, whatever its name; the reader's hash decides whether anything changed.
 */
import { watch, type FSWatcher } from "node:fs";
import { realpath } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { debounce } from "./debounce.js";

export interface ConfigWatch {
  /** Looks again at where the file's real folder is (after a change). */
  follow(): Promise<void>;
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after a burst of events before `onChange` (default 200 ms). */
  debounceMs?: number;
  /** A folder that cannot be watched; SIGHUP still re-reads. */
  onWatchError?(folder: string, error: Error): void;
}

export function watchConfigFile(file: string, onChange: () => void, options: WatchOptions = {}): ConfigWatch {
  const changed = debounce(onChange, options.debounceMs ?? 200);
  const watchers = new Map<string, FSWatcher>();
  const home = dirname(resolve(file));
  let closed = false;

  const add = (folder: string) => {
    if (closed || watchers.has(folder)) return;
    try {
      const watcher = watch(folder, { persistent: false }, () => changed());
      watcher.on("error", (error: Error) => {
        // A swapped-out Kubernetes folder is deleted: its watch ends, the next one is followed.
        watcher.close();
        watchers.delete(folder);
        changed();
        if (folder === home) options.onWatchError?.(folder, error);
      });
      watchers.set(folder, watcher);
    } catch (error) {
      if (folder === home) options.onWatchError?.(folder, error as Error);
    }
  };

  add(home);
  const follow = async () => {
    const real = await realpath(file).then(dirname, () => undefined);
    for (const [folder, watcher] of watchers) {
      if (folder !== home && folder !== real) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    if (real) add(real);
  };
  void follow();

  return {
    follow,
    close() {
      closed = true;
      changed.cancel();
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
