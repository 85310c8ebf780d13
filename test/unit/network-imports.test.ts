// The network interface's import rules: the core owns src/network and it names no network, nor Matrix, nor the
// core that uses it; a network imports neither the other network nor the Matrix edge nor the core; and a
// network's adapter to the interface (network*.ts) reaches only the interface, src/util and its own network.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve(__dirname, "..", "..", "src");

/** Every .ts file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** What `file` imports from src, as paths relative to src (`gitter/rest`, `util/log`); packages and node: left out. */
function localImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const [, target = ""] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
    if (target.startsWith(".")) out.push(relative(SRC, resolve(dirname(file), target)));
  }
  return out;
}

/** The top folder (or file) of src a path is in: `gitter`, `network`, `bridge`. */
const top = (path: string) => path.split(/[\\/]/)[0];

function check(folder: string, allowed: (target: string) => boolean, only?: (file: string) => boolean): number {
  let seen = 0;
  for (const file of files(join(SRC, folder)).filter((f) => !only || only(f))) {
    seen++;
    for (const target of localImports(file)) assert.ok(allowed(target), `${relative(SRC, file)} imports ${target}`);
  }
  return seen;
}

const CORE_AND_MATRIX = new Set(["matrix", "puppet", "commands", "store", "web", "bridge", "index", "config", "doctor"]);

describe("network interface import rules", () => {
  it("src/network imports only itself and src/util", () => {
    const n = check("network", (t) => ["network", "util"].includes(top(t)));
    assert.ok(n >= 4, `found ${n} files`);
  });

  for (const [network, other] of [["gitter", "mattermost"], ["mattermost", "gitter"]]) {
    it(`src/${network} imports neither ${other}, nor Matrix, nor the core`, () => {
      check(network, (t) => top(t) !== other && !CORE_AND_MATRIX.has(top(t)));
    });

    it(`src/${network}'s adapter reaches only src/network, src/util and src/${network}`, () => {
      const n = check(network, (t) => ["network", "util", network].includes(top(t)), (f) => /[\\/]network[a-z-]*\.ts$/.test(f));
      assert.ok(n >= 2, `found ${n} adapter files`);
    });
  }
});

describe("the core on the network interface", () => {
  it("no file of src/puppet imports a network (src/gitter, src/mattermost)", () => {
    const n = check("puppet", (t) => !["gitter", "mattermost"].includes(top(t)));
    assert.ok(n >= 20, `found ${n} files`);
  });
});
