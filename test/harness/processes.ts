// Whether a process the tests did not start themselves (Synapse, which scripts/synapse.sh leaves to init) still runs.
import { readFileSync } from "node:fs";

/**
 * True while `pid` runs. A zombie does not: it has exited and holds no port or file any more, but stays listed
 * until its parent reaps it, and init may reap only seconds later (1 to 2 s on the test machines).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false; // gone between the two looks
  }
  // The state follows the command name, which is in parentheses and may hold spaces.
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}
