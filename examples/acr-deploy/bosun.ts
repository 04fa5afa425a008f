// A TypeScript project script: typed handlers, the structured e.image, Brigade v2's Job.sequence and
// Job.concurrent, and a secret handed to a job without appearing in any log.
import { events, Job } from "@bosun/sdk";

events.on("image_push", async (e, p) => {
  const { registry, repository, tag, digest } = e.image;
  if (!tag) {
    console.log(`${repository}@${digest}: pushed without a tag; nothing to deploy`);
    return;
  }
  console.log(`${p.name}: ${registry}/${repository}:${tag} arrived from ${e.provider}`);

  const verify = new Job("verify", e.image.ref, [
    "echo verifying $(ls /bin | wc -l) tools",
    "test -x /bin/sh",
  ]);
  const scan = new Job("scan", e.image.ref, ["echo scanning layers of $IMAGE"]);
  scan.env = { IMAGE: e.image.ref };
  const deploy = new Job("deploy", e.image.ref, [
    'test -n "$DEPLOY_TOKEN" && echo "deploying $IMAGE with a token of ${#DEPLOY_TOKEN} characters"',
  ]);
  deploy.env = { IMAGE: e.image.ref, DEPLOY_TOKEN: p.secrets.DEPLOY_TOKEN ?? "" };

  await Job.sequence(Job.concurrent(verify, scan), deploy).run();
  console.log(`deployed ${repository}:${tag}: ${(await deploy.logs()).trim()}`);
});
