// `doctor`: a list of small checks of a bridge's setup, run from the command line or by the bridge itself.
import { bridgeReachesHomeserver, homeserverReachesBridge, namespacesExclusive, registrationMatchesConfig } from "./checks-matrix";
import { gitterApiAnswers, gitterOAuthAnswers, gitterRealtimeAnswers } from "./checks-gitter";
import { mattermostApiAnswers, mattermostOAuthAnswers } from "./checks-mattermost";
import { migrationsCurrent, publicUrlReachable } from "./checks-local";
import { createDoctorContext, secretsOf, type DoctorSetup } from "./context";
import { redactResults } from "./report";
import type { BridgeConfig } from "../config/types";
import type { Check, CheckResult, DoctorContext } from "./types";

export type { Check, CheckResult, DoctorContext } from "./types";
export type { DoctorSetup } from "./context";

/** In report order: a Gitter bridge's checks. */
export const CHECKS: readonly Check[] = [
  registrationMatchesConfig,
  namespacesExclusive,
  bridgeReachesHomeserver,
  homeserverReachesBridge,
  migrationsCurrent,
  gitterApiAnswers,
  gitterRealtimeAnswers,
  gitterOAuthAnswers,
  publicUrlReachable,
];

/** A Mattermost bridge's checks: the same, with Mattermost's endpoints in place of Gitter's. */
export const MATTERMOST_CHECKS: readonly Check[] = [
  registrationMatchesConfig,
  namespacesExclusive,
  bridgeReachesHomeserver,
  homeserverReachesBridge,
  migrationsCurrent,
  mattermostApiAnswers,
  mattermostOAuthAnswers,
  publicUrlReachable,
];

/** The checks for the network the config serves. */
export function checksFor(config: BridgeConfig): readonly Check[] {
  return config.network === "mattermost" ? MATTERMOST_CHECKS : CHECKS;
}

/**
 * Runs every check side by side and resolves with their results in the list's order. Never rejects: a check
 * that throws or hangs past twice the probe timeout is reported as failed.
 */
export function runDoctor(ctx: DoctorContext, checks: readonly Check[] = checksFor(ctx.config)): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => guarded(check, ctx)));
}

async function guarded(check: Check, ctx: DoctorContext): Promise<CheckResult> {
  const name = check.name || "check";
  let timer: NodeJS.Timeout | undefined;
  const limit = ctx.timeoutMs * 2;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ name, ok: false, detail: `did not finish within ${limit / 1000} s`, hint: "Run doctor again." }), limit);
  });
  try {
    return await Promise.race([check(ctx), timeout]);
  } catch (err) {
    return { name, ok: false, detail: `the check failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** The checks on real parts, as one call that may be repeated; its results never show a secret of the setup. */
export function doctorOn(setup: DoctorSetup): () => Promise<CheckResult[]> {
  const ctx = createDoctorContext(setup);
  const secrets = secretsOf(setup.config, setup.registration);
  return async () => redactResults(await runDoctor(ctx), secrets);
}
