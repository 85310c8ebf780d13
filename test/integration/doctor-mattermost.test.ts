// The doctor's Mattermost checks against the Mattermost emulator's real answers: the API refusing a request
// without a token, the OAuth app's authorize page, and what each says when the URL or the app is wrong.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { parseConfig } from "../../src/config/load";
import { createDoctorContext, secretsOf } from "../../src/doctor/context";
import { mattermostApiAnswers, mattermostOAuthAnswers } from "../../src/doctor/checks-mattermost";
import { MM_FIXTURE } from "./mm-emulator-helpers";

const APP = { clientId: "bridgeappbridgeappbridgeap", clientSecret: "bridge-secret" };

describe("doctor on a Mattermost bridge", () => {
  let mm: RunningMmEmulator;

  before(async () => {
    mm = await startMattermostEmulator({ fixture: MM_FIXTURE, rateLimit: false, oauthRedirectUri: "https://bridge.example.org/oauth/callback" });
  });
  after(() => mm?.stop());

  function context(mattermost: Record<string, unknown>) {
    const config = parseConfig(
      YAML.stringify({
        network: "mattermost",
        homeserver: { url: "http://127.0.0.1:1", domain: "example.org" },
        mattermost,
        web: { publicUrl: "https://bridge.example.org" },
      }),
      "/srv/bridge/config.yaml",
    );
    return { config, ctx: createDoctorContext({ config, registration: null, migrationStatus: async () => ({ current: true, applied: [], pending: [] }), from: "cli", timeoutMs: 5000 }) };
  }

  it("finds the API and the OAuth app's page where the config says", async () => {
    const { ctx } = context({ url: mm.url, oauth: APP });
    for (const check of [mattermostApiAnswers, mattermostOAuthAnswers]) {
      const result = await check(ctx);
      assert.equal(result.ok, true, `${result.name}: ${result.detail}`);
    }
  });

  it("says when the URL is not a Mattermost server, or the app is not registered there", async () => {
    const { ctx } = context({ url: `${mm.url}/nothing-here`, oauth: { ...APP, clientId: "x".repeat(26) } });
    const api = await mattermostApiAnswers(ctx);
    assert.equal(api.ok, false);
    assert.match(api.hint ?? "", /mattermost\.url/);
    const oauth = await mattermostOAuthAnswers(context({ url: mm.url, oauth: { ...APP, clientId: "x".repeat(26) } }).ctx);
    assert.equal(oauth.ok, false);
    assert.match(oauth.hint ?? "", /mattermost\.oauth\.clientId/);
  });

  it("passes the login page without an OAuth app (personal access tokens), and keeps the app's secret out of reports", async () => {
    const result = await mattermostOAuthAnswers(context({ url: mm.url }).ctx);
    assert.equal(result.ok, true);
    assert.match(result.detail, /personal access tokens/);
    assert.ok(secretsOf(context({ url: mm.url, oauth: APP }).config, null).includes(APP.clientSecret));
  });
});
