// Brigade v2's job API: containers, a sidecar, a shared workspace, groups and a fallible job.
// The pushed image (named by the v2 event's qualifiers and labels) is the one every job runs.
const { events, Job, Container } = require("brigadier");

events.on("brigade.sh/distribution", "push", async (event) => {
  const { registry, tag } = event.labels;
  const image = `${registry}/${event.qualifiers.repo}:${tag}`;

  // A job writes into the run's workspace; a later one reads it.
  const write = new Job("write", image, event);
  write.primaryContainer.workspaceMountPath = "/workspace";
  write.primaryContainer.command = ["/bin/sh", "-c"];
  write.primaryContainer.arguments = ["echo built-by-write > /workspace/artifact"];

  const read = new Job("read", image, event);
  read.primaryContainer.workspaceMountPath = "/workspace";
  read.primaryContainer.command = ["cat", "/workspace/artifact"];

  // The sidecar serves on the job's own localhost.
  const probe = new Job("probe", image, event);
  const web = new Container(image);
  web.command = ["/bin/sh", "-c"];
  web.arguments = [
    "mkdir -p /tmp/www && echo hello-from-sidecar > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www",
  ];
  probe.sidecarContainers = { web };
  probe.primaryContainer.command = ["/bin/sh", "-c"];
  probe.primaryContainer.arguments = [
    "for i in $(seq 100); do wget -q -O - http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1",
  ];
  probe.timeoutSeconds = 60;

  // Allowed to fail: the pipeline goes on.
  const optional = new Job("optional", image, event);
  optional.primaryContainer.command = ["/bin/sh", "-c", "echo optional check failed; exit 4"];
  optional.fallible = true;

  await Job.sequence(write, Job.concurrent(read, probe, optional)).run();
  console.log(`read said: ${(await read.logs()).trim()}`);
  console.log(`probe said: ${(await probe.logs()).trim()}`);
});
