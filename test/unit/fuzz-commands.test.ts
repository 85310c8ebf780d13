// Fuzzing the control-room command dispatcher with generated lines: noise, odd unicode, huge lines, known
// command names with wrong or hostile arguments. Every line must get a short, non-empty answer and never a
// throw; nothing that changes state (logout, join, part, open) may run unless the line really names it; and a
// failing service never shows its internals to the person. The seed is printed; FUZZ_SEED replays a run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dispatch, parseLine } from "../../src/commands/dispatch";
import { COMMANDS } from "../../src/commands/table";
import { UserFacingError, type CommandServices, type GitterRoomSummary } from "../../src/commands/types";
import { GITTER_TERMS } from "../../src/gitter/terms";
import { configureLogging } from "../../src/util/log";
import { Fuzz, fuzzSeed } from "../harness/fuzz";
import { assertMatrixSafe } from "../harness/matrix-html";

// The internal failures the services fake are logged by design; keep them out of the test output.
configureLogging({ level: "error", sink: { write: () => undefined } });
const ROUNDS = 400;
const SECRET = "internal-detail-7f3a";
const MUTATING: Record<string, keyof CommandServices> = { logout: "logout", gjoin: "join", gpart: "part", invite: "openPortal" };

const room: GitterRoomSummary = { id: "r1", name: "org/room", uri: "org/room", oneToOne: false, open: true };

/** Services that record each call and, at random, fail as a person-facing error or as an internal one. */
function services(f: Fuzz, calls: string[]): CommandServices {
  const act = async <T>(name: string, value: T): Promise<T> => {
    calls.push(name);
    const roll = f.int(6);
    if (roll === 0) throw new UserFacingError("Gitter says no.");
    if (roll === 1) throw new Error(`database exploded: ${SECRET}`);
    return value;
  };
  return {
    network: { name: "Gitter", terms: GITTER_TERMS },
    offersLinkLogin: () => true,
    loginLink: (m) => act("loginLink", `https://bridge.example/login?state=${encodeURIComponent(m)}`),
    confirmLogin: () => act("confirmLogin", { kind: "wrong", triesLeft: f.int(5) }),
    offersTokenLogin: () => f.bool(),
    loginWithToken: () => act("loginWithToken", { kind: "refused", network: "Gitter" }),
    logout: () => act("logout", "logged-out" as const),
    status: () => act("status", { loggedIn: true, gitterUsername: "alice", connection: "connected", portals: 2 }),
    listRooms: () => act("listRooms", [room, { ...room, name: f.oddString(), uri: undefined, oneToOne: true }]),
    join: () => act("join", room),
    part: () => act("part", room),
    openPortal: () => act("openPortal", room),
    searchRooms: () => act("searchRooms", [{ name: "x", uri: f.bool() ? "org/x" : f.oddString(), userCount: 3 }]),
    doctor: () => act("doctor", [{ name: "homeserver", ok: f.bool(), detail: f.oddString().slice(0, 300), hint: "<script>x</script>" }]),
  };
}

function line(f: Fuzz): string {
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  const word = () => (f.bool(0.6) ? f.pick(names) : f.oddString().slice(0, 60));
  const cased = (w: string) => (f.bool(0.2) ? w.toUpperCase() : w);
  switch (f.int(6)) {
    case 0:
      return f.oddString();
    case 1:
      return `${f.pick(["", "!", "  ", "\n"])}${cased(word())}`;
    case 2:
      return `${cased(word())} ${Array.from({ length: f.int(4) }, () => f.oddString().slice(0, 200)).join(f.pick([" ", "\t", "\n"]))}`;
    case 3:
      return `${word()} ${f.pick(["https://gitter.im/", "gitter.im/", "@", "org/", "/", "..", "%2F"])}${f.oddString().slice(0, 80)}`;
    case 4:
      return `${word()} ${f.huge()}`;
    default:
      return f.noise(80);
  }
}

describe("fuzzing the command dispatcher", () => {
  it(`answers ${ROUNDS} generated lines, running only what a line really names`, async () => {
    const f = new Fuzz(fuzzSeed("commands"));
    let mutations = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const text = line(f);
      const calls: string[] = [];
      const permission = f.bool(0.2) ? ("admin" as const) : ("user" as const);
      const ctx = { mxid: "@alice:example.org", permission, loggedIn: f.bool(0.8), services: services(f, calls) };
      const reply = await dispatch(ctx, text);
      const where = `line ${JSON.stringify(text.slice(0, 120))}`;
      assert.equal(typeof reply.text, "string", where);
      assert.ok(reply.text.length > 0 && reply.text.length < 4000, `${where}: a short answer (${reply.text.length})`);
      assert.ok(!reply.text.includes(SECRET) && !(reply.html ?? "").includes(SECRET), `${where}: no internals shown`);
      if (reply.html !== undefined) assertMatrixSafe(reply.html, where);
      if (calls.includes("doctor")) assert.equal(permission, "admin", `${where}: doctor is for admins only`);
      const parsed = parseLine(text);
      for (const call of calls.filter((c) => Object.values(MUTATING).includes(c as keyof CommandServices))) {
        mutations++;
        const named = COMMANDS.find((c) => MUTATING[c.name] === call)!;
        const first = parsed?.name.toLowerCase() ?? "";
        assert.ok(first === named.name || named.aliases?.includes(first), `${where} ran ${call}`);
        assert.ok(text.length <= 1000, `${where}: a line too long to be a command ran ${call}`);
        if (named.needsLogin) assert.ok(ctx.loggedIn, `${where}: ${call} ran without a login`);
      }
    }
    process.stdout.write(`commands: ${ROUNDS} lines answered, ${mutations} really named a state-changing command\n`);
  });
});
