import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configureLogging, getLogger, loggingOptions, resolveFormat, type LoggerOptions } from "../../src/util/log";

describe("logger", () => {
  let saved: LoggerOptions;
  let lines: string[];
  const capture = (opts: Partial<LoggerOptions>) => {
    lines = [];
    configureLogging({ ...opts, sink: { write: (line) => void lines.push(line) } });
  };

  before(() => {
    saved = { ...loggingOptions() };
  });
  after(() => configureLogging({ ...saved, sink: saved.sink }));

  it("writes one JSON object per line with time, level, module, message and fields", () => {
    capture({ format: "json", level: "debug" });
    getLogger("portal").debug("bridged to Matrix", { room: "!r:hs", gitterMessageId: "5f00" });
    assert.equal(lines.length, 1);
    assert.ok(lines[0].endsWith("\n") && !lines[0].slice(0, -1).includes("\n"));
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual({ ...record, time: undefined }, {
      time: undefined,
      level: "debug",
      module: "portal",
      msg: "bridged to Matrix",
      room: "!r:hs",
      gitterMessageId: "5f00",
    });
  });

  it("writes readable lines for a terminal, quoting values with spaces and showing errors by message", () => {
    capture({ format: "pretty", level: "info" });
    getLogger("sessions").warn("could not resume a session", { mxid: "@a:hs", reason: "two words", error: new Error("boom") });
    assert.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} WARN  \[sessions\] could not resume a session mxid=@a:hs reason="two words" error="Error: boom"\n$/);
  });

  it("drops lines below the configured level and keeps those at or above it", () => {
    capture({ format: "json", level: "warn" });
    const log = getLogger("x");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ["w", "e"]);
    assert.equal(log.isDebug(), false);
    configureLogging({ level: "debug" });
    assert.equal(log.isDebug(), true);
  });

  it("masks secret-looking keys at any depth, in both formats", () => {
    for (const format of ["json", "pretty"] as const) {
      capture({ format, level: "info" });
      getLogger("x").child({ asToken: "tok-1" }).info("m", {
        access_token: "tok-2",
        request: { headers: { Authorization: "Bearer tok-3" }, clientSecret: "tok-4" },
        list: [{ password: "tok-5" }],
        tokenCount: 3,
        room: "!kept:hs",
      });
      for (const secret of ["tok-1", "tok-2", "tok-3", "tok-4", "tok-5"]) assert.ok(!lines[0].includes(secret), `${format}: ${secret}`);
      assert.ok(lines[0].includes("!kept:hs"));
      assert.ok(lines[0].includes("[redacted]"));
    }
  });

  it("does not let a field overwrite the line's own keys, and never throws on odd values", () => {
    capture({ format: "json", level: "info" });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    getLogger("x").info("real", { msg: "fake", level: "error", big: 10n, deep: { a: { b: { c: { d: { e: 1 } } } } } });
    getLogger("x").info("still logs", { circular });
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.equal(first.msg, "real");
    assert.equal(first.level, "info");
    assert.equal(first["field.msg"], "fake");
    assert.equal(first.big, "10");
    assert.equal(lines.length, 2);
    assert.equal((JSON.parse(lines[1]) as { msg: string }).msg, "still logs");
  });

  it("picks pretty on a terminal and JSON elsewhere when the config says auto", () => {
    assert.equal(resolveFormat("auto", true), "pretty");
    assert.equal(resolveFormat("auto", false), "json");
    assert.equal(resolveFormat("json", true), "json");
    assert.equal(resolveFormat("pretty", false), "pretty");
  });
});
