// Small helpers that validate untyped YAML and name the exact bad key (e.g. `rooms[2].members[0]`).
export class FixtureError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`fixture: ${key}: ${problem}`);
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, key: string, allowed: readonly string[]): Obj {
  if (!isObj(v)) throw new FixtureError(key, "must be a mapping");
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new FixtureError(`${key}.${k}`, `unknown key (allowed: ${allowed.join(", ")})`);
  }
  return v;
}

export function list(v: unknown, key: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FixtureError(key, "must be a list");
  return v;
}

export function str(o: Obj, field: string, key: string, pattern?: RegExp, what?: string): string {
  const v = o[field];
  if (typeof v !== "string" || v.length === 0) throw new FixtureError(`${key}.${field}`, "must be a non-empty string");
  if (pattern && !pattern.test(v)) throw new FixtureError(`${key}.${field}`, `must be ${what ?? `like ${pattern}`}`);
  return v;
}

export function optStr(o: Obj, field: string, key: string, pattern?: RegExp, what?: string): string | undefined {
  return o[field] === undefined ? undefined : str(o, field, key, pattern, what);
}

export function optNum(o: Obj, field: string, key: string): number | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new FixtureError(`${key}.${field}`, "must be a number >= 0");
  return v;
}
