/** The `bosun` command. */
import { Command } from "commander";
import { registerProjectCommands } from "./commands/project.js";
import { registerDispatchfileCommands } from "./commands/dispatchfile.js";
import { registerScriptCommands } from "./commands/script.js";
import { registerServeCommands } from "./commands/serve.js";
import { registerMigrateCommand } from "./commands/migrate.js";
import { registerStateCommands } from "./commands/state.js";
import { registerEventCommands } from "./commands/event.js";
import { registerDeliveryCommands } from "./commands/deliveries.js";
import { registerLoginCommands } from "./commands/login.js";
import { registerServiceAccountCommands } from "./commands/serviceaccount.js";
import { registerManifestsCommands } from "./commands/manifests.js";
import { registerRegistriesCommands } from "./commands/registries.js";
import { VERSION } from "./version.js";

const program = new Command("bosun")
  .description("Registry pushes in, scripted automation out: Brigade-style scripts and Dispatchfiles")
  .version(VERSION)
  .showHelpAfterError();
registerServeCommands(program);
registerMigrateCommand(program);
registerStateCommands(program);
registerEventCommands(program);
registerDeliveryCommands(program);
registerScriptCommands(program);
registerDispatchfileCommands(program);
registerProjectCommands(program);
registerLoginCommands(program);
registerServiceAccountCommands(program);
registerManifestsCommands(program);
registerRegistriesCommands(program);
await program.parseAsync(process.argv);
