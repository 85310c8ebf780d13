// Injected REST failures through the control API: before (nothing happens), after (it happens, the answer is an
// error) and drop (it happens, no answer), each for a number of matching requests.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { ALICE, startTestEmulator, type Api } from "./emulator-helpers";

describe("emulator faults", () => {
  let api: Api;
  let room: string;
  const post = (text: string) => api.call("POST", `/v1/rooms/${room}/chatMessages`, ALICE, { text });
  const texts = () => api.emu.state.chat.allMessages().map((m) => m.text);
  const arm = (fault: Record<string, unknown>) => api.json("POST", "/_emulator/faults", undefined, fault);

  before(async () => {
    api = await startTestEmulator({ control: true });
    room = api.roomId("test/general");
  });
  after(() => api.emu.stop());
  beforeEach(() => api.call("DELETE", "/_emulator/faults"));

  it("fails before handling: an error status and nothing done, for exactly count requests", async () => {
    assert.deepEqual(await arm({ mode: "before", status: 503, count: 2, method: "post", path: "/chatMessages$" }), { mode: "before", status: 503, count: 2, pending: 2 });
    assert.equal((await api.call("GET", `/v1/rooms/${room}/chatMessages`, ALICE)).status, 200, "other methods pass");
    assert.equal((await post("before-1")).status, 503);
    assert.equal((await post("before-2")).status, 503);
    assert.equal((await post("before-3")).status, 200);
    assert.deepEqual(texts().filter((t) => t.startsWith("before-")), ["before-3"]);
  });

  it("fails after handling: the message is posted, the answer is an error", async () => {
    await arm({ mode: "after", status: 502 });
    const res = await post("after-1");
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { error: "Injected fault" });
    assert.ok(texts().includes("after-1"));
    assert.equal((await post("after-2")).status, 200);
  });

  it("drops the connection after handling: no answer, but the message is posted", async () => {
    await arm({ mode: "drop", path: "/chatMessages$" });
    await assert.rejects(post("drop-1"));
    assert.ok(texts().includes("drop-1"));
    assert.equal((await post("drop-2")).status, 200);
  });

  it("refuses bad faults and forgets armed ones on DELETE", async () => {
    for (const bad of [{ mode: "sometimes" }, { status: 200 }, { count: 0 }, { path: "(" }, { method: 5 }]) {
      assert.equal((await api.call("POST", "/_emulator/faults", undefined, bad)).status, 400, JSON.stringify(bad));
    }
    await arm({ count: 5 });
    await api.json("DELETE", "/_emulator/faults");
    assert.equal((await post("after-clear")).status, 200);
  });
});
