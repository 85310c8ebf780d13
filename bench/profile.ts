// Summarises a V8 CPU profile (node --cpu-prof): self time by function and by package or source folder, so
// the report can say what a run's CPU went to instead of guessing.
import { readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  name: string;
  /** Share of all samples, 0..1. */
  share: number;
}

export interface ProfileSummary {
  totalSeconds: number;
  byFunction: ProfileLine[];
  byArea: ProfileLine[];
}

const ROOT = path.resolve(__dirname, "..");

/** Where a frame's code lives: a package, a folder of ours, Node itself, or V8 bookkeeping. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return ["(garbage collector)", "(idle)", "(program)"].includes(functionName) ? functionName : "(native)";
  if (url.startsWith("node:internal/deps/")) return url.slice("node:internal/deps/".length).split("/")[0];
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const file = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return pkg[1];
  const rel = path.relative(ROOT, file);
  return rel.startsWith("..") ? file : path.dirname(rel);
}

/** `window`: only samples between these seconds after the profile started (default: all). */
export function summarizeProfile(file: string, top = 15, window: [number, number] = [0, Infinity]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at / 1e6 >= window[0] && at / 1e6 <= window[1]) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  let total = 0;
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = areaOf(url, functionName);
    if (where === "(idle)") continue;
    total += us;
    const name = `${functionName || "(anonymous)"} ${url ? `${where}/${path.basename(url)}:${lineNumber + 1}` : ""}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    area.set(where, (area.get(where) ?? 0) + us);
  }
  const lines = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, share: us / Math.max(total, 1) }));
  return { totalSeconds: total / 1e6, byFunction: lines(fn), byArea: lines(area) };
}

/** Markdown: two short tables. */
export function profileMarkdown(title: string, s: ProfileSummary, top = 12): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows = (l: ProfileLine[]) => l.slice(0, top).map((x) => `| ${pct(x.share)} | \`${x.name}\` |`).join("\n");
  return [
    `#### ${title} (${s.totalSeconds.toFixed(1)} s of samples, idle excluded)`,
    "",
    "| self time | package or folder |",
    "| ---: | --- |",
    rows(s.byArea),
    "",
    "| self time | function |",
    "| ---: | --- |",
    rows(s.byFunction),
    "",
  ].join("\n");
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  const s = summarizeProfile(file, 25, [Number(from ?? 0), to === undefined ? Infinity : Number(to)]);
  process.stdout.write(profileMarkdown(path.basename(file), s, 25));
}
