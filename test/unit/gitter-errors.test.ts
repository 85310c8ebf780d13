import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  GitterApiError,
  GitterMaybeDeliveredError,
  GitterNetworkError,
  GitterNotFoundError,
  GitterTokenInvalidError,
  isGitterStatus,
  redactSecret,
  userMessageOf,
} from "../../src/gitter/errors";

const details = (status: number, bodyText = "") => ({ status, method: "POST", path: "/v1/rooms/abc/chatMessages", bodyText });

describe("Gitter errors", () => {
  it("give the log the request and body, and the person a short sentence", () => {
    const err = new GitterApiError(details(400, '{"error":"Text is required"}'));
    assert.equal(err.status, 400);
    assert.equal(err.serverMessage, "Text is required");
    assert.match(err.logMessage, /POST \/v1\/rooms\/abc\/chatMessages failed: 400/);
    assert.match(err.logMessage, /Text is required/);
    assert.equal(err.userMessage, "Gitter rejected the request: Text is required");
    assert.equal(err.message, err.logMessage);
    assert.equal(err.name, "GitterApiError");
  });

  it("do not repeat a body that is only the status's reason phrase, as Gitter's are", () => {
    const err = new GitterApiError(details(400, '{"error":"Bad Request"}'));
    assert.equal(err.userMessage, "Gitter rejected the request.");
    const forbidden = new GitterApiError(details(403, '{"error":"Forbidden"}'));
    assert.equal(forbidden.userMessage, "Gitter says you are not allowed to do that.");
    const failed = new GitterApiError(details(500, '{"error":"Internal Server Error","uniqueId":"4f3c"}'));
    assert.equal(failed.userMessage, "Gitter is having trouble right now. Please try again later.");
  });

  it("keep HTML and other non-JSON bodies out of the person's message", () => {
    const err = new GitterApiError(details(503, "<html><body>Bad gateway</body></html>"));
    assert.equal(err.serverMessage, undefined);
    assert.equal(err.userMessage, "Gitter is having trouble right now. Please try again later.");
    assert.doesNotMatch(err.userMessage, /html/);
  });

  it("cut long bodies", () => {
    const err = new GitterApiError(details(500, "x".repeat(10_000)));
    assert.equal(err.bodyText.length, 500);
  });

  it("tell a dead token apart from other failures", () => {
    const err = new GitterTokenInvalidError(details(401, '{"error":"Unauthorized"}'));
    assert.ok(err instanceof GitterApiError);
    assert.equal(err.name, "GitterTokenInvalidError");
    assert.match(err.userMessage, /no longer valid/);
    assert.ok(isGitterStatus(err, 401));
    assert.ok(!isGitterStatus(err, 404));
    assert.ok(!isGitterStatus(new Error("x"), 401));
  });

  it("mark a possibly delivered post and keep its cause", () => {
    const cause = new GitterApiError(details(502));
    const err = new GitterMaybeDeliveredError(cause);
    assert.equal(err.maybeDelivered, true);
    assert.equal(err.cause, cause);
    assert.match(err.logMessage, /502/);
    assert.match(err.userMessage, /may or may not have been posted/);
  });

  it("describe network failures with their low-level code", () => {
    const low = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
    const err = new GitterNetworkError("GET", "/v1/rooms", low);
    assert.match(err.logMessage, /GET \/v1\/rooms failed: TypeError: fetch failed \(ECONNRESET\)/);
    assert.equal(err.userMessage, "Could not reach Gitter. Please try again later.");
  });

  it("give every status a person-facing sentence", () => {
    assert.match(new GitterNotFoundError(details(404)).userMessage, /could not find/);
    assert.match(new GitterApiError(details(403, '{"error":"Only admins may"}')).userMessage, /not allowed.*Only admins may/);
    assert.match(new GitterApiError(details(429)).userMessage, /limiting/);
    assert.match(new GitterApiError(details(418)).userMessage, /unexpected error \(418\)\./);
    assert.equal(userMessageOf(new Error("internal detail")), "Something went wrong while talking to Gitter.");
  });

  it("redact a secret wherever it appears", () => {
    const token = "0123456789abcdef0123456789abcdef01234567";
    assert.equal(redactSecret(`a ${token} b ${token}`, token), "a [redacted] b [redacted]");
    assert.equal(redactSecret("plain", ""), "plain");
    assert.equal(redactSecret("plain", undefined), "plain");
  });
});
