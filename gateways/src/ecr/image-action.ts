/**
 * The detail of an "ECR Image Action" event: `action-type` PUSH or DELETE, `result` SUCCESS or
 * FAILURE, `repository-name`, `image-tag` (absent for a push by digest) and `image-digest`. The
 * registry host is not in the event; it is built from the account and region.
 */
import type { EventType, Problem, Result } from "@bosun/core";
import type { JsonObject } from "../common/json.js";
import { checkedValue, field, malformed, optionalString } from "../common/json.js";
import { digestProblem, pushOf, repositoryProblem, tagProblem } from "../common/reference.js";
import { rfc3339 } from "../common/time.js";
import type { PushOutcome } from "../common/outcome.js";

const ACTIONS: Readonly<Record<string, EventType>> = { PUSH: "image_push", DELETE: "image_delete" };
const ACCOUNT = /^[0-9]{12}$/;
// us-west-2, eu-central-1, us-gov-west-1, cn-north-1, ap-southeast-4 …
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$/;

export function readImageAction(event: JsonObject, detail: JsonObject): Result<PushOutcome> {
  const action = field(detail, "action-type");
  if (typeof action !== "string") {
    return { errors: [malformed("detail.action-type", "PUSH or DELETE", action)] };
  }
  const type = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (type === undefined) return ignore("detail.action-type", `action-type ${quoted(action)}`);
  const result = field(detail, "result");
  if (typeof result !== "string") {
    return { errors: [malformed("detail.result", "SUCCESS or FAILURE", result)] };
  }
  // A failed push left no image behind: nothing to run.
  if (result !== "SUCCESS") return ignore("detail.result", `${action} with result ${quoted(result)}`);

  const errors: Problem[] = [];
  const host = registryHost(event, errors);
  const repository = checked(detail, "repository-name", repositoryProblem, errors, true);
  const tag = checked(detail, "image-tag", tagProblem, errors, false);
  const digest = checked(detail, "image-digest", digestProblem, errors, false);
  if (errors.length === 0 && tag === undefined && digest === undefined) {
    errors.push(malformed("detail.image-digest", "the image's digest (or image-tag)", undefined));
  }
  if (errors.length > 0 || host === undefined || repository === undefined) return { errors };

  const push = pushOf(
    type,
    {
      registry: host,
      repository,
      tag,
      digest,
      mediaType: type === "image_push" ? optionalString(detail, "manifest-media-type") : undefined,
      pushedAt: rfc3339(field(event, "time")),
    },
    optionalString(event, "id"),
  );
  return { value: { push } };
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` in the China regions). */
function registryHost(event: JsonObject, errors: Problem[]): string | undefined {
  const account = field(event, "account");
  const region = field(event, "region");
  const goodAccount = typeof account === "string" && ACCOUNT.test(account);
  const goodRegion = typeof region === "string" && REGION.test(region);
  if (!goodAccount) errors.push(malformed("account", "the 12-digit AWS account id", account));
  if (!goodRegion) errors.push(malformed("region", "an AWS region such as us-west-2", region));
  if (!goodAccount || !goodRegion) return undefined;
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${account}.dkr.ecr.${region}.${domain}`;
}

/** A string field checked against the reference grammar; "" and absent are the same. */
function checked(
  detail: JsonObject,
  key: string,
  check: (value: string, path: string) => Problem | undefined,
  errors: Problem[],
  required: boolean,
): string | undefined {
  return checkedValue(field(detail, key), key, `detail.${key}`, check, errors, required);
}

function ignore(path: string, reason: string): Result<PushOutcome> {
  return { value: { ignored: { path, reason } } };
}

export function quoted(value: string): string {
  return JSON.stringify(value.slice(0, 60));
}
