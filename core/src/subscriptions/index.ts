export {
  subscriptionAccepts,
  explainSubscription,
  explainProject,
  projectAccepts,
  compileSubscription,
} from "./match.js";
export type { PushToMatch, CompiledSubscription, SubscriptionVerdict, ProjectVerdict } from "./match.js";
export { planPush } from "./admission.js";
export type { PushPlan } from "./admission.js";
export { artifactTagKind } from "./artifact-tags.js";
export {
  MAX_TAG,
  compileTagPolicy,
  compareValues,
  expandTemplate,
  javascriptPattern,
  judgeTag,
  policyValue,
} from "./tag-policy.js";
export type { CompiledTagPolicy, PolicyValue, TagJudgement } from "./tag-policy.js";
export { matchesGlobList } from "./tag-globs.js";
export { acceptsEvent } from "./events.js";
