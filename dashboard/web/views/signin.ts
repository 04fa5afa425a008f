/** Sign-in with the admin token or a read-only one; the API checks it before it is kept. */
import { ApiError, signIn } from "../api.js";
import { h } from "../dom.js";
import type { View } from "../router.js";
import { setAccess } from "../session.js";

export const signInView: View = (main, route) => {
  const input = h("input", {
    id: "token",
    type: "password",
    name: "token",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "token-help",
  });
  const message = h("p", { role: "alert", class: "error" });
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: (e: Event) => {
        e.preventDefault();
        message.textContent = "";
        signIn(input.value.trim()).then(
          (access) => {
            setAccess(access);
            const next = route.params.get("next");
            location.hash =
              next && next.startsWith("/") && !next.startsWith("/signin") ? `#${next}` : "#/runs";
          },
          (err: unknown) => {
            message.textContent =
              err instanceof ApiError && err.status === 401
                ? "The server does not take that token."
                : String(err);
            input.focus();
          },
        );
      },
    },
    h("h1", {}, "Sign in"),
    h("label", { for: "token" }, "Token"),
    input,
    h(
      "p",
      { id: "token-help", class: "help" },
      "The admin token (server.adminToken, or <dataDir>/admin-token) or a read-only token (server.readOnlyTokens). It is kept in this tab only.",
    ),
    h("button", { type: "submit" }, "Sign in"),
    message,
  );
  main.append(form);
  input.focus();
};
