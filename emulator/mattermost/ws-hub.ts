// The websocket hub: every connection of every user, the seq of each event sent on it, and the reconnect rules.
// Each connection numbers its events from 0 (the hello); the last 128 sent stay in a dead queue, and events for a
// dropped connection wait in its send queue (up to 256) while it may come back. A reconnect with connection_id
// and sequence_number resumes it: from the dead queue when that seq is there, with nothing replayed when the client
// has everything, and with a new connection_id and a fresh hello (seq 0) when events were lost.
// mattermost/mattermost server/channels/app/platform/web_conn.go (deadQueueSize, sendQueueSize, writePump,
// isInDeadQueue, hasMsgLoss, PopulateWebConnConfig), web_hub.go (Register, broadcast, inactive connections)
import { newId } from "./ids";
import type { MmState } from "./state";
import type { WsEvent } from "./types";
import type { WsConnection } from "./ws-frame";

export const DEAD_QUEUE_SIZE = 128;
export const SEND_QUEUE_SIZE = 256;

type Sent = WsEvent & { seq: number };

export class WebConn {
  connectionId = newId();
  sequence = 0;
  deadQueue: Sent[] = [];
  pending: WsEvent[] = [];
  socket?: WsConnection;
  inactiveSince = 0;

  constructor(
    public userId: string,
    public token: string,
  ) {}

  /** Numbers and writes an event, or queues it while the connection is away. */
  deliver(ev: WsEvent): boolean {
    if (!this.socket?.isOpen) {
      this.pending.push(ev);
      return this.pending.length <= SEND_QUEUE_SIZE;
    }
    const sent: Sent = { ...ev, seq: this.sequence++ };
    this.deadQueue.push(sent);
    if (this.deadQueue.length > DEAD_QUEUE_SIZE) this.deadQueue.shift();
    this.socket.send(JSON.stringify(sent));
    return true;
  }

  hello(): void {
    this.deliver({ event: "hello", data: { connection_id: this.connectionId, server_version: "10.5.0.emulator" }, broadcast: { omit_users: null, user_id: this.userId, channel_id: "", team_id: "" } });
  }

  flushPending(): void {
    const queued = this.pending;
    this.pending = [];
    for (const ev of queued) this.deliver(ev);
  }
}

export class Hub {
  readonly conns = new Set<WebConn>();
  /** How long a dropped connection may be resumed. */
  inactiveTtlMs = 5 * 60 * 1000;

  constructor(private readonly state: MmState) {
    state.on("ws", (ev: WsEvent) => this.broadcast(ev));
    state.on("revoked", (token: string) => {
      for (const c of this.conns) if (c.token === token) c.socket?.close(1000, "session revoked");
    });
  }

  /** Registers a newly authenticated connection; resumes one when asked and possible. */
  register(userId: string, token: string, socket: WsConnection, resume?: { connectionId: string; seq: number }): WebConn {
    this.reap();
    const old = resume && [...this.conns].find((c) => c.connectionId === resume.connectionId && c.userId === userId && !c.socket?.isOpen);
    if (!old || !resume) {
      // api4/websocket.go connectWebSocket + web_hub.go Register: a fresh connection says hello first.
      const conn = new WebConn(userId, token);
      conn.socket = socket;
      this.conns.add(conn);
      conn.hello();
      return conn;
    }
    old.socket = socket;
    old.token = token;
    old.inactiveSince = 0;
    const at = old.deadQueue.findIndex((e) => e.seq === resume.seq);
    if (resume.seq !== 0 && at >= 0) {
      // web_conn.go drainDeadQueue: resend what the client may not have had.
      for (const e of old.deadQueue.slice(at)) socket.send(JSON.stringify(e));
    } else if (resume.seq !== 0 && resume.seq !== old.sequence) {
      // web_conn.go hasMsgLoss: a new connection id, seq back to 0, a hello.
      old.deadQueue = [];
      old.connectionId = newId();
      old.sequence = 0;
      old.hello();
    }
    old.flushPending();
    return old;
  }

  /** The socket went away: keep the connection for a while so it can be resumed. */
  dropped(conn: WebConn): void {
    if (conn.socket?.isOpen) return;
    conn.inactiveSince = Date.now();
  }

  /** Closes every socket (optionally only a user's); `forget` also drops them so a resume gets a new id. */
  cut(userId?: string, forget = false): number {
    let n = 0;
    for (const c of [...this.conns]) {
      if (userId && c.userId !== userId) continue;
      if (c.socket?.isOpen) n++;
      c.socket?.terminate();
      c.inactiveSince = Date.now();
      if (forget) this.conns.delete(c);
    }
    return n;
  }

  openCount(userId?: string): number {
    return [...this.conns].filter((c) => c.socket?.isOpen && (!userId || c.userId === userId)).length;
  }

  private reap(): void {
    const now = Date.now();
    for (const c of this.conns) if (c.inactiveSince && now - c.inactiveSince > this.inactiveTtlMs) this.conns.delete(c);
  }

  /** web_conn.go ShouldSendEvent: to a user, or to a channel's members, minus omit_users. */
  private broadcast(ev: WsEvent): void {
    const b = ev.broadcast;
    for (const c of [...this.conns]) {
      if (b.omit_users?.[c.userId]) continue;
      if (b.user_id && b.user_id !== c.userId) continue;
      if (b.channel_id && !this.state.member(b.channel_id, c.userId)) continue;
      if (b.team_id && !this.state.teamMembers.get(b.team_id)?.has(c.userId)) continue;
      // web_hub.go: a send queue that overflows closes and removes the connection.
      if (!c.deliver(ev)) {
        c.socket?.terminate();
        this.conns.delete(c);
      }
    }
  }
}
