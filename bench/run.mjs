// npm run bench: every benchmark, one after the other (build first: npx tsc -b).
import { benchDashboard } from "./dashboard.mjs";
import { benchDependencies } from "./dependencies.mjs";
import { benchDispatch } from "./dispatch.mjs";
import { benchDispatchfile } from "./dispatchfile.mjs";
import { benchEvents } from "./events.mjs";
import { benchIngest } from "./ingest.mjs";
import { benchJobs } from "./jobs.mjs";
import { benchPoll } from "./poll.mjs";
import { benchSandbox } from "./sandbox.mjs";

await benchIngest();
await benchDispatch();
await benchSandbox();
await benchEvents();
await benchDispatchfile();
await benchDependencies();
await benchJobs();
await benchDashboard();
await benchPoll();
