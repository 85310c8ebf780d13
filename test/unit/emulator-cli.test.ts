// The emulators' command lines (emulator/cli-flags.ts): both forms of a value, checked values, and errors that
// name the flag.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FlagError } from "../../emulator/cli-flags";
import { parseArgs as gitterArgs } from "../../emulator/main";
import { parseArgs as mattermostArgs } from "../../emulator/mattermost/main";

describe("emulator command lines", () => {
  it("reads --flag value and --flag=value alike", () => {
    assert.deepEqual(gitterArgs(["--port", "6000", "--control", "--oauth-redirect=http://127.0.0.1:9/cb", "--rate-limit=7"]), {
      fixture: "fixtures/demo.yaml",
      port: 6000,
      control: true,
      oauthRedirectUri: "http://127.0.0.1:9/cb",
      rateLimit: 7,
    });
    assert.deepEqual(mattermostArgs(["--port=8066", "--no-rate-limit", "--rate-burst", "0", "--fixture", "f.yaml", "--state", "w.json"]), {
      fixture: "f.yaml",
      stateFile: "w.json",
      port: 8066,
      rateLimit: false,
      rateBurst: 0,
    });
  });

  it("names the flag whose value is missing or wrong, and refuses unknown flags", () => {
    const refused = (parse: (argv: string[]) => unknown, argv: string[], message: RegExp) =>
      assert.throws(() => parse(argv), (err: unknown) => err instanceof FlagError && message.test(err.message));
    refused(gitterArgs, ["--port", "-1"], /^--port needs a whole number >= 0$/);
    refused(gitterArgs, ["--oauth-redirect", "ftp://x"], /^--oauth-redirect needs an http\(s\) URL$/);
    refused(gitterArgs, ["--fixture", "--control"], /^--fixture needs a value$/);
    refused(mattermostArgs, ["--rate-per-sec=0"], /^--rate-per-sec needs a whole number >= 1$/);
    refused(mattermostArgs, ["--public-url"], /^--public-url needs a value$/);
    refused(mattermostArgs, ["--bogus"], /^unknown flag --bogus$/);
  });
});
