/**
 * The Certificates screens as a person uses them: the navigation to
 * Certificates, the create wizard making a self-signed certificate, the list
 * with its subject and days left, the detail (subject, SANs, chain,
 * thumbprints, validity, policy), export as PEM through main's save dialog
 * (the file is read back by OpenSSL), the policy editor, Renew now, and
 * delete / recover; the Contacts dialog (add, remove, save: the engine has
 * the list); the Issuers dialog adding an ACME issuer for pebble (Let's
 * Encrypt's test CA, on loopback: main runs in this process, so the engine
 * reaches it and answers its http-01 validation), a certificate issued by it
 * through the wizard and revoked from its detail, its validation edited to
 * dns-01, and the issuer deleted.
 * Real main handlers and engine, the built renderer in Chromium; each screen
 * passes axe (screenshots in test-results/e2e/certificates-*.png), in light
 * and dark.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { L } from '../../renderer/app/labels.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { checkScreen, launchApp, type App } from './harness.js';

const PASSPHRASE = 'correct horse battery staple 42!';
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
const certList = (): Locator => page.getByRole('listbox', { name: L.certificatesList, exact: true });


function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function versionCount(name: string): Promise<number> {
  const r = await app.call('certificates:listVersions', { name });
  if (!r.ok) throw new Error(`listVersions ${name}: ${r.code} ${r.message}`);
  return r.value.length;
}

describe('the Certificates screens (Chromium, real main handlers)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'coffer-certs-e2e-'));
    app = await launchApp({ viewport: { width: 1400, height: 900 } });
    page = app.page;
    const create = region(L.createRegion);
    await visible(create);
    await field(create, L.createPath).fill(join(app.vaultDir, 'certs.coffer'));
    await field(create, L.createPassphrase).fill(PASSPHRASE);
    await field(create, L.createRepeat).fill(PASSPHRASE);
    await button(create, L.createButton).click();
    await visible(button(page, L.newSecretButton));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the navigation leads to Certificates: an empty list, New certificate and Import certificate', async () => {
    const nav = page.getByRole('navigation', { name: L.kindsNav });
    await button(nav, L.certificatesNav).click();
    await visible(page.getByText(L.emptyCertificates));
    expect(await button(nav, L.certificatesNav).getAttribute('aria-current')).toBe('page');
    await visible(button(page, L.importCertificateButton));
    await checkScreen(page, 'certificates-01-empty');
  });

  it('the wizard creates a self-signed certificate, listed with its subject and days left', async () => {
    await button(page, L.newCertificateButton).click();
    const d = dialog(L.newCertificateDialog);
    await visible(d);
    await visible(field(d, L.fieldSubject));
    // No vault CA: self-signed, an ACME CA or a CA outside.
    expect(await d.getByRole('radio').count()).toBe(3);
    await field(d, L.fieldName).fill('web-tls');
    await field(d, L.fieldSubject).fill('CN=www.example.com, O=Coffer');
    await field(d, L.fieldDnsNames).fill('www.example.com\nexample.com');
    await field(d, L.fieldKeyType).selectOption('EC');
    await field(d, L.fieldCurve).selectOption('P-256');
    await checkScreen(page, 'certificates-02-wizard');
    await button(d, L.createCertificateConfirm).click();
    await hidden(d);

    const detail = region(L.certificateDetailRegion('web-tls'));
    await visible(detail);
    const row = certList().getByRole('option', { name: 'web-tls' });
    await visible(row);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('CN=www.example.com, O=Coffer');
    expect(text).toMatch(/(36[4-6]) days left/);
    expect(await row.locator('.expiry-ok').count()).toBe(1);
  });

  it('the detail shows subject, SANs, the self-signed chain, thumbprints, validity and the policy', async () => {
    const detail = region(L.certificateDetailRegion('web-tls'));
    await visible(detail.getByRole('region', { name: L.thumbprintsRegion }));
    expect(await detail.textContent()).toContain('DNS:example.com');
    expect(await detail.getByRole('region', { name: L.chainRegion }).textContent()).toContain(L.chainSelfSigned);
    expect(await detail.getByRole('meter', { name: L.validityMeter }).count()).toBe(1);
    expect(await detail.getByRole('region', { name: L.policyRegion }).textContent()).toContain(L.policyIssuerText('Self'));
    const d = await app.call('certificates:get', { name: 'web-tls' });
    if (!d.ok) throw new Error(d.message);
    expect(await detail.getByRole('region', { name: L.thumbprintsRegion }).textContent()).toContain(d.value.facts.sha256);
    await checkScreen(page, 'certificates-03-detail');
  });

  it('exports as PEM through the save dialog; OpenSSL reads the subject and SANs', async () => {
    const path = join(work, 'web-tls.pem');
    app.dialog.willChoose(path);
    const detail = region(L.certificateDetailRegion('web-tls'));
    await button(detail, L.exportButton).click();
    const d = dialog(L.exportCertificateDialog('web-tls'));
    await visible(d);
    await checkScreen(page, 'certificates-04-export');
    await button(d, L.exportConfirm).click();
    await hidden(d);
    await visible(page.getByText(L.exported(path)));
    const pem = readFileSync(path, 'utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const parsed = openssl(['x509', '-noout', '-subject', '-ext', 'subjectAltName', '-in', path]);
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(parsed.stdout).toContain('CN = www.example.com');
    expect(parsed.stdout).toContain('DNS:example.com');
  });

  it('the policy editor saves a shorter validity; Renew now issues a new current version by it', async () => {
    const detail = region(L.certificateDetailRegion('web-tls'));
    await button(detail, L.editPolicyButton).click();
    const d = dialog(L.policyDialog('web-tls'));
    await visible(field(d, L.fieldValidityMonths));
    await field(d, L.fieldValidityMonths).fill('6');
    await checkScreen(page, 'certificates-05-policy');
    await button(d, L.saveButton).click();
    await hidden(d);
    const policy = await app.call('certificates:getPolicy', { name: 'web-tls' });
    expect(policy.ok && policy.value.x509_props?.validity_months).toBe(6);

    await button(detail, L.renewButton).click();
    await expect.poll(() => versionCount('web-tls'), { timeout: UI_TIMEOUT }).toBe(2);
    const table = detail.getByRole('table', { name: L.versionsTable });
    await expect.poll(async () => table.getByRole('row').count(), { timeout: UI_TIMEOUT }).toBe(3);
    await expect.poll(async () => (await certList().getByRole('option', { name: 'web-tls' }).textContent()) ?? '', { timeout: UI_TIMEOUT }).toMatch(/1[78]\d days left/);
  });

  it('deletes the certificate after confirmation, lists it under Deleted and recovers it', async () => {
    const detail = region(L.certificateDetailRegion('web-tls'));
    await button(detail, L.deleteCertificateButton).click();
    const d = dialog(L.deleteCertificateDialog('web-tls'));
    await visible(d);
    await button(d, L.deleteConfirm).click();
    await hidden(d);
    await page.getByRole('tab', { name: L.deletedTab, exact: true }).click();
    const deleted = page.getByRole('list', { name: L.deletedCertificatesList, exact: true });
    await visible(deleted);
    await checkScreen(page, 'certificates-06-deleted');
    await button(deleted, L.recoverButton('web-tls')).click();
    await visible(page.getByText(L.emptyDeletedCertificates));
    await page.getByRole('tab', { name: L.certificatesTab, exact: true }).click();
    await visible(certList().getByRole('option', { name: 'web-tls' }));
  });

  it('the Contacts dialog adds two contacts, removes one and saves the list: the engine has it', async () => {
    await button(page, L.contactsButton).click();
    const d = dialog(L.contactsDialog);
    await visible(d.getByText(L.contactsEmpty));
    await checkScreen(page, 'certificates-06a-contacts-empty');
    await field(d, L.fieldContactEmail).fill('ops@example.com');
    await field(d, L.fieldContactName).fill('Ops on call');
    await field(d, L.fieldContactPhone).fill('+1 555 0100');
    await button(d, L.addContactButton).click();
    await field(d, L.fieldContactEmail).fill('not an address');
    await button(d, L.addContactButton).click();
    await visible(d.getByText(L.contactEmailError));
    await field(d, L.fieldContactEmail).fill('old@example.com');
    await button(d, L.addContactButton).click();
    const table = d.getByRole('table', { name: L.contactsTable, exact: true });
    await visible(table.getByRole('row', { name: /old@example\.com/ }));
    await checkScreen(page, 'certificates-06b-contacts');
    await button(d, L.removeContact('old@example.com')).click();
    await hidden(table.getByRole('row', { name: /old@example\.com/ }));
    await button(d, L.saveButton).click();
    await hidden(d);
    await visible(page.getByText(L.contactsSaved(1)));
    const r = await app.call('certificates:getContacts', {});
    if (!r.ok) throw new Error(r.message);
    expect(r.value.contacts).toEqual([{ email: 'ops@example.com', name: 'Ops on call', phone: '+1 555 0100' }]);
  });

  it('passes axe in the dark scheme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await certList().getByRole('option', { name: 'web-tls' }).click();
    await visible(region(L.certificateDetailRegion('web-tls')).getByRole('region', { name: L.thumbprintsRegion }));
    await checkScreen(page, 'certificates-07-dark');
    expect(app.pageErrors).toEqual([]);
  });

  describe('ACME: pebble on loopback, http-01', () => {
    let pebble: Pebble;
    beforeAll(async () => {
      pebble = await startPebble();
      await page.emulateMedia({ colorScheme: 'light' });
    }, 60_000);
    afterAll(async () => {
      await pebble?.stop();
    });

    it('the Issuers dialog adds an ACME issuer (terms agreed, pebble’s CA certificate as a file) and lists it', async () => {
      await button(page, L.issuersButton).click();
      let d = dialog(L.issuersDialog);
      await visible(d.getByText(L.issuersEmpty));
      await checkScreen(page, 'certificates-08-issuers-empty');
      await button(d, L.addIssuerButton).click();
      d = dialog(L.addIssuerDialog);
      await visible(d);
      await field(d, L.fieldIssuerName).fill('pebble');
      await field(d, L.fieldDirectoryUrl).fill(pebble.directoryUrl);
      await field(d, L.fieldAcmeEmail).fill('ops@example.com');
      await field(d, L.fieldHttpPort).fill(String(pebble.httpPort));
      await field(d, L.fieldAcmeCaFile).setInputFiles({ name: 'pebble-ca.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pebble.caCertPem) });
      await visible(d.getByText(L.fileChosen('pebble-ca.pem', Buffer.byteLength(pebble.caCertPem))));
      // Without the terms agreed, nothing is sent.
      await button(d, L.addIssuerConfirm).click();
      await visible(d.getByText(L.acmeTermsRequired));
      await d.getByRole('checkbox', { name: L.acmeTermsAgree, exact: true }).check();
      await checkScreen(page, 'certificates-09-add-issuer');
      await button(d, L.addIssuerConfirm).click();
      d = dialog(L.issuersDialog);
      const table = d.getByRole('table', { name: L.issuersTable, exact: true });
      await visible(table);
      const row = table.getByRole('row', { name: /pebble/ });
      expect(await row.textContent()).toContain(pebble.directoryUrl);
      expect(await row.textContent()).toContain(L.issuerEnabledText(true));
      await checkScreen(page, 'certificates-10-issuers');
      await button(d, L.doneButton).click();
      await hidden(d);
      await visible(page.getByText(L.issuerAdded('pebble')));
    });

    it('the wizard issues a certificate from pebble (real http-01 validation); Revoke… revokes it with a reason', async () => {
      await button(page, L.newCertificateButton).click();
      const d = dialog(L.newCertificateDialog);
      await visible(field(d, L.fieldSubject));
      await d.getByRole('radio', { name: L.issuerAcme, exact: true }).check();
      expect(await field(d, L.fieldAcmeIssuer).inputValue()).toBe('pebble');
      await field(d, L.fieldName).fill('acme-web');
      await field(d, L.fieldSubject).fill('CN=acme-web.example.com');
      await field(d, L.fieldDnsNames).fill('acme-web.example.com');
      await field(d, L.fieldKeyType).selectOption('EC');
      await checkScreen(page, 'certificates-11-wizard-acme');
      await button(d, L.createCertificateConfirm).click();
      await d.waitFor({ state: 'hidden', timeout: 90_000 });

      const detail = region(L.certificateDetailRegion('acme-web'));
      await visible(detail.getByRole('region', { name: L.thumbprintsRegion }));
      expect(await detail.getByRole('region', { name: L.policyRegion }).textContent()).toContain(L.policyIssuerAcme('pebble'));
      expect(await detail.getByRole('region', { name: L.chainRegion }).textContent()).toMatch(/Pebble/);
      const versions = await app.call('certificates:listVersions', { name: 'acme-web' });
      if (!versions.ok) throw new Error(versions.message);
      const short = versions.value[0]!.id.split('/').pop()!.slice(0, 8);
      await detail.getByRole('button', { name: L.revokeCertificateVersion(short), exact: true }).click();
      const rd = dialog(L.revokeDialog(short));
      await visible(rd);
      await field(rd, L.revokeReason).selectOption('superseded');
      await checkScreen(page, 'certificates-12-revoke');
      await button(rd, L.revokeConfirm).click();
      await hidden(rd);
      await visible(page.getByText(L.revokedStatus(short)));
      // Revoked at the CA: a second revocation is refused there.
      const again = await app.call('certificates:revoke', { name: 'acme-web' });
      expect(again.ok ? 'ok' : again.code).toBe('Conflict');
    });

    it('Edit switches the issuer’s validation to dns-01', async () => {
      await button(page, L.issuersButton).click();
      await button(dialog(L.issuersDialog), L.editIssuer('pebble')).click();
      const e = dialog(L.editIssuerDialog('pebble'));
      await visible(e);
      expect(await field(e, L.fieldHttpPort).inputValue()).toBe(String(pebble.httpPort));
      await e.getByRole('radio', { name: L.challengeNames['dns-01'], exact: true }).check();
      await checkScreen(page, 'certificates-12a-edit-issuer');
      await button(e, L.saveButton).click();
      const d = dialog(L.issuersDialog);
      await visible(d.getByRole('row', { name: /^pebble / }).getByText(L.challengeShort['dns-01']!, { exact: true }));
      await button(d, L.doneButton).click();
      await hidden(d);
      await visible(page.getByText(L.issuerUpdated('pebble')));
    });

    it('deletes the issuer after confirmation', async () => {
      await button(page, L.issuersButton).click();
      const d = dialog(L.issuersDialog);
      await button(d, L.deleteIssuer('pebble')).click();
      const c = dialog(L.deleteIssuerDialog('pebble'));
      await visible(c);
      await checkScreen(page, 'certificates-13-delete-issuer');
      await button(c, L.deleteIssuerConfirm).click();
      await visible(dialog(L.issuersDialog).getByText(L.issuersEmpty));
      await button(dialog(L.issuersDialog), L.doneButton).click();
      expect(app.pageErrors).toEqual([]);
    });
  });
});
