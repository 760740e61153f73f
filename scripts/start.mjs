// npm start: the compiled service (dist/), built first when it is missing or
// older than its sources, then run by this same plain-node process (cluster
// workers run this file too, and find the build fresh).
import cluster from "node:cluster";
import { build, stale } from "./build.mjs";

if (cluster.isPrimary && stale()) {
  console.error("building dist/ (its sources changed) ...");
  build();
}
await import("../dist/src/main.js");
