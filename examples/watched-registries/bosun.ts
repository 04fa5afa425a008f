// A push seen by polling is an image_push like a webhook's, with provider "poll".
import { events, Job } from "@bosun/sdk";

events.on("image_push", async (e) => {
  const { registry, repository, tag, digest } = e.image;
  console.log(`${registry}/${repository}:${tag} is now ${digest} (seen by ${e.provider})`);
  await new Job("check", e.image.ref, ["test -x /bin/sh"]).run();
});
