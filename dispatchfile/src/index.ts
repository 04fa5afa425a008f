export type * from "./model.js";
export { parseDispatchfile, loadDispatchfile } from "./parse.js";
export type { DispatchfileResult, ParseDispatchfileOptions } from "./parse.js";
export { matchImagePush, tagMatches } from "./match.js";
export type { ImagePush, ImagePushMatch } from "./match.js";
export { taskPrerequisites, orderTasks } from "./graph.js";
export { parseGoDuration } from "./lower/task.js";
