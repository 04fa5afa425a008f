/**
 * Brigade v2's Container: what a job's primary container and each of its sidecars run. On a Job, the
 * primary container's fields are the Job's own v1 fields under their v2 names (one value, two names).
 */
import type { EnvVarSource } from "./job.js";

export type ImagePullPolicy = "IfNotPresent" | "Always";

export class Container {
  image: string;
  /** "Always" pulls the image even when it is present. */
  imagePullPolicy: ImagePullPolicy = "IfNotPresent";
  /** Replaces the image's entrypoint. */
  command: string[] = [];
  arguments: string[] = [];
  environment: Record<string, string | EnvVarSource> = {};
  workingDirectory = "";
  /** Where the run's shared workspace is mounted ("" for none); the primary container only. */
  workspaceMountPath = "";
  /** Where Brigade mounts the event's source; Bosun's registry events have none, so nothing is mounted. */
  sourceMountPath = "";
  privileged = false;
  /** Mounts the container engine's socket (where the project allows it); the primary container only. */
  useHostDockerSocket = false;

  constructor(image = "") {
    this.image = image;
  }
}
