/**
 * The Keys screens as a person uses them: the navigation from Secrets to
 * Keys, creating keys (RSA, EC, AES) and importing one made by OpenSSL,
 * the detail with its public key (copied as PEM, which OpenSSL then reads),
 * the Use key panel (encrypt then decrypt, sign then verify, AES-GCM with its
 * IV and tag), the rotation policy editor, Rotate now (the new version first
 * and marked current), delete and recover. Real main handlers and engine,
 * the built renderer in Chromium; each screen passes axe (screenshots in
 * test-results/e2e/keys-*.png), in light and dark.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L, shortVersion } from '../../renderer/app/labels.js';
import { checkScreen, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
const PLAINTEXT = 'attack at dawn, keys-e2e-5f2c';
const UI_TIMEOUT = 15_000;

let app: App;
let page: Page;
let work: string;

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const field = (scope: Locator | Page, label: string): Locator => scope.getByLabel(label, { exact: true }).first();
const button = (scope: Locator | Page, name: string): Locator => scope.getByRole('button', { name, exact: true });
const dialog = (name: string): Locator => page.getByRole('dialog', { name, exact: true });
const visible = (l: Locator): Promise<void> => l.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
const hidden = (l: Locator): Promise<void> => l.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
const keysList = (): Locator => page.getByRole('listbox', { name: L.keysList, exact: true });


function openssl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function versionsOf(name: string): Promise<string[]> {
  const r = await app.call('keys:listVersions', { name });
  if (!r.ok) throw new Error(`listVersions ${name}: ${r.code} ${r.message}`);
  return r.value.map((v) => v.kid.split('/').pop() ?? '');
}

async function createKey(name: string, type: string, shape?: string): Promise<Locator> {
  await button(page, L.newKeyButton).click();
  const d = dialog(L.newKeyDialog);
  await visible(d);
  await field(d, L.fieldName).fill(name);
  await field(d, L.fieldKeyType).selectOption(type);
  if (shape !== undefined) await field(d, type === 'EC' ? L.fieldCurve : L.fieldKeySize).selectOption(shape);
  await button(d, L.createKeyConfirm).click();
  await hidden(d);
  const detail = region(L.keyDetailRegion(name));
  await visible(detail);
  return detail;
}

/** Opens the Use key panel of the key's current version. */
async function usePanel(name: string): Promise<Locator> {
  const [current] = (await versionsOf(name)).slice(-1);
  const short = shortVersion(current!);
  const detail = region(L.keyDetailRegion(name));
  await button(detail, L.useKeyVersion(short)).click();
  const panel = region(L.useKeyRegion(name, short));
  await visible(panel);
  return panel;
}

async function run(panel: Locator, op: string): Promise<void> {
  await button(panel, L.operationNames[op]!).click();
}

describe('the Keys screens (Chromium, real main handlers)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'coffer-keys-e2e-'));
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    const create = region(L.createRegion);
    await visible(create);
    await field(create, L.createPath).fill(join(app.vaultDir, 'keys.coffer'));
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the navigation leads from Secrets to Keys: an empty list, New key and Import key', async () => {
    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.keysNav).click();
    await visible(page.getByText(L.emptyKeys));
    expect(await button(nav, L.keysNav).getAttribute('aria-current')).toBe('page');
    expect(await button(nav, L.secretsTab).getAttribute('aria-current')).toBeNull();
    await checkScreen(page, 'keys-01-empty');
  });

  it('creates an RSA key: its type, operations allowed, public key and thumbprint; the PEM copied is read by OpenSSL', async () => {
    await button(page, L.newKeyButton).click();
    const d = dialog(L.newKeyDialog);
    await visible(d);
    // EC keys only sign and verify: the operations offered follow the type.
    await field(d, L.fieldKeyType).selectOption('EC');
    expect(await d.getByRole('checkbox', { name: 'encrypt', exact: true }).count()).toBe(0);
    await field(d, L.fieldKeyType).selectOption('RSA');
    expect(await d.getByRole('checkbox', { name: 'encrypt', exact: true }).isChecked()).toBe(true);
    await checkScreen(page, 'keys-02-new-key-dialog');
    await button(d, L.cancelButton).click();
    await hidden(d);

    const detail = await createKey('signing-rsa', 'RSA', '2048');
    await visible(keysList().getByRole('option', { name: 'signing-rsa' }));
    expect(await keysList().getByRole('option', { name: 'signing-rsa' }).textContent()).toContain('RSA 2048');
    const pem = await detail.locator('pre.pem').textContent();
    expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
    await checkScreen(page, 'keys-03-rsa-detail');

    await button(detail, L.copyPemButton).click();
    await expect.poll(() => app.clipboard.text, { timeout: UI_TIMEOUT }).toContain('-----BEGIN PUBLIC KEY-----');
    const parsed = openssl(['pkey', '-pubin', '-noout', '-text'], app.clipboard.text);
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(parsed.stdout).toContain('Public-Key: (2048 bit)');
    await button(detail, L.copyJwkButton).click();
    await expect.poll(() => app.clipboard.text, { timeout: UI_TIMEOUT }).toContain('"kty":"RSA"');
  });

  it('Use key: encrypt text, decrypt the result back; sign, verify, and a changed signature is refused', async () => {
    const panel = await usePanel('signing-rsa');
    await field(panel, L.useKeyOperation).selectOption('encrypt');
    await field(panel, L.useKeyAlgorithm).selectOption('RSA-OAEP-256');
    await field(panel, L.useKeyInputText).fill(PLAINTEXT);
    await run(panel, 'encrypt');
    const ciphertext = field(panel, L.useKeyResult);
    await visible(ciphertext);
    const ct = await ciphertext.inputValue();
    expect(ct).toMatch(/^[A-Za-z0-9_-]{300,}$/);
    await checkScreen(page, 'keys-04-use-encrypt');

    await field(panel, L.useKeyOperation).selectOption('decrypt');
    await field(panel, L.useKeyAlgorithm).selectOption('RSA-OAEP-256');
    await field(panel, L.useKeyInputBase64).fill(ct);
    await run(panel, 'decrypt');
    await expect.poll(() => field(panel, L.useKeyResultText).inputValue(), { timeout: UI_TIMEOUT }).toBe(PLAINTEXT);

    await field(panel, L.useKeyOperation).selectOption('sign');
    await field(panel, L.useKeyAlgorithm).selectOption('PS256');
    await field(panel, L.useKeyInputText).fill(PLAINTEXT);
    await run(panel, 'sign');
    await visible(field(panel, L.useKeyResult));
    const signature = await field(panel, L.useKeyResult).inputValue();

    await field(panel, L.useKeyOperation).selectOption('verify');
    await field(panel, L.useKeyAlgorithm).selectOption('PS256');
    await field(panel, L.useKeyInputText).fill(PLAINTEXT);
    await field(panel, L.useKeySignature).fill(signature);
    await run(panel, 'verify');
    await visible(panel.getByText(L.verifyValid));
    const flipped = signature[5] === 'A' ? 'B' : 'A';
    await field(panel, L.useKeySignature).fill(signature.slice(0, 5) + flipped + signature.slice(6));
    await run(panel, 'verify');
    await visible(panel.getByText(L.verifyInvalid));
    await checkScreen(page, 'keys-05-use-verify');
    await button(panel, L.useKeyClose).click();
    await hidden(panel);
  });

  it('an AES key encrypts with A256GCM (its IV and tag shown) and decrypts with them; it has no public key', async () => {
    const detail = await createKey('data-key', 'oct', '256');
    await visible(detail.getByText(L.noPublicKey));
    const panel = await usePanel('data-key');
    await field(panel, L.useKeyOperation).selectOption('encrypt');
    await field(panel, L.useKeyAlgorithm).selectOption('A256GCM');
    await field(panel, L.useKeyInputText).fill(PLAINTEXT);
    await run(panel, 'encrypt');
    await visible(field(panel, L.useKeyTag));
    const ct = await field(panel, L.useKeyResult).inputValue();
    const iv = await panel.locator('.outcome').getByLabel(L.useKeyIv, { exact: true }).inputValue();
    const tag = await panel.locator('.outcome').getByLabel(L.useKeyTag, { exact: true }).inputValue();

    await field(panel, L.useKeyOperation).selectOption('decrypt');
    await field(panel, L.useKeyAlgorithm).selectOption('A256GCM');
    await field(panel, L.useKeyInputBase64).fill(ct);
    await panel.locator('form').getByLabel(L.useKeyIv, { exact: true }).fill(iv);
    await panel.locator('form').getByLabel(L.useKeyTag, { exact: true }).fill(tag);
    await run(panel, 'decrypt');
    await expect.poll(() => field(panel, L.useKeyResultText).inputValue(), { timeout: UI_TIMEOUT }).toBe(PLAINTEXT);
    await checkScreen(page, 'keys-06-aes-gcm');
  });

  it('imports an EC key generated by OpenSSL, pasted as PEM; its public key is the one OpenSSL derives', async () => {
    const keyFile = join(work, 'ec.pem');
    const gen = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', keyFile]);
    expect(gen.status, gen.stderr).toBe(0);
    const pub = openssl(['pkey', '-in', keyFile, '-pubout']);
    expect(pub.status, pub.stderr).toBe(0);

    await button(page, L.importKeyButton).click();
    const d = dialog(L.importKeyDialog);
    await visible(d);
    await field(d, L.fieldName).fill('imported-ec');
    await button(d, L.importKeyConfirm).click();
    await visible(d.getByText(L.importNoKey));
    await field(d, L.importText).fill('not a key at all');
    await button(d, L.importKeyConfirm).click();
    await visible(d.getByRole('alert'));
    expect(await d.getByRole('alert').textContent()).not.toContain('not a key at all');
    await field(d, L.importText).fill(readFileSync(keyFile, 'utf8'));
    await checkScreen(page, 'keys-07-import-dialog');
    await button(d, L.importKeyConfirm).click();
    await hidden(d);
    const detail = region(L.keyDetailRegion('imported-ec'));
    await visible(detail);
    expect((await detail.locator('pre.pem').textContent())?.trim()).toBe(pub.stdout.trim());
    expect(await keysList().getByRole('option', { name: 'imported-ec' }).textContent()).toContain('EC P-384');
  });

  it('the rotation policy editor saves a Rotate action; Rotate now makes a new current version, listed first', async () => {
    await keysList().getByRole('option', { name: 'signing-rsa' }).click();
    const detail = region(L.keyDetailRegion('signing-rsa'));
    await visible(detail);
    await button(detail, L.rotationPolicyButton).click();
    const d = dialog(L.rotationPolicyDialog('signing-rsa'));
    await visible(d);
    await visible(field(d, L.policyRotateEnabled));
    await field(d, L.policyRotateEnabled).check();
    await field(d, L.policyRotateAfter).fill('90 days');
    await button(d, L.saveButton).click();
    await visible(d.getByText(L.durationError(L.policyRotateAfter)));
    await field(d, L.policyRotateAfter).fill('P90D');
    await field(d, L.policyExpiryTime).fill('P1Y');
    await checkScreen(page, 'keys-08-rotation-policy');
    await button(d, L.saveButton).click();
    await hidden(d);
    const policy = await app.call('keys:getRotationPolicy', { name: 'signing-rsa' });
    expect(policy.ok && policy.value.lifetimeActions).toContainEqual({ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } });
    expect(policy.ok && policy.value.attributes.expiryTime).toBe('P1Y');

    const before = await versionsOf('signing-rsa');
    await button(detail, L.rotateButton).click();
    await expect.poll(async () => (await versionsOf('signing-rsa')).length, { timeout: UI_TIMEOUT }).toBe(before.length + 1);
    const newest = (await versionsOf('signing-rsa')).at(-1)!;
    const table = detail.getByRole('table', { name: L.versionsTable });
    await expect.poll(async () => (await table.getByRole('row').nth(1).textContent()) ?? '', { timeout: UI_TIMEOUT }).toContain(shortVersion(newest));
    expect(await table.getByRole('row').nth(1).textContent()).toContain(L.currentVersion);
    expect(await table.getByRole('row').nth(2).textContent()).not.toContain(L.currentVersion);
    await visible(page.getByText(L.rotated(shortVersion(newest))));
  });

  it('deletes a key after confirmation, lists it under Deleted and recovers it', async () => {
    const detail = region(L.keyDetailRegion('signing-rsa'));
    await button(detail, L.deleteKeyButton).click();
    const d = dialog(L.deleteKeyDialog('signing-rsa'));
    await visible(d);
    await button(d, L.deleteConfirm).click();
    await hidden(d);
    await page.getByRole('tab', { name: L.deletedTab, exact: true }).click();
    const deleted = page.getByRole('list', { name: L.deletedKeysList, exact: true });
    await visible(deleted);
    await checkScreen(page, 'keys-09-deleted');
    await button(deleted, L.recoverButton('signing-rsa')).click();
    await visible(page.getByText(L.emptyDeletedKeys));
    await page.getByRole('tab', { name: L.keysTab, exact: true }).click();
    await visible(keysList().getByRole('option', { name: 'signing-rsa' }));
  });

  it('passes axe in the dark scheme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await keysList().getByRole('option', { name: 'imported-ec' }).click();
    await visible(region(L.keyDetailRegion('imported-ec')));
    await checkScreen(page, 'keys-10-dark');
    expect(app.pageErrors).toEqual([]);
  });
});
