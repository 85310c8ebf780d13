"use strict";
// The Matrix SDKs import these names at load time but only use them when encryption is switched on.
// Anything that touches them at run time fails loudly instead of silently doing no encryption.
const fail = (name) => {
  throw new Error(`end-to-end encryption (${name}) is not available in gitter-bridge`);
};
const handler = { get: (_t, name) => (name === "then" ? undefined : fail(String(name))) };
const stubClass = (name) =>
  class {
    constructor() {
      fail(name);
    }
  };
module.exports = new Proxy(
  {},
  {
    get(_t, name) {
      if (name === "__esModule" || name === "then" || typeof name === "symbol") return undefined;
      // Enum-like objects (e.g. RoomId, StoreType) are read as properties; classes are constructed.
      return new Proxy(stubClass(String(name)), handler);
    },
  },
);
