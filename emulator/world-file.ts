// An emulator's world kept in one JSON file across runs (the demo's --keep), for either network's emulator: read
// once at start, written every couple of seconds when it changed and once more at stop. Not a behaviour of either
// server; the real ones simply keep their databases.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const SAVE_EVERY_MS = 2000;

/** The JSON value in `file`, or undefined when there is none. Throws on an unreadable one. */
export function readWorldFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/**
 * Writes `value` when its text differs from `previous` (the text last written); returns the text. The file is
 * replaced whole (write, then rename), so a crash leaves the old or the new one, never half of one.
 */
export function writeWorldFile(file: string, value: unknown, previous?: string): string {
  const text = JSON.stringify(value);
  if (text === previous) return text;
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return text;
}

/** Writes `take()` to `file` now, then every 2 s when it changed; the returned closer writes it a last time. */
export function keepWorld(take: () => unknown, file: string): () => void {
  let written = writeWorldFile(file, take());
  const timer = setInterval(() => {
    written = writeWorldFile(file, take(), written);
  }, SAVE_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    writeWorldFile(file, take(), written);
  };
}
