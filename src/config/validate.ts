// Walks a parsed YAML value against the schema, collecting every problem (each naming its full key path) instead
// of stopping at the first, and returns the value with defaults filled in. Pure: paths are resolved by the caller
// through `resolvePath`, so this module touches no filesystem.

import type { IntegerNode, MapNode, ObjectNode, SchemaNode, StringNode } from "./schema";

export interface ValidateContext {
  errors: string[];
  /** Makes a `format: path` value absolute. */
  resolvePath(value: string): string;
  /** The network the config serves: picks `networkDefaults` and which network section must be complete. */
  network: string;
  /** Whether the file names the network itself; errors then say which network made a key required. */
  networkGiven: boolean;
  /** Set inside a network section: why its required keys are required, or "unused" for another network's. */
  section?: { network: string; unused: boolean };
}

/** `parent.key`, or `parent["odd.key"]` when the key is not a plain identifier (map keys like example.org). */
export function joinPath(parent: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** How a value is shown in an error: JSON, shortened; never the value itself for secret keys. */
export function describeValue(value: unknown, secret = false): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  if (secret) return `a ${typeof value}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Keys earlier versions took, with what to do about them: an old config gets told, not just "unknown". */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  "gitter.streamUrl":
    "no longer used (the bridge never read it: Gitter's events come over Faye, gitter.realtimeUrl); delete this line",
};

export function validateNode(value: unknown, node: SchemaNode, path: string, ctx: ValidateContext): unknown {
  switch (node.type) {
    case "object":
      return validateObject(value, node, path, ctx);
    case "map":
      return validateMap(value, node, path, ctx);
    case "string":
      return validateString(value, node, path, ctx);
    case "integer":
      return validateInteger(value, node, path, ctx);
  }
}

function validateObject(value: unknown, node: ObjectNode, path: string, ctx: ValidateContext): unknown {
  if (node.network !== undefined) return validateNetworkSection(value, node, node.network, path, ctx);
  // A missing section counts as empty, so the errors name the required keys inside it.
  const input = value ?? {};
  if (!isMapping(input)) {
    ctx.errors.push(`${path || "(top level)"}: must be a mapping of keys, got ${describeValue(input, node.secret)}`);
    return undefined;
  }
  const known = Object.keys(node.fields);
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const removed = REMOVED_KEYS[joinPath(path, key)];
    ctx.errors.push(`${joinPath(path, key)}: ${removed ?? `unknown key${suggest(key, known)}`}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.fields)) {
    out[key] = validateNode(input[key], child, joinPath(path, key), ctx);
  }
  return out;
}

/**
 * The section of the network served is checked whole; another network's may be left out and, when given, is only
 * checked for typos (unknown keys, wrong types) and not kept, so a config can switch network keeping both.
 */
function validateNetworkSection(value: unknown, node: ObjectNode, network: string, path: string, ctx: ValidateContext): unknown {
  const unused = network !== ctx.network;
  if (unused && (value === undefined || value === null)) return undefined;
  const { network: _network, ...plain } = node;
  const out = validateObject(value, plain, path, { ...ctx, section: { network, unused } });
  return unused ? undefined : out;
}

/** "required", with the network that makes it so when the file chose the network. */
function required(path: string, ctx: ValidateContext): void {
  if (ctx.section?.unused) return;
  const when = ctx.section && ctx.networkGiven ? ` when network is ${ctx.section.network}` : "";
  ctx.errors.push(`${path}: required${when}`);
}

function validateMap(value: unknown, node: MapNode, path: string, ctx: ValidateContext): unknown {
  // Defaults of maps may refer to other keys, so they are filled in by the loader (see applyMapDefaults).
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) {
    ctx.errors.push(`${path}: must be a mapping, got ${describeValue(value)}`);
    return undefined;
  }
  const keyRe = new RegExp(node.keyPattern);
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const entryPath = joinPath(path, key);
    if (!keyRe.test(key)) ctx.errors.push(`${entryPath}: key must be ${node.keyHint}`);
    out[key] = validateNode(entry, node.value, entryPath, ctx);
  }
  return out;
}

function validateString(value: unknown, node: StringNode, path: string, ctx: ValidateContext): unknown {
  if (value === undefined || value === null) {
    const dflt = node.networkDefaults?.[ctx.network] ?? node.default;
    if (dflt !== undefined) return validateString(dflt, node, path, ctx);
    if (node.required) required(path, ctx);
    return undefined;
  }
  if (typeof value !== "string") {
    const hint = typeof value === "number" || typeof value === "boolean" ? " (quote it in YAML)" : "";
    ctx.errors.push(`${path}: must be a string${hint}, got ${describeValue(value, node.secret)}`);
    return undefined;
  }
  const problem = checkString(value, node);
  if (problem) {
    ctx.errors.push(`${path}: ${problem}`);
    return undefined;
  }
  if (node.format === "url") return value.replace(/\/+$/, "");
  if (node.format === "path") return ctx.resolvePath(value);
  if (node.format === "database") return resolveDatabase(value, ctx);
  return value;
}

/** Returns what is wrong with a string value, or null. */
function checkString(value: string, node: StringNode): string | null {
  const got = describeValue(value, node.secret);
  if (value.trim() === "") return "must not be empty";
  if (node.enum && !node.enum.includes(value)) return `must be one of ${node.enum.join(", ")}, got ${got}`;
  if (node.pattern && !new RegExp(node.pattern).test(value)) return `must be ${node.patternHint ?? node.pattern}, got ${got}`;
  if (node.format === "url" && !isHttpUrl(value)) return `must be an http:// or https:// URL, got ${got}`;
  if (node.format === "database") return checkDatabase(value);
  return null;
}

export function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}

// Only the scheme is ever echoed: a postgres URL usually carries a password.
function checkDatabase(value: string): string | null {
  if (value.startsWith("sqlite:")) {
    return sqliteFile(value) === "" ? 'must name a file after "sqlite:", e.g. sqlite:./data/bridge.db' : null;
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return null;
    } catch {
      return "is not a valid postgres:// URL";
    }
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  return `must start with sqlite: or postgres://, got ${scheme ? `scheme "${scheme}:"` : "no scheme"}`;
}

// `sqlite:///abs.db` and `sqlite://rel.db` are accepted too, read the same way the store reads them.
function sqliteFile(value: string): string {
  const rest = value.slice("sqlite:".length);
  return rest.startsWith("//") ? rest.slice(2) : rest;
}

function resolveDatabase(value: string, ctx: ValidateContext): string {
  if (!value.startsWith("sqlite:")) return value;
  const file = sqliteFile(value);
  return file === ":memory:" ? "sqlite::memory:" : `sqlite:${ctx.resolvePath(file)}`;
}

function validateInteger(value: unknown, node: IntegerNode, path: string, ctx: ValidateContext): unknown {
  if (value === undefined || value === null) {
    if (node.default !== undefined) return node.default;
    if (node.required) required(path, ctx);
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < node.min || value > node.max) {
    ctx.errors.push(`${path}: must be an integer ${node.min}-${node.max}, got ${describeValue(value, node.secret)}`);
    return undefined;
  }
  return value;
}

/** " (did you mean x?)" for a key that differs from a known one by case or a couple of letters. */
function suggest(key: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean ${best}?)` : "";
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
