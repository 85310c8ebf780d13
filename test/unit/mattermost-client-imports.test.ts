import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const DIR = join(__dirname, "..", "..", "src", "mattermost");
// The network client: its own files, the shared utilities and Node; nothing from the Matrix edge, the core,
// another network, the commands or the emulator (the conversion folder has its own test).
const ALLOWED = [/^\.\/[a-z-]+$/, /^\.\.\/util\/[a-z-]+$/, /^node:[a-z]+$/];
// The adapter to the network interface (network*.ts) may also use the interface's own types, and the network's
// own conversion (./convert: the interface asks each network to name its reactions for Matrix).
const ADAPTER_ALLOWED = [...ALLOWED, /^\.\.\/network\/[a-z-]+$/, /^\.\/convert\/[a-z-]+$/];
// The interface's message converter (message-converter.ts) is where the adapter meets the conversion folder: it
// may also use the network-neutral Markdown of a shared Matrix file.
const CONVERTER_ALLOWED = [...ADAPTER_ALLOWED, /^\.\.\/convert\/matrix-media$/];

describe("src/mattermost client imports", () => {
  it("imports only its own files, src/util and Node", () => {
    const files = readdirSync(DIR).filter((name) => name.endsWith(".ts"));
    assert.ok(files.length >= 8, `found ${files.length} files`);
    for (const file of files) {
      const source = readFileSync(join(DIR, file), "utf8");
      for (const [, target = ""] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const allowed = file === "message-converter.ts" ? CONVERTER_ALLOWED : file.startsWith("network") ? ADAPTER_ALLOWED : ALLOWED;
        assert.ok(allowed.some((pattern) => pattern.test(target)), `${file} imports ${target}`);
      }
    }
  });
});
