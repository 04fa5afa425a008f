/**
 * A token server as the docker-registry token spec describes it, for a real registry configured with
 * `auth: token`: GET /token?service=&scope= with the login as Basic; answers a JWT signed by a
 * throwaway certificate (made with the system's openssl) that the registry's rootcertbundle holds,
 * its chain in the `x5c` header, as Distribution 2.8 verifies it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate, randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { startRegistry, type TestRegistry } from "@bosun/test-support";

export interface TokenUser {
  username: string;
  password: string;
}

export interface TokenRequest {
  username?: string;
  scope: string[];
  service?: string;
}

export interface TokenServer {
  /** The realm: http://127.0.0.1:PORT/token */
  realm: string;
  service: string;
  issuer: string;
  /** The PEM file for the registry's rootcertbundle. */
  certFile: string;
  /** Every token request, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

export async function startTokenServer(
  users: TokenUser[],
  service = "bosun-test-registry",
): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-token-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=bosun-test-token",
    ],
    { stdio: "ignore" },
  );
  const key = await importPKCS8(readFileSync(keyFile, "utf8"), "ES256");
  const x5c = [new X509Certificate(readFileSync(certFile)).raw.toString("base64")];
  const issuer = "bosun-test-token-issuer";
  const requests: TokenRequest[] = [];

  const server: Server = createServer((req, res) => {
    void answer(req).then(({ status, body }) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });

  async function answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" || url.pathname !== "/token")
      return { status: 404, body: { error: "not found" } };
    const scope = url.searchParams
      .getAll("scope")
      .flatMap((s) => s.split(" "))
      .filter(Boolean);
    const auth = req.headers.authorization;
    let username: string | undefined;
    if (auth !== undefined) {
      const [user = "", password] = Buffer.from(auth.replace(/^Basic /, ""), "base64")
        .toString()
        .split(":");
      if (!auth.startsWith("Basic ") || !users.some((u) => u.username === user && u.password === password)) {
        requests.push({ username: user, scope, service: url.searchParams.get("service") ?? undefined });
        return { status: 401, body: { errors: [{ code: "UNAUTHORIZED", message: "wrong login" }] } };
      }
      username = user;
    }
    requests.push({
      ...(username ? { username } : {}),
      scope,
      service: url.searchParams.get("service") ?? undefined,
    });
    // Logged-in users get what they ask for; anonymous requests a token with no access.
    const access = username
      ? scope.map((s) => {
          const [type, ...rest] = s.split(":");
          const actions = rest.pop() ?? "";
          return { type, name: rest.join(":"), actions: actions.split(",") };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c })
      .setIssuer(issuer)
      .setSubject(username ?? "")
      .setAudience(url.searchParams.get("service") ?? service)
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key);
    return {
      status: 200,
      body: { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real registry with token auth that trusts `tokens`, its users the same as the token server's. */
export function startRegistryTrusting(tokens: TokenServer, users: TokenUser[]): Promise<TestRegistry> {
  return startRegistry({
    auth: { users },
    token: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      rootCertBundle: tokens.certFile,
    },
  });
}
