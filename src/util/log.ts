// A small structured logger: JSON lines in production, readable lines on a terminal.
// Callers pass ids as fields (room, event, sender, gitterMessageId), never secrets: `redact` keys are masked anyway.

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEYS = /token|secret|password|authorization|key$/i;

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level: Level;
  format: "json" | "pretty";
  sink?: LogSink;
}

let options: LoggerOptions = {
  level: (process.env.LOG_LEVEL as Level | undefined) ?? "info",
  format: process.stdout.isTTY ? "pretty" : "json",
};

export function configureLogging(next: Partial<LoggerOptions>): void {
  options = { ...options, ...next };
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
    const all = redact({ ...this.base, ...fields });
    const line =
      options.format === "json"
        ? JSON.stringify({ time: new Date().toISOString(), level, module: this.module, msg, ...all })
        : `${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${this.module}] ${msg}${formatPretty(all)}`;
    (options.sink ?? (level === "error" || level === "warn" ? process.stderr : process.stdout)).write(line + "\n");
  }
}

function formatPretty(fields: Fields): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.length ? " " + parts.join(" ") : "";
}

function redact(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEYS.test(k)) out[k] = "[redacted]";
    else if (v instanceof Error) out[k] = { name: v.name, message: v.message };
    else out[k] = v;
  }
  return out;
}

export function getLogger(module: string): Logger {
  return new Logger(module);
}
