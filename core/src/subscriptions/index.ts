export {
  subscriptionAccepts,
  explainSubscription,
  explainProject,
  projectAccepts,
  compileSubscription,
} from "./match.js";
export type { PushToMatch, CompiledSubscription, SubscriptionVerdict, ProjectVerdict } from "./match.js";
export { matchesGlobList } from "./tag-globs.js";
export { acceptsEvent } from "./events.js";
