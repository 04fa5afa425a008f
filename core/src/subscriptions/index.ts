export { subscriptionAccepts, explainSubscription, projectAccepts, compileSubscription } from "./match.js";
export type { PushToMatch, CompiledSubscription, SubscriptionVerdict } from "./match.js";
export { matchesGlobList } from "./tag-globs.js";
export { acceptsEvent } from "./events.js";
