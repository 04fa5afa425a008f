/** What Podman holds for a run: its containers (running or not), by the executor's `bosun.run` label. */
import http from "node:http";

export function containersOfRun(socketPath: string, runId: string): Promise<unknown[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`bosun.run=${runId}`] }));
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: `/containers/json?all=true&filters=${filters}` }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(JSON.parse(body) as unknown[]));
    });
    req.on("error", reject);
  });
}
