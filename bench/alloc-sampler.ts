// What the bridge allocates, from V8's sampling heap profiler reached through the inspector of a bridge started with
// `--inspect=127.0.0.1:0`: one sample per 4 KiB allocated on average, objects the GC has since collected included
// (`node --heap-prof` keeps only what is still live when it stops, which says nothing about garbage). Summarised by
// package or source folder and by function, as bench/profile.ts does for CPU.
import { areaOf, type ProfileLine } from "./profile";

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface AllocSummary {
  bytes: number;
  byArea: ProfileLine[];
  byFunction: ProfileLine[];
}

/** The inspector's address, from the "Debugger listening on ws://..." line a bridge with --inspect prints. */
export function inspectorUrl(line: string): string {
  const url = /(ws:\/\/\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`no inspector address in ${JSON.stringify(line)}`);
  return url;
}

const SAMPLING = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };

/** One inspector session: start() and stop() may alternate any number of times. */
export class AllocSampler {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message?: string } };
      const w = m.id === undefined ? undefined : this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id!);
      if (m.error) w.reject(new Error(`inspector: ${m.error.message ?? "error"}`));
      else w.resolve(m.result);
    };
  }

  static async open(url: string): Promise<AllocSampler> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot reach the inspector at ${url}`));
    });
    const sampler = new AllocSampler(ws);
    await sampler.call("HeapProfiler.enable");
    return sampler;
  }

  start(): Promise<unknown> {
    return this.call("HeapProfiler.startSampling", SAMPLING);
  }

  async stop(top = 10): Promise<AllocSummary> {
    const { profile } = (await this.call("HeapProfiler.stopSampling")) as { profile: { head: SamplingNode } };
    return summarize(profile.head, top);
  }

  close(): void {
    this.ws.close();
  }

  private call(method: string, params: unknown = {}): Promise<unknown> {
    const id = ++this.nextId;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }
}

function summarize(head: SamplingNode, top: number): AllocSummary {
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  let bytes = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const walk = (n: SamplingNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = areaOf(url, functionName);
    bytes += n.selfSize;
    add(area, where, n.selfSize);
    add(fn, `${functionName || "(anonymous)"} ${url ? `${where}/${url.split("/").pop()}:${lineNumber + 1}` : ""}`.trim(), n.selfSize);
    n.children.forEach(walk);
  };
  walk(head);
  const lines = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, b]) => ({ name, share: b / Math.max(bytes, 1) }));
  return { bytes, byArea: lines(area), byFunction: lines(fn) };
}
