// The tests' check that a process still runs (test/harness/processes.ts): a process that has exited but is not yet
// reaped (a zombie, as Synapse is for a second or two once stopped, its parent being init) no longer runs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { describe, it } from "node:test";
import { alive } from "../harness/processes";

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((r) => setTimeout(r, 10));
};
const state = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
};

describe("whether a process runs", () => {
  it("counts a running process, this one and a child", async () => {
    assert.equal(alive(process.pid), true);
    const child = spawn("sleep", ["30"]);
    try {
      assert.equal(alive(child.pid!), true);
    } finally {
      child.kill();
    }
  });

  it("counts neither a process that is gone nor one that exited and waits to be reaped", async () => {
    // The shell starts `head`, which waits for a byte on fd 3, and becomes `sleep`, which never reaps it: once the
    // byte is written, `head` exits and stays a zombie.
    const parent = spawn("sh", ["-c", "head -c1 <&3 >/dev/null & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "inherit", "pipe"] });
    try {
      const [line] = (await once(parent.stdout!, "data")) as [Buffer];
      const zombie = Number(line.toString().trim());
      await until(() => readFileSync(`/proc/${parent.pid}/comm`, "utf8").trim() === "sleep");
      (parent.stdio[3] as Writable).end("x");
      await until(() => state(zombie) === "Z");
      assert.doesNotThrow(() => process.kill(zombie, 0), "still listed, as a zombie");
      assert.equal(alive(zombie), false);
    } finally {
      parent.kill();
      await once(parent, "exit");
    }
    assert.equal(alive(parent.pid!), false);
  });
});
