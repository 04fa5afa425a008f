/**
 * The dashboard's static files at `/` (built into @bosun/dashboard's dist/assets). The page loads
 * nothing from elsewhere, which its Content-Security-Policy holds it to; it reads the API with the
 * token the user signs in with, so the files themselves need none.
 */
import express from "express";
import { DASHBOARD_ASSETS, dashboardBuilt } from "@bosun/dashboard";
import { sendError } from "./http-errors.js";

const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function dashboardRouter(): express.Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({
      "Content-Security-Policy": POLICY,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
    });
    next();
  });
  if (!dashboardBuilt()) {
    router.get("/", (_req, res) =>
      sendError(
        res,
        "NOT_FOUND",
        "the dashboard is not built: run `npm run build` (node dashboard/build.mjs)",
      ),
    );
    return router;
  }
  // Revalidated on every load (ETag), so a new build is picked up at once.
  router.use(
    express.static(DASHBOARD_ASSETS, { index: "index.html", cacheControl: true, maxAge: 0, redirect: false }),
  );
  return router;
}
