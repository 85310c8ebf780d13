// Fuzzing the Gitter REST client over real HTTP: a fake Gitter answers with generated malformed bodies (broken
// JSON, wrong shapes, huge or odd strings, HTML pages, odd statuses), with a well-formed answer now and then.
// Every answer must end either in a GitterError whose messages hold no token, or in a value that passes the
// call's shape check (a generated body may by chance fit, e.g. an empty list); every well-formed answer must
// come through intact. The seed is printed; FUZZ_SEED replays a run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GitterError } from "../../src/gitter/errors";
import { RateLimiter } from "../../src/gitter/rate-limit";
import { GitterRestClient } from "../../src/gitter/rest";
import { checkList, checkMessage, checkRoom, checkUser, type Problem } from "../../src/gitter/validate";
import { configureLogging } from "../../src/util/log";
import { Fuzz, fuzzSeed } from "../harness/fuzz";
import { FakeGitter, SAMPLE } from "../unit/gitter-fake-server";

configureLogging({ level: "error" });

const TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
const ROUNDS = 300;

interface Call {
  name: string;
  run(c: GitterRestClient): Promise<unknown>;
  /** A well-formed answer, and the check a returned value must pass. */
  good(): unknown;
  check(v: unknown): Problem;
}

const msg = (i: number) => SAMPLE.message(`valid ${i}`, "5f" + i.toString(16).padStart(22, "0"));

const CALLS: Call[] = [
  { name: "getCurrentUser", run: (c) => c.getCurrentUser(), good: () => SAMPLE.user, check: (v) => checkUser(v) },
  { name: "listRooms", run: (c) => c.listRooms(), good: () => [SAMPLE.room], check: checkList(checkRoom) },
  { name: "getRoom", run: (c) => c.getRoom("r1"), good: () => SAMPLE.room, check: (v) => checkRoom(v) },
  { name: "resolveRoom", run: (c) => c.resolveRoom("a/b"), good: () => SAMPLE.room, check: (v) => checkRoom(v) },
  { name: "listRoomMembers", run: (c) => c.listRoomMembers("r1"), good: () => [SAMPLE.user], check: checkList(checkUser) },
  { name: "listMessages", run: (c) => c.listMessages("r1", { limit: 5 }), good: () => [msg(1), msg(2)], check: checkList(checkMessage) },
  { name: "getMessage", run: (c) => c.getMessage("r1", "m1"), good: () => msg(3), check: (v) => checkMessage(v) },
  { name: "sendMessage", run: (c) => c.sendMessage("r1", { text: "hi" }), good: () => msg(4), check: (v) => checkMessage(v) },
  { name: "searchRooms", run: (c) => c.searchRooms("x"), good: () => ({ results: [SAMPLE.room] }), check: (v) => checkList(checkRoom)(v) },
  { name: "searchUsers", run: (c) => c.searchUsers("x"), good: () => ({ results: [SAMPLE.user] }), check: checkList(checkUser) },
];

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A malformed answer for `call`: a mangled well-formed body, a wrong value, broken JSON, HTML, an odd status. */
function badAnswer(f: Fuzz, call: Call): Answer {
  const json = (v: unknown, status = 200): Answer => ({ status, type: "application/json", body: JSON.stringify(v) ?? "null" });
  switch (f.int(7)) {
    case 0:
      return json(mangleDeep(f, call.good()));
    case 1:
      return json(f.value());
    case 2:
      return { status: 200, type: "application/json", body: f.brokenJson(call.good()) };
    case 3:
      return { status: 200, type: "text/html", body: `<html><body>${f.oddString()} Bearer ${TOKEN}</body></html>` };
    case 4:
      return json({ error: f.oddString(), token: TOKEN }, f.pick([400, 403, 404, 409, 418, 422]));
    case 5:
      return json(f.deep(200 + f.int(400)));
    default:
      return json(Array.isArray(call.good()) ? [mangleDeep(f, (call.good() as unknown[])[0])] : [call.good()]);
  }
}

/** Breaks one required thing in an entity (or in the first item of a list, or of `results`). */
function mangleDeep(f: Fuzz, good: unknown): unknown {
  if (Array.isArray(good)) return [...good.slice(1), mangleDeep(f, good[0])];
  const obj = good as Record<string, unknown>;
  if (Array.isArray(obj.results)) return { ...obj, results: mangleDeep(f, obj.results) };
  const required = "fromUser" in obj ? ["id", "text", "fromUser"] : "oneToOne" in obj ? ["id", "name", "oneToOne"] : ["id", "username"];
  const out = f.mangle(obj, required);
  // A mangled field might by chance still be valid (an odd string where any string goes): force one to break.
  const key = f.pick(required);
  out[key] = f.bool() ? null : f.pick([[], 7, false]);
  return out;
}

describe("fuzzing the Gitter REST client with malformed answers", { timeout: 120_000 }, () => {
  const gitter = new FakeGitter();
  let next: Answer = { status: 200, type: "application/json", body: "{}" };
  before(async () => {
    await gitter.start();
    gitter.handler = (_req, res) => {
      res.writeHead(next.status, { "content-type": next.type, "content-length": Buffer.byteLength(next.body) });
      res.end(next.body);
    };
  });
  after(() => gitter.stop());

  it(`answers ${ROUNDS} malformed bodies with clear errors and lets every well-formed one through`, async () => {
    const f = new Fuzz(fuzzSeed("REST answers"));
    const sleep = async () => undefined;
    const client = new GitterRestClient({
      apiUrl: gitter.url,
      token: TOKEN,
      userId: SAMPLE.user.id,
      retry: { maxAttempts: 2, sleep },
      limiter: new RateLimiter({ sleep }),
    });
    let rejected = 0;
    let valid = 0;
    let fitting = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const call = f.pick(CALLS);
      if (round % 10 === 0) {
        next = { status: 200, type: "application/json", body: JSON.stringify(call.good()) };
        const got = await call.run(client);
        assert.equal(call.check(got), null, `${call.name}: a well-formed answer comes through`);
        valid++;
        continue;
      }
      next = badAnswer(f, call);
      const what = `${call.name} answered ${next.status} ${next.body.slice(0, 200)}`;
      const outcome = await call.run(client).then((value) => ({ value }), (error: unknown) => ({ error }));
      if ("value" in outcome) {
        assert.equal(call.check(outcome.value), null, `${what}: a value that passes the check, or an error`);
        fitting++;
        continue;
      }
      const err = outcome.error;
      assert.ok(err instanceof GitterError, `${what}: rejects with a GitterError, got ${String(err)}`);
      assert.ok(!err.message.includes(TOKEN) && !err.userMessage.includes(TOKEN), `${what}: no token in the error`);
      assert.ok(err.userMessage.length > 0 && err.userMessage.length < 200);
      rejected++;
    }
    assert.equal(rejected + fitting + valid, ROUNDS);
    assert.ok(rejected > ROUNDS / 2, "most generated answers are malformed");
    process.stdout.write(`REST answers: ${rejected} malformed rejected, ${fitting} happened to fit, ${valid} well-formed delivered\n`);
  });

  it("treats a malformed answer to a message post as maybe delivered, never as a retry", async () => {
    next = { status: 200, type: "application/json", body: '{"id": 5}' };
    const before = gitter.seen.length;
    const client = new GitterRestClient({ apiUrl: gitter.url, token: TOKEN, retry: { sleep: async () => undefined } });
    await assert.rejects(client.sendMessage("r1", { text: "once" }), /may have been delivered/);
    assert.equal(gitter.seen.length - before, 1, "posted exactly once");
  });
});
