export { DispatchfileHandler, type DispatchfileHandlerOptions } from "./handler.js";
