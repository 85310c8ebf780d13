// The Mattermost client's errors on the common base (src/util/errors.ts): whose side failed and whether trying
// again may help, as the command replies and the logs read them (faultOf), the same as for Gitter's errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MattermostApiError, MattermostBadResponseError, MattermostMaybeDeliveredError, MattermostNetworkError,
  MattermostNotFoundError, MattermostTokenInvalidError,
} from "../../src/mattermost/errors";
import { faultOf } from "../../src/util/errors";

const answer = (status: number, bodyText = "") => ({ status, method: "GET", path: "/api/v4/users/me/teams", bodyText });

describe("Mattermost errors as faults", () => {
  it("says a 5xx or 429 is Mattermost's passing trouble, with its status and a sentence for the person", () => {
    for (const status of [429, 500, 503]) {
      const fault = faultOf(new MattermostApiError(answer(status)));
      assert.equal(fault.side, "remote");
      assert.equal(fault.party, "Mattermost");
      assert.equal(fault.transient, true, `${status} is worth waiting out`);
      assert.equal(fault.status, status);
      assert.match(fault.userMessage ?? "", /Mattermost/);
    }
  });

  it("says a refusal is Mattermost's answer to this request, not worth repeating", () => {
    const body = JSON.stringify({ id: "api.context.permissions.app_error", message: "You do not have the appropriate permissions." });
    const refusals = [new MattermostApiError(answer(403, body)), new MattermostNotFoundError(answer(404)), new MattermostTokenInvalidError(answer(401))];
    for (const err of refusals) {
      const fault = faultOf(err);
      assert.deepEqual([fault.side, fault.party, fault.transient, fault.status], ["remote", "Mattermost", false, err.status]);
    }
    assert.equal(faultOf(new MattermostBadResponseError(answer(200), "not JSON")).transient, false);
  });

  it("says an unanswered request and a create that may have landed are passing, the latter with the 5xx it got", () => {
    const unanswered = new MattermostNetworkError("POST", "/api/v4/posts", new Error("ECONNRESET"));
    assert.deepEqual(faultOf(unanswered), { side: "remote", party: "Mattermost", transient: true, userMessage: "Could not reach Mattermost. Please try again later." });
    const maybe = faultOf(new MattermostMaybeDeliveredError(new MattermostApiError(answer(502))));
    assert.deepEqual([maybe.side, maybe.transient, maybe.status], ["remote", true, 502]);
    assert.equal(faultOf(new MattermostMaybeDeliveredError(unanswered)).status, undefined);
  });
});
