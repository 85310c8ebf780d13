// Reads Prometheus text exposition, for tests and benchmarks that watch the bridge's /metrics.

/** Every sample line as `name{labels}` -> value (labels exactly as printed, in the exporter's order). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** The sample `name` whose labels include every given pair; undefined when absent. */
export function sample(metrics: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const [key, value] of metrics) {
    const brace = key.indexOf("{");
    const base = brace < 0 ? key : key.slice(0, brace);
    if (base !== name) continue;
    const have = brace < 0 ? [] : key.slice(brace + 1, -1).split(",");
    if (wanted.every((w) => have.includes(w))) return value;
  }
  return undefined;
}

/** Fetches and parses `${webUrl}/metrics`. Throws on a non-200 answer. */
export async function scrape(webUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${webUrl}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}
