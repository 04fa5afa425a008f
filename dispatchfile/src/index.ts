export type * from "./model.js";
export { parseDispatchfile, loadDispatchfile } from "./parse.js";
export type { DispatchfileResult, ParseDispatchfileOptions } from "./parse.js";
export { matchImagePush, planImagePush, tagMatches } from "./match.js";
export type { ImagePush, ImagePushMatch, ImagePushPlan } from "./match.js";
export { planTasks } from "./plan.js";
export type { PlannedTask, TaskPlan } from "./plan.js";
export { parseGoDuration } from "./lower/task.js";
