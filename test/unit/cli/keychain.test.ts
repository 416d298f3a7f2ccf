// `coffer vault remember | forget`, the keychain step of unlock, change-passphrase,
// recovery-key and reset-passphrase through the built binary, with a REAL Secret
// Service (gnome-keyring on a private D-Bus session: test/helpers/secret-service.ts)
// and no terminal, as a script on a trusted machine runs them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KDF_ARGS, json, makeTempHome, removeTempHome, runCoffer, type CofferResult } from '../../helpers/cli.js';
import { startSecretService, type SecretService } from '../../helpers/secret-service.js';

const PASSPHRASE = 'correct horse battery staple';
let service: SecretService;
let home: string;
const SERVICE = `coffer-cli-test-${process.pid}`;

beforeAll(async () => {
  service = await startSecretService();
});
afterAll(async () => {
  service?.stop();
  if (home) await removeTempHome(home);
});

function coffer(args: string[], env: Record<string, string> = {}): Promise<CofferResult> {
  return runCoffer(args, { home, cwd: home, env: { ...service.env, COFFER_KEYCHAIN_SERVICE: SERVICE, ...env } });
}

function expectOk(r: CofferResult): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
}

describe('coffer and the OS keychain (real Secret Service)', () => {
  it('remember, then scripts unlock with no passphrase; change-passphrase keeps it; an entry deleted behind our back asks for the passphrase', async () => {
    home = await makeTempHome();
    const withPass = { COFFER_PASSPHRASE: PASSPHRASE };
    expectOk(await coffer(['vault', 'create', ...TEST_KDF_ARGS], withPass));
    expectOk(await coffer(['secret', 'set', '-n', 'db-password', '--value', 'hunter2'], withPass));

    // Before remembering: no terminal, no passphrase → VaultLocked at once (exit 4).
    const locked = await coffer(['secret', 'get', '-n', 'db-password']);
    expect(locked.code).toBe(4);
    expect(locked.stderr).toMatch(/^coffer: error: VaultLocked: No way to unlock/);

    const remembered = await coffer(['vault', 'remember'], withPass);
    expectOk(remembered);
    expect(json(remembered)).toMatchObject({ remembered: true, keychain: 'the OS keychain (Secret Service)' });
    expect(remembered.stderr).toMatch(/unlocks without its passphrase for anyone logged in as you/);
    expect(service.labels(SERVICE)).toEqual([expect.stringMatching(new RegExp(`^keyring:[0-9a-f]{32}\\.[0-9a-f]{16}@${SERVICE}$`))]);

    const got = await coffer(['secret', 'get', '-n', 'db-password']);
    expectOk(got);
    expect(got.stdout.toString()).toBe('hunter2');
    expect(json(await coffer(['vault', 'info']))).toMatchObject({ unlockedWith: 'keychain', remembered: true });

    // `vault remember` itself wants the passphrase, not the keychain.
    expect((await coffer(['vault', 'remember'])).code).toBe(4);

    expectOk(await coffer(['vault', 'change-passphrase'], { ...withPass, COFFER_NEW_PASSPHRASE: 'a new passphrase' }));
    expectOk(await coffer(['secret', 'get', '-n', 'db-password']));
    expect((await coffer(['secret', 'get', '-n', 'db-password'], withPass)).code).toBe(4);

    expect(service.secretTool(['clear', 'service', SERVICE]).status).toBe(0);
    const gone = await coffer(['secret', 'get', '-n', 'db-password']);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/^coffer: error: VaultLocked: The OS keychain \(Secret Service\) no longer holds this vault's key.*No way to unlock/);
    // And the vault is no longer remembered: the next attempt goes straight to "no way to unlock".
    expect(json(await coffer(['vault', 'info'], { COFFER_PASSPHRASE: 'a new passphrase' }))).toMatchObject({ remembered: false, unlockedWith: 'passphrase' });
  });

  it('forget deletes the keychain entry; then the passphrase is needed again', async () => {
    home = await makeTempHome();
    service.secretTool(['clear', 'service', SERVICE]);
    const withPass = { COFFER_PASSPHRASE: PASSPHRASE };
    expectOk(await coffer(['vault', 'create', ...TEST_KDF_ARGS], withPass));
    expectOk(await coffer(['vault', 'remember'], withPass));
    expectOk(await coffer(['vault', 'info']));
    expect(service.labels(SERVICE)).toHaveLength(1);
    const forgot = await coffer(['vault', 'forget']);
    expectOk(forgot);
    expect(json(forgot)).toEqual({ forgotten: true });
    expect(service.labels(SERVICE)).toEqual([]);
    expect((await coffer(['vault', 'info'])).code).toBe(4);
    expect(json(await coffer(['vault', 'forget']))).toEqual({ forgotten: false });
  });

  it('the keychain unavailable (no D-Bus session): remember fails with exit 1; a remembered vault says why and needs the passphrase', async () => {
    home = await makeTempHome();
    const withPass = { COFFER_PASSPHRASE: PASSPHRASE };
    const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/coffer-test-bus' };
    expectOk(await coffer(['vault', 'create', ...TEST_KDF_ARGS], withPass));
    const refused = await coffer(['vault', 'remember'], { ...withPass, ...noBus });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^coffer: error: KeychainUnavailable: The OS keychain \(Secret Service\) cannot be used: .+\n$/);
    expect(refused.stderr).not.toContain('    at ');

    expectOk(await coffer(['vault', 'remember'], withPass));
    const r = await coffer(['vault', 'info'], noBus);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^coffer: error: VaultLocked: The OS keychain \(Secret Service\) cannot be used: .*Unlock with the passphrase\. No way to unlock/);
    // The passphrase still works, and the vault stays remembered for when the keychain is back.
    expect(json(await coffer(['vault', 'info'], { ...noBus, ...withPass }))).toMatchObject({ unlockedWith: 'passphrase', remembered: true });
    expect(json(await coffer(['vault', 'info']))).toMatchObject({ unlockedWith: 'keychain' });
  });

  it('recovery-key create prints a key once; reset-passphrase with it sets a new passphrase', async () => {
    home = await makeTempHome();
    const withPass = { COFFER_PASSPHRASE: PASSPHRASE };
    expectOk(await coffer(['vault', 'create', ...TEST_KDF_ARGS], withPass));
    expectOk(await coffer(['secret', 'set', '-n', 'token', '--value', 'abc'], withPass));
    const created = await coffer(['vault', 'recovery-key', 'create'], withPass);
    expectOk(created);
    const { recoveryKey } = json(created) as { recoveryKey: string };
    expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){8}[0-9A-Z]{4}$/);
    expect(created.stderr).toMatch(/shown only this once/);
    expect(json(await coffer(['vault', 'info'], withPass))).toMatchObject({ recoveryKey: true });

    const mistyped = await coffer(['vault', 'reset-passphrase'], { COFFER_RECOVERY_KEY: recoveryKey.slice(0, -1) + (recoveryKey.endsWith('0') ? '1' : '0'), COFFER_NEW_PASSPHRASE: 'x' });
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toMatch(/BadParameter: The recovery key is mistyped/);
    expect(mistyped.stderr).not.toContain(recoveryKey.slice(0, 9));

    const reset = await coffer(['vault', 'reset-passphrase'], { COFFER_RECOVERY_KEY: recoveryKey.toLowerCase(), COFFER_NEW_PASSPHRASE: 'found again' });
    expectOk(reset);
    expect(json(reset)).toMatchObject({ unlockedWith: 'recoveryKey', recoveryKey: true });
    expect((await coffer(['secret', 'get', '-n', 'token'], withPass)).code).toBe(4);
    expect((await coffer(['secret', 'get', '-n', 'token'], { COFFER_PASSPHRASE: 'found again' })).stdout.toString()).toBe('abc');

    expectOk(await coffer(['vault', 'recovery-key', 'remove'], { COFFER_PASSPHRASE: 'found again' }));
    const none = await coffer(['vault', 'reset-passphrase'], { COFFER_RECOVERY_KEY: recoveryKey, COFFER_NEW_PASSPHRASE: 'y' });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/VaultLocked: This vault has no recovery key/);
  });
});
