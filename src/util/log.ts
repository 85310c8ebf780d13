// A small structured logger: JSON lines in production, readable lines on a terminal.
// Callers pass ids as fields (room, event, sender, gitterMessageId), never secrets: fields whose key looks secret
// are masked anyway, at any depth. Logging never throws.

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEYS = /token|secret|password|passwd|authorization|cookie|key$/i;
const RESERVED = new Set(["time", "level", "module", "msg"]);
const MAX_DEPTH = 4;

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level: Level;
  format: "json" | "pretty";
  /** Where lines go; by default warnings and errors to stderr, the rest to stdout. */
  sink?: LogSink;
}

export function isLevel(value: unknown): value is Level {
  return typeof value === "string" && Object.hasOwn(ORDER, value);
}

/** `auto` means readable lines on a terminal and JSON anywhere else (files, pipes, log collectors). */
export function resolveFormat(format: "auto" | "json" | "pretty", isTTY = process.stdout.isTTY === true): "json" | "pretty" {
  return format === "auto" ? (isTTY ? "pretty" : "json") : format;
}

let options: LoggerOptions = {
  level: isLevel(process.env.LOG_LEVEL) ? process.env.LOG_LEVEL : "info",
  format: resolveFormat("auto"),
};

export function configureLogging(next: Partial<LoggerOptions>): void {
  options = { ...options, ...next };
}

/** The current settings, so a test can put them back. */
export function loggingOptions(): Readonly<LoggerOptions> {
  return { ...options };
}

export type Fields = Record<string, unknown>;

export class Logger {
  constructor(
    private readonly module: string,
    private readonly base: Fields = {},
  ) {}

  child(fields: Fields): Logger {
    return new Logger(this.module, { ...this.base, ...fields });
  }

  debug(msg: string, fields?: Fields): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: Fields): void {
    this.log("error", msg, fields);
  }

  isDebug(): boolean {
    return ORDER[options.level] <= ORDER.debug;
  }

  private log(level: Level, msg: string, fields?: Fields): void {
    if (ORDER[level] < ORDER[options.level]) return;
    const all = redact({ ...this.base, ...fields }, 0) as Fields;
    const time = new Date().toISOString();
    const line =
      options.format === "json"
        ? toJson({ time, level, module: this.module, msg, ...withoutReserved(all) })
        : `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${this.module}] ${msg}${formatPretty(all)}`;
    try {
      (options.sink ?? (level === "error" || level === "warn" ? process.stderr : process.stdout)).write(line + "\n");
    } catch {
      // A closed pipe must not take the bridge down with it.
    }
  }
}

/** A field may not pass itself off as the line's own time, level, module or message. */
function withoutReserved(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[RESERVED.has(k) ? `field.${k}` : k] = v;
  return out;
}

function toJson(record: Fields): string {
  try {
    return JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return JSON.stringify({ time: record.time, level: record.level, module: record.module, msg: record.msg, fields: "[unserialisable]" });
  }
}

function formatPretty(fields: Fields): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${prettyValue(v)}`);
  return parts.length ? " " + parts.join(" ") : "";
}

function prettyValue(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (isErrorShape(v)) return JSON.stringify(`${v.name}: ${v.message}`);
  return toJson(v as Fields);
}

function isErrorShape(v: unknown): v is { name: string; message: string } {
  if (v === null || typeof v !== "object") return false;
  const keys = Object.keys(v);
  return keys.length === 2 && typeof (v as Fields).name === "string" && typeof (v as Fields).message === "string";
}

/** Masks secret-looking keys at any depth, turns errors into name and message, cuts very deep nesting. */
function redact(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // Dates, Buffers, URLs: let JSON render them
  const out: Fields = {};
  for (const [k, v] of Object.entries(value as Fields)) out[k] = SECRET_KEYS.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

export function getLogger(module: string): Logger {
  return new Logger(module);
}
