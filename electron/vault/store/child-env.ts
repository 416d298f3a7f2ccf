/**
 * The environment Coffer gives every process it starts (git, dbus-monitor,
 * prlimit...): VAULT-MODEL V9 says no passphrase reaches a child process's
 * environment, and `$COFFER_PASSPHRASE` and its siblings would otherwise be
 * inherited by every child, and by everything those children run in turn.
 */

/** Coffer's own variables: COFFER_PASSPHRASE, COFFER_IDENTITY_PASSPHRASE, COFFER_RECOVERY_KEY... */
const COFFER_VARIABLE = /^COFFER_/i;

/** A copy of `env` without any variable whose name starts with `COFFER_` (any case); `env` is not changed. */
export function childProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !COFFER_VARIABLE.test(name)) copy[name] = value;
  }
  return copy;
}
