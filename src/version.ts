// The bridge's version, read once from package.json: the one place the release number is written. Both the
// sources (src/version.ts) and the build (dist/src/version.js) sit two folders below it.
import { readFileSync } from "node:fs";
import path from "node:path";

function readVersion(): string {
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "gitter-bridge" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not at this level: try the next one up.
    }
  }
  return "unknown";
}

/** e.g. "0.1.0"; "unknown" only if package.json is missing beside the install. */
export const VERSION = readVersion();

/** The line `--version` prints and the start-up log, status and doctor report name. */
export const VERSION_TEXT = `gitter-bridge ${VERSION}`;
