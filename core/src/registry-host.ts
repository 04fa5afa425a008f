/**
 * One name per registry host, so that a push heard by webhook (its host as the gateway names it) and
 * the same push seen by a poll (the account's address) are known as one: lower case, without the
 * default HTTPS port, and Docker Hub's API and legacy hosts as docker.io.
 */
const DOCKER_HUB_ALIASES = new Set(["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

export function registryHostKey(host: string): string {
  let key = host.trim().toLowerCase();
  if (key.endsWith(":443")) key = key.slice(0, -":443".length);
  return DOCKER_HUB_ALIASES.has(key) ? "docker.io" : key;
}
