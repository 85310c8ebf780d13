// How deeply a parsed JSON value nests, measured without recursion: a value nested many thousands of levels deep
// (V8's JSON.parse builds one without trouble) would overflow the stack of any recursive walk, JSON.stringify's
// included, so it must be measured and refused before anything recursive touches it.

/** Whether `value` nests arrays and objects more than `max` levels deep (a bare `[]` or `{}` is 1 level). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== "object") continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}
