// A Brigade v2 script in TypeScript with an npm dependency of its own (packages/release-tag, named in
// package.json and pinned by package-lock.json): the worker installs it before bundling, and
// @brigadecore/brigadier, which every v2 project lists, still means Bosun's SDK.
import { events, Job, logger, type Event } from "@brigadecore/brigadier";
import { releaseOf } from "release-tag";

async function announce(event: Event): Promise<void> {
  const repo = event.qualifiers?.repo;
  const { registry, tag } = event.labels ?? {};
  const release = tag ? releaseOf(tag) : undefined;
  if (!repo || !registry || !tag || !release) {
    logger.info(`${repo ?? "a push"}:${tag ?? ""} is not a release; nothing to announce`);
    return;
  }
  const version = `${release.major}.${release.minor}.${release.patch}`;
  logger.info(`${registry}/${repo}:${tag} is release ${version}`);
  const job = new Job("announce", `${registry}/${repo}:${tag}`, event);
  job.primaryContainer.command = ["sh", "-c"];
  job.primaryContainer.arguments = [`echo "announcing ${repo} ${version}"`];
  await job.run();
}

events.on("brigade.sh/dockerhub", "push", announce);
events.on("brigade.sh/distribution", "push", announce);
