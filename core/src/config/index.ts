export { loadConfig, parseConfig, defaultDockerSocket, type ParseConfigOptions } from "./parse.js";
export { parseDuration, parseSize } from "./units.js";
export { parseProjectSpec } from "./project-spec.js";
export { RESOURCE_NAME, RESOURCE_NAME_RULE } from "./names.js";
