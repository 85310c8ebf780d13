// Summarises a V8 heap snapshot (node --heapsnapshot-signal): the live heap's self size by node type and by
// constructor, so the report can say what the bridge's memory holds instead of guessing.
import { readFileSync, statSync } from "node:fs";

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapLine {
  name: string;
  bytes: number;
  count: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  byType: HeapLine[];
  byConstructor: HeapLine[];
}

/** V8 refuses strings longer than about 512 MiB: a snapshot that large needs a streaming parser. */
const MAX_SNAPSHOT_BYTES = 500 * 2 ** 20;

function add(map: Map<string, HeapLine>, name: string, bytes: number): void {
  const line = map.get(name) ?? { name, bytes: 0, count: 0 };
  line.bytes += bytes;
  line.count++;
  map.set(name, line);
}

/** Self sizes summed by node type (object, string, code...) and, for objects and closures, by constructor. */
export function summarizeHeap(file: string, top = 20): HeapSummary {
  const size = statSync(file).size;
  if (size > MAX_SNAPSHOT_BYTES) throw new Error(`heap snapshot ${file} is ${size} bytes: too large to summarise here`);
  const snap = JSON.parse(readFileSync(file, "utf8")) as HeapSnapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const byType = new Map<string, HeapLine>();
  const byConstructor = new Map<string, HeapLine>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]] ?? "?";
    const bytes = snap.nodes[i + sizeAt];
    totalBytes += bytes;
    add(byType, type, bytes);
    if (type === "object" || type === "closure") add(byConstructor, `${snap.strings[snap.nodes[i + nameAt]]}${type === "closure" ? " (closure)" : ""}`, bytes);
    else if (type === "string" || type === "concatenated string" || type === "sliced string") add(byConstructor, "(strings)", bytes);
    else if (type === "array") add(byConstructor, `(internal array) ${snap.strings[snap.nodes[i + nameAt]]}`, bytes);
  }
  const rank = (m: Map<string, HeapLine>) => [...m.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top);
  return { totalBytes, nodes: snap.nodes.length / fields.length, byType: rank(byType), byConstructor: rank(byConstructor) };
}

/** The summary as Markdown tables, sizes in MiB with their share of the live heap. */
export function heapMarkdown(title: string, s: HeapSummary): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const pct = (b: number) => `${((b / s.totalBytes) * 100).toFixed(1)}%`;
  const table = (head: string, lines: HeapLine[]) => [
    `| MiB | share | count | ${head} |`,
    "| ---: | ---: | ---: | --- |",
    ...lines.map((l) => `| ${mib(l.bytes)} | ${pct(l.bytes)} | ${l.count} | \`${l.name.slice(0, 80).replace(/[|`\n]/g, " ")}\` |`),
  ];
  return [
    `#### ${title}: ${mib(s.totalBytes)} MiB live in ${s.nodes} heap objects`,
    "",
    ...table("node type", s.byType),
    "",
    ...table("constructor", s.byConstructor),
    "",
  ].join("\n");
}
