// A no-op homeserver for tests and benchmarks: answers every Client-Server call the bridge makes at once with
// a plausible body and remembers nothing but what was sent, and plays the homeserver's side of the appservice
// API (pushes transactions to the bridge). On plain node:http so its own cost stays small next to the bridge's.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StubSend {
  roomId: string;
  type: string;
  /** The sender the bridge masqueraded as (`?user_id=`). */
  userId: string;
  content: Record<string, unknown>;
  at: number;
}

/** A typing notification the bridge set (PUT /rooms/:room/typing/:user). */
export interface StubTyping {
  roomId: string;
  /** The user in the path, whose typing it is. */
  userId: string;
  typing: boolean;
  timeout?: number;
}

export interface HomeserverStubOptions {
  domain?: string;
  /**
   * Keep every send's content (tests), and answer a send repeating a transaction id with the event it made, as
   * Synapse does; off: only count and call onSend (benchmarks at scale).
   */
  keepSends?: boolean;
  onSend?: (send: StubSend) => void;
  /** An answer to give instead of the route's own (e.g. a 502 to the first pings), or undefined to let it answer. */
  override?: (route: string) => { status: number; body: unknown } | undefined;
  /**
   * Milliseconds to hold a route's answer back (a slow homeserver); 0 or undefined answers at once. An answer
   * still held back when the stub stops is dropped with its connection.
   */
  delayMs?: (route: string, path: string) => number | undefined;
}

export interface HomeserverStub {
  url: string;
  domain: string;
  /** Messages sent through PUT /rooms/:room/send, in arrival order (when keepSends). */
  sends: StubSend[];
  sendCount(): number;
  /** Typing notifications set, in arrival order. */
  typings: StubTyping[];
  /** Requests answered, by route name (register, send, createRoom, ...). */
  counts: Map<string, number>;
  /** Every request's method and path (query left off), in arrival order. */
  requests: string[];
  /**
   * Delivers events to the appservice as one transaction, like the homeserver does; resolves once it
   * answered 200, rejects otherwise. Fills in event_id and origin_server_ts when missing.
   */
  pushTransaction(asUrl: string, hsToken: string, events: Record<string, unknown>[], ephemeral?: Record<string, unknown>[]): Promise<void>;
  /** Waits until `n` sends arrived in total (polls every 5 ms); fails only after `stallMs` without a new one. */
  waitForSends(n: number, stallMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Route = { name: string; method: string; re: RegExp; answer: (m: RegExpExecArray, ctx: Ctx) => unknown };
interface Ctx {
  userId: string;
  body: Record<string, unknown>;
  stub: StubState;
}
interface StubState {
  domain: string;
  nextId: number;
  sends: StubSend[];
  sendCount: number;
  keep: boolean;
  /** Event id made by each send path (room, type, transaction id), when keeping sends. */
  txns: Map<string, string>;
  typings: StubTyping[];
  onSend?: (send: StubSend) => void;
}

const C = "^/_matrix/client/(?:v3|r0)";
const id = (s: StubState, sigil: string) => `${sigil}stub${++s.nextId}:${s.domain}`;

const ROUTES: Route[] = [
  { name: "send", method: "PUT", re: new RegExp(`${C}/rooms/([^/]+)/send/([^/]+)/[^/]+$`), answer: (m, c) => send(c, m[0], decodeURIComponent(m[1]), decodeURIComponent(m[2])) },
  { name: "typing", method: "PUT", re: new RegExp(`${C}/rooms/([^/]+)/typing/([^/]+)$`), answer: (m, c) => typing(c, decodeURIComponent(m[1]), decodeURIComponent(m[2])) },
  { name: "whoami", method: "GET", re: new RegExp(`${C}/account/whoami$`), answer: (_m, c) => ({ user_id: c.userId }) },
  { name: "register", method: "POST", re: new RegExp(`${C}/register$`), answer: (_m, c) => ({ user_id: `@${String(c.body.username)}:${c.stub.domain}` }) },
  { name: "profile", method: "GET", re: new RegExp(`${C}/profile/`), answer: () => notFound() },
  { name: "setProfile", method: "PUT", re: new RegExp(`${C}/profile/`), answer: () => ({}) },
  { name: "createRoom", method: "POST", re: new RegExp(`${C}/createRoom$`), answer: (_m, c) => ({ room_id: id(c.stub, "!") }) },
  { name: "join", method: "POST", re: new RegExp(`${C}/(?:join/([^/]+)|rooms/([^/]+)/join)$`), answer: (m) => ({ room_id: decodeURIComponent(m[1] ?? m[2]) }) },
  { name: "membership", method: "POST", re: new RegExp(`${C}/rooms/[^/]+/(?:invite|leave|kick|ban)$`), answer: () => ({}) },
  { name: "state", method: "PUT", re: new RegExp(`${C}/rooms/[^/]+/(?:state|redact)/`), answer: (_m, c) => ({ event_id: id(c.stub, "$") }) },
  { name: "joinedMembers", method: "GET", re: new RegExp(`${C}/rooms/[^/]+/joined_members$`), answer: () => ({ joined: {} }) },
  { name: "joinedRooms", method: "GET", re: new RegExp(`${C}/joined_rooms$`), answer: () => ({ joined_rooms: [] }) },
  { name: "roomState", method: "GET", re: new RegExp(`${C}/rooms/[^/]+/state$`), answer: () => [] },
  { name: "getEvent", method: "GET", re: new RegExp(`${C}/rooms/[^/]+/event/[^/]+$`), answer: () => notFound() },
  { name: "getState", method: "GET", re: new RegExp(`${C}/rooms/[^/]+/state/`), answer: () => notFound() },
  { name: "accountData", method: "GET", re: new RegExp(`${C}/user/[^/]+/(?:rooms/[^/]+/)?account_data/`), answer: () => notFound() },
  { name: "setAccountData", method: "PUT", re: new RegExp(`${C}/user/[^/]+/(?:rooms/[^/]+/)?account_data/`), answer: () => ({}) },
  { name: "download", method: "GET", re: /^\/_matrix\/(?:client\/v1\/media|media\/v3)\/download\/[^/]+\/[^/]+$/, answer: () => ({ file: "stub" }) },
  { name: "upload", method: "POST", re: /^\/_matrix\/media\/v3\/upload$/, answer: (_m, c) => ({ content_uri: `mxc://${c.stub.domain}/stub${++c.stub.nextId}` }) },
  { name: "versions", method: "GET", re: /^\/_matrix\/client\/versions$/, answer: () => ({ versions: ["v1.1", "v1.11"] }) },
  { name: "ping", method: "POST", re: /^\/_matrix\/client\/v1\/appservice\/[^/]+\/ping$/, answer: () => ({ duration_ms: 1 }) },
];

class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

function notFound(): Answer {
  return new Answer(404, { errcode: "M_NOT_FOUND", error: "Not found" });
}

function send(c: Ctx, path: string, roomId: string, type: string): unknown {
  const s = c.stub;
  // Synapse keys an appservice's transaction ids by the request path (synapse/rest/client/transactions.py).
  const earlier = s.txns.get(path);
  if (earlier) return { event_id: earlier };
  s.sendCount++;
  const record: StubSend = { roomId, type, userId: c.userId, content: c.body, at: Date.now() };
  if (s.keep) s.sends.push(record);
  s.onSend?.(record);
  const eventId = id(s, "$");
  if (s.keep) s.txns.set(path, eventId);
  return { event_id: eventId };
}

function typing(c: Ctx, roomId: string, userId: string): unknown {
  const timeout = typeof c.body.timeout === "number" ? { timeout: c.body.timeout } : {};
  c.stub.typings.push({ roomId, userId, typing: c.body.typing === true, ...timeout });
  return {};
}

export async function startHomeserverStub(opts: HomeserverStubOptions = {}): Promise<HomeserverStub> {
  const state: StubState = { domain: opts.domain ?? "localhost", nextId: 0, sends: [], sendCount: 0, keep: opts.keepSends ?? true, txns: new Map(), typings: [], onSend: opts.onSend };
  const counts = new Map<string, number>();
  const requests: string[] = [];
  // Answers held back by delayMs: stop() drops them, or their timers would keep the test's process alive.
  const held = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? "").split("?")[0]}`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const pathname = new URL(req.url ?? "/", "http://stub").pathname;
      const route = ROUTES.find((r) => r.method === req.method && r.re.test(pathname))?.name ?? "";
      const overridden = route ? opts.override?.(route) : undefined;
      const reply = () => (overridden ? answerOverride(res, route, overridden, counts) : answer(req, res, Buffer.concat(chunks), state, counts));
      const delay = route ? (opts.delayMs?.(route, pathname) ?? 0) : 0;
      if (delay <= 0) return reply();
      const timer = setTimeout(() => {
        held.delete(timer);
        reply();
      }, delay);
      held.add(timer);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let txn = 0;
  const agent = new http.Agent({ keepAlive: true });
  return {
    url,
    domain: state.domain,
    sends: state.sends,
    sendCount: () => state.sendCount,
    typings: state.typings,
    counts,
    requests,
    pushTransaction: (asUrl, hsToken, events, ephemeral) => putTransaction(agent, asUrl, hsToken, `stub-${process.pid}-${Date.now()}-${++txn}`, events, state, ephemeral),
    waitForSends: async (n, stallMs = 30_000) => {
      let seen = state.sendCount;
      let lastProgress = Date.now();
      while (state.sendCount < n) {
        if (state.sendCount !== seen) [seen, lastProgress] = [state.sendCount, Date.now()];
        if (Date.now() - lastProgress > stallMs) throw new Error(`homeserver stub saw ${state.sendCount} sends, expected ${n}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        for (const timer of held) clearTimeout(timer);
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, state: StubState, counts: Map<string, number>): void {
  const url = new URL(req.url ?? "/", "http://stub");
  const route = ROUTES.find((r) => r.method === req.method && r.re.test(url.pathname));
  let status = 200;
  let body: unknown = {};
  if (route) {
    counts.set(route.name, (counts.get(route.name) ?? 0) + 1);
    let parsed: Record<string, unknown> = {};
    if (raw.length > 0 && (req.headers["content-type"] ?? "").includes("json")) parsed = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const out = route.answer(route.re.exec(url.pathname)!, { userId: url.searchParams.get("user_id") ?? "", body: parsed, stub: state });
    if (out instanceof Answer) ({ status, body } = out);
    else body = out;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Answers with an override in place of the route, counting it as an answer of that route. */
function answerOverride(res: http.ServerResponse, route: string, out: { status: number; body: unknown }, counts: Map<string, number>): void {
  counts.set(route, (counts.get(route) ?? 0) + 1);
  const text = JSON.stringify(out.body);
  res.writeHead(out.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function putTransaction(
  agent: http.Agent,
  asUrl: string,
  hsToken: string,
  txnId: string,
  events: Record<string, unknown>[],
  state: StubState,
  ephemeral?: Record<string, unknown>[],
): Promise<void> {
  const now = Date.now();
  const full = events.map((e) => ({ origin_server_ts: now, event_id: id(state, "$"), ...e }));
  const payload = JSON.stringify(ephemeral ? { events: full, ephemeral } : { events: full });
  const target = new URL(`/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`, asUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: "PUT",
        agent,
        headers: { authorization: `Bearer ${hsToken}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`transaction ${txnId}: HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
