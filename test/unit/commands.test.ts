import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { carriesSecret, dispatch } from "../../src/commands/dispatch";
import { COMMANDS } from "../../src/commands/table";
import { REPORT_HEADING } from "../../src/doctor/report";
import { GitterApiError, GitterTokenInvalidError } from "../../src/gitter/errors";
import { parseGitterTarget } from "../../src/gitter/targets";
import { GITTER_TERMS } from "../../src/gitter/terms";
import { MattermostConnector } from "../../src/mattermost/network";
import { MatrixApiError } from "../../src/matrix/errors";
import { UserFacingError, type CommandContext, type CommandServices, type GitterTarget, type TokenLoginResult } from "../../src/commands/types";

function services(calls: string[], overrides: Partial<CommandServices> = {}): CommandServices {
  const room = { id: "r1", name: "org/room", uri: "org/room", oneToOne: false, open: true };
  return {
    network: { name: "Gitter", terms: GITTER_TERMS },
    offersLinkLogin: () => true,
    loginLink: async () => "https://bridge.example/login?state=abc",
    confirmLogin: async (_m: string, code: string) => (calls.push(`code ${code}`), { kind: "none" }),
    offersTokenLogin: () => true,
    loginWithToken: async () => (calls.push("token"), { kind: "not-offered", network: "Gitter" }),
    logout: async () => "logged-out",
    status: async () => ({ loggedIn: true, gitterUsername: "alice", connection: "connected", portals: 2 }),
    listRooms: async () => [room, { id: "r2", name: "Bob", oneToOne: true, open: false }],
    join: async (_m: string, t: GitterTarget) => (calls.push(`join ${JSON.stringify(t)}`), room),
    part: async (_m: string, t: GitterTarget) => (calls.push(`part ${JSON.stringify(t)}`), room),
    openPortal: async (_m: string, t: GitterTarget) => (calls.push(`open ${JSON.stringify(t)}`), room),
    searchRooms: async (_m: string, q: string) => (calls.push(`search ${q}`), [{ name: "x", uri: "org/x", userCount: 3 }]),
    doctor: async () => (
      calls.push("doctor"),
      [
        { name: "registration matches the config", ok: true, detail: "id \"gitter-bridge\"" },
        { name: "login pages are reachable", ok: false, detail: "no answer <here>", hint: "Start the bridge." },
      ]
    ),
    ...overrides,
  };
}

function ctx(loggedIn: boolean, calls: string[] = [], overrides: Partial<CommandServices> = {}): CommandContext {
  return { mxid: "@u:example.org", permission: "user", loggedIn, services: services(calls, overrides) };
}

function adminCtx(calls: string[] = []): CommandContext {
  return { ...ctx(false, calls), permission: "admin" };
}

describe("command dispatch", () => {
  it("answers unknown commands with a pointer to help", async () => {
    const r = await dispatch(ctx(true), "frobnicate now");
    assert.match(r.text, /Unknown command "frobnicate".*help/);
  });

  it("never quotes back an unknown command that may be a token pasted on its own", async () => {
    for (const secret of ["x4k9q2m7w1e8r5t3y6u0i9o2pa", "0123456789abcdef0123456789abcdef01234567", "ghp_SecretLooking"]) {
      const r = await dispatch(ctx(true), secret);
      assert.equal(r.text, "Unknown command. Send `help` for the list of commands.");
      assert.ok(!r.text.includes(secret));
    }
  });

  it("answers every command with missing or extra arguments with its usage", async () => {
    for (const line of ["gjoin", "gpart", "invite", "search", "gjoin a/b c/d", "list extra"]) {
      const r = await dispatch(ctx(true), line);
      assert.match(r.text, /^Usage: /, line);
    }
  });

  it("finishes a login with `login <code>`, sending only the sender's code, and says how each answer went", async () => {
    const calls: string[] = [];
    const answers = [
      [{ kind: "logged-in", gitterUsername: "alice" }, /^Code accepted: your Matrix account now uses the Gitter account alice\.$/],
      [{ kind: "none" }, /No Gitter login is waiting for a code from your Matrix account.*Send `login`/],
      [{ kind: "wrong", triesLeft: 1 }, /That code is not right\. .*`login <code>` again \(1 try left\)/],
      [{ kind: "wrong", triesLeft: 0 }, /last try: the waiting Gitter login is discarded/],
      [{ kind: "failed" }, /could not be finished.*discarded/],
    ] as const;
    for (const [result, text] of answers) {
      const r = await dispatch(ctx(false, calls, { confirmLogin: async (m, c) => (calls.push(`${m} ${c}`), result) }), "login abcd-efgh");
      assert.match(r.text, text);
    }
    assert.deepEqual(new Set(calls), new Set(["@u:example.org abcd-efgh"]));
    // A code copied with a space instead of its dash is still the code; other words are not.
    const spaced: string[] = [];
    await dispatch(ctx(false, spaced, { confirmLogin: async (_mxid, c) => (spaced.push(c), { kind: "none" }) }), "login ABCD  EFGH");
    assert.deepEqual(spaced, ["ABCD  EFGH"]);
    assert.match((await dispatch(ctx(false), "login a b")).text, /^Usage: login \[code\]/);
    assert.match((await dispatch(ctx(false), "help")).text, /^login \[code\] — .*send it as `login <code>`/m);
    assert.match((await dispatch(ctx(false), "login")).text, /Open this link.*send it here as `login <code>`/);
  });

  it("logs in with `login token <token>`, never quoting the token, and lists it in help only where the network offers it", async () => {
    const TOKEN = "tok3n-s3cret-value";
    const calls: string[] = [];
    const answers: [TokenLoginResult, RegExp][] = [
      [{ kind: "logged-in", network: "Mattermost", username: "alice" }, /^Token accepted: your Matrix account now uses the Mattermost account alice\.$/],
      [{ kind: "not-offered", network: "Gitter" }, /^Gitter offers no token login here\. Send `login` for a link/],
      [{ kind: "refused", network: "Mattermost" }, /^Mattermost did not accept that token .*Nothing was stored\.$/],
      [{ kind: "unavailable", network: "Mattermost" }, /^Could not ask Mattermost about that token just now\./],
    ];
    for (const [result, text] of answers) {
      const r = await dispatch(ctx(false, calls, { loginWithToken: async (m, t) => (calls.push(`${m} ${t}`), result) }), `!Login TOKEN ${TOKEN}`);
      assert.match(r.text, text);
      assert.ok(!r.text.includes(TOKEN));
    }
    assert.deepEqual(new Set(calls), new Set([`@u:example.org ${TOKEN}`]));
    for (const line of ["login token", `login token ${TOKEN} extra`]) {
      const r = await dispatch(ctx(false), line);
      assert.match(r.text, /^Usage: login token <token> — /, line);
      assert.ok(!r.text.includes(TOKEN), line);
    }
    assert.ok(carriesSecret(`login token ${TOKEN}`) && carriesSecret(`  !LOGIN Token ${TOKEN} x`) && carriesSecret("login token"));
    assert.ok(!carriesSecret("login ABCD-EFGH") && !carriesSecret("login") && !carriesSecret("help"));
    assert.match((await dispatch(ctx(false), "help")).text, /^login token <token> — /m);
    assert.doesNotMatch((await dispatch(ctx(false, [], { offersTokenLogin: () => false }), "help")).text, /login token/);
  });

  it("asks for login before commands that need it", async () => {
    const calls: string[] = [];
    const r = await dispatch(ctx(false, calls), "gjoin org/room");
    assert.match(r.text, /log in first/);
    assert.deepEqual(calls, []);
  });

  it("parses targets before calling the bridge and rejects bad ones with a reason", async () => {
    const calls: string[] = [];
    assert.match((await dispatch(ctx(true, calls), "gjoin https://gitter.im/org/room")).text, /Joined org\/room/);
    assert.match((await dispatch(ctx(true, calls), "gjoin https://example.com/org/room")).text, /not a Gitter link/);
    assert.match((await dispatch(ctx(true, calls), "gpart org/ro om")).text, /^Usage/);
    assert.match((await dispatch(ctx(true, calls), "invite <script>")).text, /not a Gitter room or username/);
    assert.deepEqual(calls, ['join {"kind":"room","uri":"org/room"}']);
  });

  it("answers a Gitter link whose %-escapes do not decode with the reason, not as a failure", async () => {
    const calls: string[] = [];
    for (const line of ["gjoin https://gitter.im/%E0%A4%A", "gpart gitter.im/org/%ZZ", "invite https://gitter.im/org/%C3%28"]) {
      const r = await dispatch(ctx(true, calls), line);
      assert.match(r.text, /That does not look right: ".*" is not a valid link \(a broken %-escape\)/, line);
    }
    assert.deepEqual(calls, []);
  });

  it("shows a person-facing error as is, and hides other failures behind an apology", async () => {
    const failing = ctx(true, [], {
      join: async () => {
        throw new UserFacingError("There is no Gitter room org/nope.");
      },
      listRooms: async () => {
        throw new Error("ECONNRESET at 10.0.0.1 with internal details");
      },
    });
    assert.equal((await dispatch(failing, "gjoin org/nope")).text, "There is no Gitter room org/nope.");
    const r = await dispatch(failing, "list");
    assert.match(r.text, /failed on the bridge's side/);
    assert.doesNotMatch(r.text, /ECONNRESET|10\.0\.0\.1/);
  });

  it("says whose side failed and whether to retry, from the error's fault and never its text", async () => {
    const secret = "tok3n".repeat(8);
    const failing = (err: Error) => ctx(true, [], { listRooms: async () => Promise.reject(err) });
    const gitter404 = new GitterApiError({ status: 404, method: "GET", path: "/v1/rooms", bodyText: `{"error":"${secret}"}` });
    assert.equal((await dispatch(failing(gitter404), "list")).text, "Sorry, `list` did not work: Gitter could not find that room, user or message.");
    const revoked = new GitterTokenInvalidError({ status: 401, method: "GET", path: "/v1/rooms", bodyText: secret });
    assert.match((await dispatch(failing(revoked), "list")).text, /Gitter login is no longer valid/);
    const limited = new GitterApiError({ status: 429, method: "GET", path: "/v1/rooms", bodyText: secret });
    assert.equal((await dispatch(failing(limited), "list")).text, "Sorry, `list` did not work: Gitter is limiting how fast the bridge may ask (429). Try again in a minute.");
    const hsDown = new MatrixApiError({ errcode: "M_UNKNOWN", status: 502, method: "POST", path: "/invite", error: secret });
    assert.equal((await dispatch(failing(hsDown), "list")).text, "Sorry, `list` did not work: The homeserver is not answering at the moment (502). Try again in a moment.");
    const hsGone = new MatrixApiError({ errcode: "M_CONNECTION_FAILED", status: 0, method: "POST", path: "/invite", error: secret });
    assert.match((await dispatch(failing(hsGone), "list")).text, /The homeserver is not answering at the moment\. Try again/);
    const hsRefused = new MatrixApiError({ errcode: "M_FORBIDDEN", status: 403, method: "POST", path: "/invite", error: secret });
    assert.equal((await dispatch(failing(hsRefused), "list")).text, "Sorry, `list` did not work: The homeserver refused it (403).");
    for (const err of [gitter404, revoked, limited, hsDown, hsGone, hsRefused]) {
      assert.doesNotMatch((await dispatch(failing(err), "list")).text, /tok3n/);
    }
  });

  it("lists rooms with * for those open in Matrix", async () => {
    const r = await dispatch(ctx(true), "list");
    assert.match(r.text, /^\* org\/room$/m);
    assert.match(r.text, /^ {2}Bob \(one-to-one\)$/m);
  });

  it("search takes the rest of the line", async () => {
    const calls: string[] = [];
    await dispatch(ctx(true, calls), "search  matrix bridges ");
    assert.deepEqual(calls, ["search matrix bridges"]);
  });

  it("help lists every command from the table, and ignores case and a leading !", async () => {
    const r = await dispatch(adminCtx(), "!HELP");
    for (const c of COMMANDS) assert.ok(r.text.includes(c.name), c.name);
  });

  it("hides admin commands from everyone else, in help and when called", async () => {
    const calls: string[] = [];
    assert.doesNotMatch((await dispatch(ctx(true, calls), "help")).text, /doctor/);
    assert.match((await dispatch(ctx(true, calls), "doctor")).text, /^Unknown command "doctor"/);
    assert.deepEqual(calls, []);
  });

  it("runs doctor for an admin: one line per check, a fix under each failure, escaped HTML", async () => {
    const calls: string[] = [];
    const r = await dispatch(adminCtx(calls), "doctor");
    assert.deepEqual(calls, ["doctor"]);
    assert.equal(
      r.text,
      [
        REPORT_HEADING,
        'OK   registration matches the config: id "gitter-bridge"',
        "FAIL login pages are reachable: no answer <here>",
        "     fix: Start the bridge.",
        "1 of 2 checks failed.",
      ].join("\n"),
    );
    assert.match(r.html ?? "", /<strong>FAIL<\/strong> login pages are reachable: no answer &#60;here&#62;<br>fix: Start the bridge\./);
  });

  it("refuses absurdly long lines without crashing", async () => {
    const r = await dispatch(ctx(true), "gjoin " + "a".repeat(5000));
    assert.match(r.text, /too long/);
  });
});

describe("commands on a Mattermost bridge", () => {
  const network = { name: "Mattermost", terms: new MattermostConnector({ serverUrl: "https://chat.example.com" }).terms, searchesUsers: true };
  const mm = (calls: string[] = [], overrides: Partial<CommandServices> = {}) => ctx(true, calls, { network, ...overrides });

  it("takes Mattermost's targets, parsed by the network, under `join` and `part` as under gjoin and gpart", async () => {
    const calls: string[] = [];
    for (const line of ["join acme/dev", "gjoin https://chat.example.com/acme/channels/dev", "part @bob", "gpart https://chat.example.com/acme/messages/@bob", "invite Acme/Dev"]) {
      await dispatch(mm(calls), line);
    }
    const dev = '{"kind":"room","uri":"acme/dev"}';
    const bob = '{"kind":"user","username":"bob"}';
    assert.deepEqual(calls, [`join ${dev}`, `join ${dev}`, `part ${bob}`, `part ${bob}`, `open ${dev}`]);
    assert.match((await dispatch(mm(calls), "join https://gitter.im/org/room")).text, /^That does not look right: ".*" is not a link to chat\.example\.com\.$/);
    assert.equal(calls.length, 5);
  });

  it("speaks of Mattermost channels, direct messages, `join` and `part`, never of Gitter", async () => {
    const answers = [
      (await dispatch(mm(), "help")).text,
      (await dispatch(mm(), "join")).text,
      (await dispatch(mm(), "list")).text,
      (await dispatch(mm([], { listRooms: async () => [] }), "list")).text,
      (await dispatch(mm([], { searchUsers: async () => [{ username: "xena", displayName: "Xena W" }, { username: "xu", displayName: "xu" }] }), "search x")).text,
      (await dispatch(mm(), "part acme/dev")).text,
      (await dispatch(mm(), "logout")).text,
      (await dispatch(mm([], { listRooms: async () => Promise.reject(new Error("down")) }), "list")).text,
    ];
    assert.match(answers[0], /^join <channel\|username> — Join a Mattermost channel \(team\/channel or a channel link\), or start a direct message with a username\.$/m);
    assert.match(answers[1], /^Usage: join <channel\|username> — Join a Mattermost channel/);
    assert.match(answers[2], /^Your Mattermost channels \(\* = open in Matrix\):\n.*\n {2}Bob \(direct message\)$/);
    assert.equal(answers[3], "You are not in any Mattermost channel yet. Try `join team/channel`.");
    assert.equal(answers[4], 'Mattermost channels matching "x":\norg/x (3 people)\nJoin one with `join <channel>`.\nPeople on Mattermost matching "x":\n@xena (Xena W)\n@xu\nStart a direct message with `join @<username>`.');
    assert.equal(answers[5], "Left org/room on Mattermost.");
    assert.equal(answers[6], "You are logged out. Your token is forgotten and your Mattermost channels are no longer bridged.");
    assert.match(answers[7], /^Sorry, `list` failed/);
    for (const text of answers) assert.doesNotMatch(text, /Gitter|gjoin|gpart/);
  });

  it("tells how to log in by the ways the network offers: the token alone, or the link and the token", async () => {
    const tokenOnly = await dispatch(mm([], { offersLinkLogin: () => false }), "login");
    assert.equal(tokenOnly.text, "To log in, make a personal access token in Mattermost (Profile > Security > Personal Access Tokens) and send it here as `login token <token>`. Logging in again replaces your current Mattermost login.");
    assert.match(tokenOnly.html ?? "", /<code>login token &lt;token&gt;<\/code>/);
    assert.match((await dispatch(mm([], { offersLinkLogin: () => false }), "help")).text, /^login \[code\] — Say how to log in with your Mattermost account\.$/m);
    const both = await dispatch(mm(), "login");
    assert.match(both.text, /^Open this link to log in with Mattermost .*: https:\/\/bridge\.example\/login\?state=abc After Mattermost, .* Or make a personal access token in Mattermost/);
    const none = await dispatch(mm([], { offersLinkLogin: () => false, offersTokenLogin: () => false }), "login");
    assert.match(none.text, /offers no way to log in to Mattermost/);
  });
});

describe("parseGitterTarget", () => {
  const cases: Array<[string, GitterTarget | null]> = [
    ["org/room", { kind: "room", uri: "org/room" }],
    ["gitterHQ/gitter", { kind: "room", uri: "gitterHQ/gitter" }],
    ["https://gitter.im/org/room", { kind: "room", uri: "org/room" }],
    ["gitter.im/org/room/", { kind: "room", uri: "org/room" }],
    ["https://gitter.im/org/room?source=orgpage", { kind: "room", uri: "org/room" }],
    ["org/repo/channel", { kind: "room", uri: "org/repo/channel" }],
    ["bob", { kind: "user", username: "bob" }],
    ["@bob", { kind: "user", username: "bob" }],
    ["https://gitter.im/bob", { kind: "user", username: "bob" }],
    ["", null],
    ["a/b/c/d", null],
    ["@bob/room", null],
    ["https://evil.example/org/room", null],
    ["org/../etc", null],
    ["héllo/room", null],
    ["https://gitter.im/%E0%A4%A", null],
    ["https://gitter.im/org%2Froom", { kind: "room", uri: "org/room" }],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${want ? JSON.stringify(want) : "error"}`, () => {
      const got = parseGitterTarget(input);
      if (want) assert.deepEqual(got, { ok: true, target: want });
      else assert.equal(got.ok, false);
    });
  }
});
