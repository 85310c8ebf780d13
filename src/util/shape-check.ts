// The building blocks of the networks' shape checks (src/<network>/validate.ts): each check returns null when a
// value fits, else a short description of the first problem, for the log. Pure; never throws. What a network's
// values must look like (its ids, its fields) stays in its own validate.ts.

export type Problem = string | null;
export type Check = (value: unknown, at: string) => Problem;

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a value is, for a problem's text: never the value itself (it may be long, or private). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  return typeof value === "object" || typeof value === "undefined" ? `an ${typeof value}` : `a ${typeof value}`;
}

/** The first problem found, or null when there is none. */
export function first(...problems: Problem[]): Problem {
  return problems.find((p) => p !== null) ?? null;
}

/** An array whose every item passes `check`; items are named `[i]`. */
export function checkList(check: Check): (value: unknown) => Problem {
  return (value) => {
    if (!Array.isArray(value)) return `expected an array, got ${describe(value)}`;
    for (let i = 0; i < value.length; i++) {
      const p = check(value[i], `[${i}]`);
      if (p) return p;
    }
    return null;
  };
}
