// The Application Service API: what the homeserver calls on us. This edge only checks the hs_token, parses,
// records and answers; the events are handled later, by the inbox processor.
//
// We do not use an SDK's appservice server: those acknowledge a transaction before its handlers finish. Here a
// transaction is written to the database first and answered 200 only then, so a crash can never lose one;
// when the write fails we answer 500 and the homeserver sends it again.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type NextFunction, type Request, type Response } from "express";
import type { InboxStore } from "../store/store";
import { nestsDeeperThan } from "../util/json-depth";
import { getLogger } from "../util/log";
import { StrandedTransactionWatch } from "./stranded-transactions";

const log = getLogger("appservice");
/**
 * Deepest nesting of arrays and objects accepted in a transaction body. Storing walks the events recursively,
 * which overflows the stack a few thousand levels down. Synapse relays nothing this deep (in room versions 6 on it
 * refuses events that nest deeper than Python's recursion limit of 1,000, less its own frames; see
 * synapse/events/utils.py validate_canonicaljson), so the limit turns away no event a user could send there.
 */
export const MAX_TRANSACTION_DEPTH = 1000;

export interface AppserviceRouterOptions {
  /** The registration's hs_token; compared in constant time, never logged. */
  hsToken: string;
  inbox: InboxStore;
  /** Whether `userId` is ours to create (the bot or a ghost); the homeserver asks before it gives up on one. */
  isOurUser: (userId: string) => boolean;
  /** Called once a new transaction is safely recorded (the processor's nudge). Must not throw. */
  onTransaction?: () => void;
  /**
   * Called shortly after a transaction was refused so that the homeserver sends first one it left behind (see
   * stranded-transactions.ts): asking the homeserver to ping us makes it send them at once. Must not throw.
   */
  onRecovery?: () => void;
  /**
   * Called with a transaction's `m.typing` events, which are not recorded (a typing notice lost in a crash is only
   * a notice, and recording each would fill the inbox). Must not throw.
   */
  onTyping?: (events: Record<string, unknown>[]) => void;
  /** Largest accepted body (default 10 MB); larger ones get 413. */
  maxBodyBytes?: number;
  now?: () => number;
}

/**
 * How long after the refusal the homeserver is asked to ping us: Synapse starts its recoverer in the background
 * once it has read the refusal (scheduler.py _on_txn_fail), and a ping before that does nothing (force_retry).
 */
const RECOVERY_PING_DELAY_MS = 200;

const PREFIXES = ["/_matrix/app/v1", ""]; // the unprefixed paths are the legacy API some homeservers still use

export function createAppserviceRouter(opts: AppserviceRouterOptions): express.Router {
  const router = express.Router();
  const auth = requireHsToken(opts.hsToken);
  const json = express.json({ limit: opts.maxBodyBytes ?? 10 * 1024 * 1024, type: () => true });
  const now = opts.now ?? Date.now;
  const watch = new StrandedTransactionWatch(now);
  // Transactions wait for this (in the order they came), so that the first one is compared with the earlier newest.
  const resumed = opts.inbox.newestTransaction().then(
    (newest) => watch.resume(newest),
    (err: unknown) => log.warn("could not read the newest transaction; one left behind before this start goes unnoticed", { error: err as Error }),
  );

  for (const prefix of PREFIXES) {
    router.put(`${prefix}/transactions/:txnId`, auth, json, (req: Request<{ txnId: string }>, res, next) => {
      void resumed.then(() => acceptTransaction({ ...opts, watch }, now, req, res)).catch(next);
    });
    router.get(`${prefix}/users/:userId`, auth, (req: Request<{ userId: string }>, res) => {
      if (opts.isOurUser(req.params.userId)) res.json({});
      else matrixError(res, 404, "M_NOT_FOUND", "Not a user of this bridge");
    });
    // We create no rooms from aliases: saying so at once lets the homeserver answer its client quickly.
    router.get(`${prefix}/rooms/:alias`, auth, (_req, res) => matrixError(res, 404, "M_NOT_FOUND", "No such room"));
  }
  router.post("/_matrix/app/v1/ping", auth, json, (_req, res) => res.json({}));
  // No third-party protocol lookups: Gitter rooms are joined with bot commands.
  router.all("/_matrix/app/v1/thirdparty{/*rest}", auth, (_req, res) =>
    matrixError(res, 404, "M_NOT_FOUND", "No third-party protocols"),
  );
  router.all("/_matrix/app/{*rest}", auth, (_req, res) => matrixError(res, 404, "M_UNRECOGNIZED", "Unrecognized request"));
  router.use(bodyErrors);
  return router;
}

/** A whole app serving only the router, with JSON 404s elsewhere: what the appservice port listens with. */
export function createAppserviceApp(opts: AppserviceRouterOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(createAppserviceRouter(opts));
  app.use((_req, res) => matrixError(res, 404, "M_UNRECOGNIZED", "Unrecognized request"));
  return app;
}

type TransactionOptions = AppserviceRouterOptions & { watch: StrandedTransactionWatch };

async function acceptTransaction(opts: TransactionOptions, now: () => number, req: Request<{ txnId: string }>, res: Response): Promise<void> {
  const txnId = req.params.txnId;
  const all = validEvents(req.body);
  if (!all) return matrixError(res, 400, "M_BAD_JSON", "Expected {\"events\": [ {...}, ... ]} and, if any, an ephemeral list");
  if (nestsDeeperThan(req.body, MAX_TRANSACTION_DEPTH)) {
    log.warn("transaction refused: nested too deep", { txnId, limit: MAX_TRANSACTION_DEPTH });
    return matrixError(res, 400, "M_BAD_JSON", `JSON nested deeper than ${MAX_TRANSACTION_DEPTH} levels`);
  }
  const typing = ephemeralOf(req.body).filter((e) => e.type === "m.typing");
  if (typing.length > 0) opts.onTyping?.(typing);
  // Events sent by the bridge's own users (every message it bridges comes back this way) are never acted on:
  // not writing them saves a database write per bridged message (their transaction's id is still written).
  const notOurs = (e: Record<string, unknown>) => typeof e.sender !== "string" || !opts.isOurUser(e.sender);
  const events = all.filter(notOurs);
  const roomEvents = (req.body as { events: unknown[] }).events.length;
  const admission = opts.watch.admit(txnId, roomEvents > 0);
  if (admission !== "accept") return refuseForOlder(opts, now, txnId, all.slice(roomEvents).filter(notOurs), admission, res);
  let fresh: boolean;
  try {
    // One of our own events only is recorded too, as a bare id: the next process's watch starts from the newest id.
    fresh = await opts.inbox.acceptTransaction(txnId, events, now());
  } catch (err) {
    // Not acknowledging is what makes the homeserver retry; nothing is lost.
    log.error("could not record transaction; homeserver will retry", { txnId, events: events.length, error: err });
    return matrixError(res, 500, "M_UNKNOWN", "Could not record the transaction");
  }
  res.json({});
  if (events.length === 0) {
    log.debug("transaction of our own events only", { txnId, events: all.length });
  } else if (fresh) {
    log.debug("transaction recorded", { txnId, events: events.length });
    opts.onTransaction?.();
  } else {
    log.debug("transaction replayed, already recorded", { txnId });
  }
}

/**
 * Refuses a transaction so that the homeserver sends first one it left behind (stranded-transactions.ts). Its room
 * events come again with it; its ephemeral events would not (Synapse resends a transaction without them:
 * get_oldest_unsent_txn), so the receipts are recorded now, under its id (the inbox keeps the room events that
 * come later under a known id).
 */
async function refuseForOlder(
  opts: TransactionOptions,
  now: () => number,
  txnId: string,
  ephemeral: Record<string, unknown>[],
  admission: "refuse" | "recover",
  res: Response,
): Promise<void> {
  log.warn("transaction refused: the homeserver skipped one, and is to send it first", { txnId, first: admission === "recover" });
  if (ephemeral.length > 0 && (await opts.inbox.acceptTransaction(txnId, ephemeral, now()))) opts.onTransaction?.();
  if (admission === "recover") res.once("finish", () => setTimeout(() => opts.onRecovery?.(), RECOVERY_PING_DELAY_MS).unref());
  matrixError(res, 503, "M_UNKNOWN", "Send the older transactions you stored first");
}

/** Ephemeral event types the inbox records; typing goes to `onTyping` unrecorded, presence is not read. */
const KEPT_EPHEMERAL = new Set(["m.receipt"]);
/** Where ephemeral events travel: the stable key (spec v1.13) and MSC2409's unstable one. */
const EPHEMERAL_KEYS = ["ephemeral", "de.sorunome.msc2409.ephemeral"];

const isObject = (e: unknown): e is Record<string, unknown> => typeof e === "object" && e !== null && !Array.isArray(e);

/**
 * The room events, then the kept ephemeral events, of a transaction body; null when it is malformed. A homeserver
 * that knows both ephemeral keys fills both with the same events, so only the first key present is read.
 */
function validEvents(body: unknown): Record<string, unknown>[] | null {
  if (!isObject(body)) return null;
  const events = body.events;
  if (!Array.isArray(events) || !events.every(isObject)) return null;
  const key = EPHEMERAL_KEYS.find((k) => body[k] !== undefined);
  if (key !== undefined && !Array.isArray(body[key])) return null;
  return [...events, ...ephemeralOf(body).filter((e) => KEPT_EPHEMERAL.has(String(e.type)))];
}

/** The ephemeral events of a valid transaction body, from the first key present. */
function ephemeralOf(body: unknown): Record<string, unknown>[] {
  const key = isObject(body) ? EPHEMERAL_KEYS.find((k) => body[k] !== undefined) : undefined;
  const ephemeral = key === undefined ? [] : (body as Record<string, unknown>)[key];
  return Array.isArray(ephemeral) ? ephemeral.filter(isObject) : [];
}

/**
 * The homeserver's credentials: `Authorization: Bearer` (spec v1.4 on), else the legacy `access_token`
 * query parameter. Missing -> 401 M_UNAUTHORIZED, wrong -> 403 M_FORBIDDEN, as the spec asks.
 */
function requireHsToken(hsToken: string): express.RequestHandler {
  const expected = digest(hsToken);
  return (req, res, next) => {
    const given = presentedToken(req);
    if (given === null) return matrixError(res, 401, "M_UNAUTHORIZED", "Missing homeserver token");
    // Hashing first gives equal-length buffers, so timingSafeEqual can compare without leaking the length.
    if (!timingSafeEqual(digest(given), expected)) return matrixError(res, 403, "M_FORBIDDEN", "Bad homeserver token");
    next();
  };
}

function presentedToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : "";
  }
  const query = req.query.access_token;
  return typeof query === "string" ? query : null;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * Errors from reading the request (body-parser, and express decoding the path) carry a 4xx `status`: the request is
 * at fault and gets a 4xx. Anything else is ours: logged, 500. `req.path` carries no query string, so no
 * access_token reaches the log.
 */
function bodyErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const { type, status, code } = err as { type?: unknown; status?: unknown; code?: unknown };
  if (typeof status === "number" && status >= 400 && status < 500) {
    const [errcode, text] = describeClientError(type, code);
    log.warn("appservice request refused", { method: req.method, path: req.path, status, reason: text });
    return matrixError(res, status, errcode, text);
  }
  log.error("appservice request failed", { method: req.method, path: req.path, error: err as Error });
  if (res.headersSent) return next(err);
  matrixError(res, 500, "M_UNKNOWN", "Internal error");
}

function describeClientError(type: unknown, code: unknown): [errcode: string, text: string] {
  if (type === "entity.too.large") return ["M_TOO_LARGE", "Transaction too large"];
  if (type === "entity.parse.failed") return ["M_NOT_JSON", "Body is not valid JSON"];
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR): the body is not what its Content-Encoding says.
  if (typeof code === "string" && code.startsWith("Z_")) return ["M_NOT_JSON", "Body does not decode as its Content-Encoding says"];
  if (type === "encoding.unsupported") return ["M_UNRECOGNIZED", "Unsupported Content-Encoding"];
  if (typeof type === "string") return ["M_BAD_JSON", "Unreadable body"];
  return ["M_INVALID_PARAM", "Malformed request path"];
}

function matrixError(res: Response, status: number, errcode: string, error: string): void {
  res.status(status).json({ errcode, error });
}
