/**
 * POST /api/v1/runs/:id/rerun|retry|cancel, and POST /api/v1/events/:id/cancel. The store decides (in one unit of work, whichever
 * process holds the run): a rerun or retry is a new queued run of the same event, a cancel of a
 * running run is a mark its worker acts on. A refusal is answered with its code (404, 409).
 */
import type { NextFunction, Request, Response, Router } from "express";
import type { Run } from "@bosun/core";
import type { RunRefusal, Store } from "@bosun/store";
import { sendError } from "./http-errors.js";

type Route = (
  fn: (req: Request, res: Response) => Promise<unknown>,
) => (req: Request, res: Response, next: NextFunction) => void;

export function runActionRoutes(api: Router, store: Store, route: Route): void {
  const requester = (res: Response) => String(res.locals.requester ?? "admin");
  const answer = (res: Response, result: { run: Run } | RunRefusal, status: number) =>
    "run" in result
      ? res.status(status).json({ run: result.run })
      : sendError(res, result.refused, result.message);

  for (const kind of ["rerun", "retry"] as const) {
    api.post(
      `/runs/:id/${kind}`,
      route(async (req, res) => {
        const runId = String(req.params.id);
        return answer(res, await store.requestRun({ kind, runId, requestedBy: requester(res) }), 201);
      }),
    );
  }
  // A running run is cancelled by its worker shortly: accepted, not done yet.
  const cancelStatus = (result: { run: Run } | RunRefusal) =>
    "run" in result && result.run.status === "running" ? 202 : 200;
  api.post(
    "/runs/:id/cancel",
    route(async (req, res) => {
      const result = await store.cancelRun(String(req.params.id), requester(res));
      return answer(res, result, cancelStatus(result));
    }),
  );
  api.post(
    "/events/:id/cancel",
    route(async (req, res) => {
      const result = await store.cancelEvent(String(req.params.id), requester(res));
      return answer(res, result, cancelStatus(result));
    }),
  );
}
