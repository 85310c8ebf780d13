// `gitter-bridge --doctor`: checks the setup beside a bridge that may or may not be running, prints one line
// per check and resolves to the exit code (0 all passed, 1 otherwise).
import type { BridgeConfig } from "../config/types";
import { ConfigError } from "../config/load";
import { loadRegistration, type Registration } from "../config/registration";
import { readMigrationStatus } from "../store/knex-store";
import { doctorOn } from "./index";
import { formatReport, REPORT_HEADING } from "./report";

export async function runDoctorCli(config: BridgeConfig, write: (text: string) => void): Promise<number> {
  let registration: Registration | null = null;
  let registrationError: string | undefined;
  try {
    registration = loadRegistration(config.appservice.registration);
  } catch (err) {
    registrationError = err instanceof ConfigError ? `${err.file}: ${err.errors.join("; ")}` : String(err);
  }
  const check = doctorOn({
    config,
    registration,
    registrationError,
    migrationStatus: () => readMigrationStatus(config.database),
    from: "cli",
  });
  const results = await check();
  write(`${formatReport(results, REPORT_HEADING)}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
