// Label values come from bounded sets the bridge defines: no room ids, no errcodes a homeserver made up. A label
// set that grows with rooms or with whatever a server sends makes a Prometheus series per value, without end.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GitterApiError } from "../../src/gitter/errors";
import { MatrixApiError } from "../../src/matrix/errors";
import { toNetworkError } from "../../src/gitter/network-convert";
import { BridgeMetrics, failureReason } from "../../src/metrics";
import { NetworkError } from "../../src/network/errors";
import { parseMetrics, sample } from "../harness/prom";

function matrixError(errcode: string): MatrixApiError {
  return new MatrixApiError({ errcode, status: 400, method: "PUT", path: "/_matrix/client/v3/rooms/x/send" });
}

describe("metric labels", () => {
  it("keeps spec errcodes and folds any other into matrix_other", () => {
    assert.equal(failureReason(matrixError("M_FORBIDDEN")), "matrix_M_FORBIDDEN");
    assert.equal(failureReason(matrixError("M_CONNECTION_FAILED")), "matrix_M_CONNECTION_FAILED");
    assert.equal(failureReason(matrixError("ORG_EXAMPLE_ROOM_!abc:evil")), "matrix_other");
    assert.equal(failureReason(matrixError('M_"}\nfake 1')), "matrix_other");
  });

  it("keeps Gitter HTTP statuses within 100-599", () => {
    const gitter = (status: number) => new GitterApiError({ status, method: "GET", path: "/v1/rooms", bodyText: "" });
    assert.equal(failureReason(gitter(503)), "gitter_http_503");
    assert.equal(failureReason(gitter(0)), "gitter_http_other");
  });

  it("labels a network's error as the Gitter error under it, else by its kind", () => {
    const gitter = new GitterApiError({ status: 403, method: "POST", path: "/v1/rooms/x/chatMessages", bodyText: "" });
    assert.equal(failureReason(toNetworkError(gitter)), "gitter_http_403");
    assert.equal(failureReason(new NetworkError("maybe-delivered", "Mattermost", "POST /api/v4/posts: no answer")), "network_maybe_delivered");
    assert.equal(failureReason(new NetworkError("token-invalid", "Mattermost", "401", { cause: new Error("x") })), "network_token_invalid");
  });

  it("reports queues per queue only, never per room", async () => {
    const metrics = new BridgeMetrics({ processMetrics: false });
    const rooms = new Map([["!secret-room:localhost", 3], ["!other:localhost", 1]]);
    metrics.attach({
      sessionStates: () => new Map([["connected", 1]]),
      roomsCatchingUp: () => 0,
      queueDepths: () => ({ portal: rooms, inbox: new Map() }),
      inboxPending: async () => 0,
    });
    const text = await metrics.render();
    assert.doesNotMatch(text, /secret-room|!other/);
    const parsed = parseMetrics(text);
    assert.equal(sample(parsed, "gitter_bridge_queue_size", { queue: "portal" }), 4);
    assert.equal(sample(parsed, "gitter_bridge_queue_max_depth", { queue: "portal" }), 3);
    assert.equal(sample(parsed, "gitter_bridge_queue_busy_rooms", { queue: "portal" }), 2);
    assert.equal(sample(parsed, "gitter_bridge_queue_max_depth", { queue: "inbox" }), 0);
    for (const key of parsed.keys()) assert.doesNotMatch(key, /room=/, key);
  });
});
