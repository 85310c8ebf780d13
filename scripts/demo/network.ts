// The network side of the demo: the emulator it runs (Gitter's by default, Mattermost's with --network mattermost),
// the bridge's OAuth app there, the bot's id and the banner in that network's words.
import path from "node:path";
import { loadFixture, type FixtureApp } from "../../emulator/fixture";
import { loadFixture as loadMmFixture } from "../../emulator/mattermost/fixture";
import { startMattermostEmulator } from "../../emulator/mattermost/server";
import { startEmulator } from "../../emulator/server";
import { readyBanner } from "./banner";
import { mattermostBanner } from "./banner-mattermost";
import { DOMAIN, emulatorStateFile } from "./files";
import type { DemoOptions } from "./options";
import type { Report, Teardown } from "./teardown";

/** What every banner shows besides the network's part. */
export interface BannerBase {
  homeserverUrl: string;
  userId: string;
  localpart: string;
  password: string;
  webUrl: string;
  bridgeLog: string;
  synapseLog: string;
}

export interface DemoNetworkSide {
  /** The bridge's OAuth app on the emulator, its redirect on this run's web port. */
  app: { clientId: string; clientSecret: string };
  /** Starts the emulator (its stop registered on `teardown`); resolves with its URL. */
  start(teardown: Teardown): Promise<string>;
  banner(base: BannerBase, url: string): string;
}

/** Loads the network's fixture; throws FixtureError when it is wrong. */
export function demoNetwork(opts: DemoOptions, progress: Report): DemoNetworkSide {
  const redirectUri = `http://127.0.0.1:${opts.ports.web}/oauth/callback`;
  const name = path.basename(opts.fixture);
  if (opts.network === "mattermost") {
    const fixture = loadMmFixture(opts.fixture);
    const app = firstApp(fixture.oauthApps);
    return {
      app,
      start: async (teardown) => {
        progress(`starting the Mattermost emulator on http://127.0.0.1:${opts.ports.mattermost} (${name}${kept(opts)})`);
        const stateFile = opts.keep ? emulatorStateFile(opts.dir, "mattermost") : undefined;
        const emulator = await startMattermostEmulator({ fixture, port: opts.ports.mattermost, control: true, oauthRedirectUri: redirectUri, stateFile });
        await teardown.add("the Mattermost emulator", () => emulator.stop());
        return emulator.url;
      },
      banner: (base, url) => mattermostBanner({ ...base, bot: `@mattermost:${DOMAIN}`, mattermostUrl: url, fixture }),
    };
  }
  const fixture = loadFixture(opts.fixture);
  const app: FixtureApp = firstApp(fixture.oauthApps);
  app.redirectUri = redirectUri;
  return {
    app,
    start: async (teardown) => {
      progress(`starting the Gitter emulator on http://127.0.0.1:${opts.ports.gitter} (${name}${kept(opts)})`);
      const stateFile = opts.keep ? emulatorStateFile(opts.dir, "gitter") : undefined;
      const emulator = await startEmulator({ fixture, port: opts.ports.gitter, control: true, stateFile });
      await teardown.add("the Gitter emulator", () => emulator.stop());
      return emulator.url;
    },
    banner: (base, url) => readyBanner({ ...base, bot: `@gitter:${DOMAIN}`, gitterUrl: url, fixture }),
  };
}

/** Where the progress line says the world is kept, with --keep. */
function kept(opts: DemoOptions): string {
  return opts.keep ? `, world kept in ${path.basename(emulatorStateFile(opts.dir, opts.network))}` : "";
}

/** The fixture's first OAuth app (the fixture names the bridge's redirect on port 9899). */
function firstApp<A>(apps: A[] | undefined): A {
  const app = apps?.[0];
  if (!app) throw new Error("the demo fixture has no oauthApps entry for the bridge");
  return app;
}
