export { loadConfig, parseConfig, defaultDockerSocket, type ParseConfigOptions } from "./parse.js";
export { parseDuration, parseSize } from "./units.js";
