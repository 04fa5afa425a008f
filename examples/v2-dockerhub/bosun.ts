// A Brigade v2 script: handlers keyed by source and type, as brigadier 2.x has them. Docker Hub's
// pushes arrive as brigade.sh/dockerhub "push"; the same handler takes a private Distribution
// registry's (brigade.sh/distribution). The image is named by the event's qualifiers and labels:
// qualifiers.repo, labels.registry and labels.tag.
import { events, Job, logger, type Event } from "@bosun/sdk";

async function deploy(event: Event): Promise<void> {
  const repo = event.qualifiers?.repo;
  const { registry, tag } = event.labels ?? {};
  if (!repo || !registry || !tag) {
    logger.info(`${event.source}: ${event.shortTitle ?? "a push"} has no tag; nothing to deploy`);
    return;
  }
  const image = `${registry}/${repo}:${tag}`;
  logger.info(`${event.project.id}: deploying ${image} (${event.source} ${event.type})`);
  const rollout = new Job("rollout", image, ["echo rolling out $IMAGE", "test -x /bin/sh"]);
  rollout.env = { IMAGE: image };
  const result = await rollout.run();
  logger.info(`rollout of ${image} said: ${result.toString()}`);
}

events.on("brigade.sh/dockerhub", "push", deploy);
events.on("brigade.sh/distribution", "push", deploy);

// `bosun event create --project v2-dockerhub --type exec`: say what this project deploys.
events.on("brigade.sh/cli", "exec", (event) => {
  logger.info(`${event.project.id} deploys Docker Hub and registry pushes; asked by ${event.source}`);
});

events.process();
