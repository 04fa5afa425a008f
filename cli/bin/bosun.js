#!/usr/bin/env -S node --no-node-snapshot
// isolated-vm needs Node's startup snapshot off; the flag is in the line above.
import("../dist/src/main.js");
