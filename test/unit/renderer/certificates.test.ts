// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The Certificates screens on the fake API: the kind in the navigation, the
 * list with subject and days left coloured by expiry, the detail (subject,
 * SANs, issuer chain, validity bar, thumbprints, policy), the create wizard
 * for each issuer (self-signed, a vault CA, a CSR with its copy and merge),
 * import of a PFX by file with its password, export, Renew now, the policy
 * editor, editing a version, and delete / recover / purge. ACME: the Issuers
 * dialog (add with the terms agreed, enable/disable, delete), the wizard's
 * ACME choice (with and without issuers), a dns-01 record shown while the
 * order waits (published, or cancelled), Revoke where it can work, and an
 * issuer's validation edited. The Contacts dialog: list, remove, add, save
 * (an empty list deletes them), and a Reader's Forbidden.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { L } from '../../../renderer/app/labels.js';
import { useCertificates } from '../../../renderer/features/certificates/store.js';
import { FAKE_DEFAULT_POLICY, FAKE_PFX, FAKE_PFX_PASSWORD, FAKE_TXT_VALUE, fakeIssuer, type FakeCert } from './fake-api-certificates.js';
import { createFakeCoffer, type FakeCoffer } from './fake-api.js';
import { DAY, manualClock, NOW, renderApp, type } from './setup.js';

const MONTH = 30 * DAY;

function cert(name: string, v: { subject: string; issuer?: string; ca?: string; sans?: string[]; nbf: number; exp: number; enabled?: boolean; tags?: Record<string, string> }, policy: Partial<FakeCert['policy']> = {}): FakeCert {
  return {
    name,
    policy: { ...structuredClone(FAKE_DEFAULT_POLICY), x509_props: { subject: v.subject, validity_months: 12 }, ...policy },
    versions: [
      {
        version: `${name.padEnd(8, '0').slice(0, 8)}${'a'.repeat(24)}`.replace(/[^0-9a-f]/g, 'b'),
        subject: v.subject,
        issuer: v.issuer ?? v.subject,
        ...(v.ca ? { ca: v.ca } : {}),
        sans: v.sans ?? [],
        nbf: v.nbf,
        exp: v.exp,
        enabled: v.enabled ?? true,
        ...(v.tags ? { tags: v.tags } : {}),
        created: v.nbf,
        updated: v.nbf,
      },
    ],
  };
}

function seeded(): FakeCoffer {
  const fake = createFakeCoffer({ now: () => NOW });
  const v = fake.addVault('/v/work.coffer', 'pw');
  fake.addSecret(v, 'db-password', { value: 'hunter2' });
  const store = v.certificates;
  store.cas.push({ name: 'root', subject: 'CN=Test Root', notAfter: NOW + 3650 * DAY }, { name: 'issuing', subject: 'CN=Test Issuing', parent: 'root', notAfter: NOW + 1800 * DAY });
  store.certs.set('web', cert('web', { subject: 'CN=www.example.com', sans: ['DNS:www.example.com', 'IP Address:192.0.2.7'], nbf: NOW - 100 * DAY, exp: NOW + 265 * DAY, tags: { team: 'edge' } }, { issuer: { name: 'Self' } }));
  store.certs.set('api', cert('api', { subject: 'CN=api.example.com', issuer: 'CN=Test Issuing', ca: 'issuing', nbf: NOW - 340 * DAY, exp: NOW + 10 * DAY }, { issuer: { name: 'issuing' } }));
  store.certs.set('old', cert('old', { subject: 'CN=old.example.com', nbf: NOW - 400 * DAY, exp: NOW - 35 * DAY }));
  fake.open = '/v/work.coffer';
  fake.lastPath = '/v/work.coffer';
  return fake;
}

const nav = () => screen.getByRole('navigation', { name: L.kindsNav });
const list = () => screen.getByRole('listbox', { name: L.certificatesList });
const option = (name: string) => within(list()).getByRole('option', { name });
const names = () => within(list()).getAllByRole('option').map((o) => o.querySelector('.row-name')?.textContent);
const callsOf = (fake: FakeCoffer, channel: string) => fake.calls.filter((c) => c.channel === channel).map((c) => c.input as Record<string, unknown>);

async function goToCertificates() {
  await screen.findByRole('listbox', { name: L.secretsList });
  fireEvent.click(within(nav()).getByRole('button', { name: L.certificatesNav }));
  return screen.findByRole('listbox', { name: L.certificatesList });
}

async function openCert(name: string) {
  await goToCertificates();
  fireEvent.click(option(name));
  const detail = await screen.findByRole('region', { name: L.certificateDetailRegion(name) });
  await within(detail).findByRole('table', { name: L.versionsTable });
  await within(detail).findByRole('region', { name: L.thumbprintsRegion });
  return detail;
}

function chooseFile(input: HTMLElement, name: string, content: string) {
  fireEvent.change(input, { target: { files: [new File([content], name)] } });
}

/** Opens the New certificate wizard on its first step. */
async function openWizard() {
  await goToCertificates();
  fireEvent.click(screen.getByRole('button', { name: L.newCertificateButton }));
  const d = await screen.findByRole('dialog', { name: L.newCertificateDialog });
  await within(d).findByLabelText(L.fieldSubject);
  return d;
}

describe('certificates list', () => {
  it('is a kind in the navigation; rows show the subject and the days left, coloured by expiry; search by subject', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    expect(within(nav()).getByRole('button', { name: L.certificatesNav }).getAttribute('aria-current')).toBe('page');
    expect(names()).toEqual(['api', 'old', 'web']);
    expect(option('web').textContent).toContain('CN=www.example.com');
    expect(option('web').querySelector('.expiry-ok')?.textContent).toBe(L.daysLeft(265));
    expect(option('api').querySelector('.expiry-soon')?.textContent).toBe(L.daysLeft(10));
    expect(option('api').textContent).toContain(L.chipExpiresSoon);
    expect(option('old').querySelector('.expiry-expired')?.textContent).toBe(L.expiredText);
    type(screen.getByRole('searchbox', { name: L.searchCertificates }), 'test issuing');
    expect(names()).toEqual(['api']);
    type(screen.getByRole('searchbox', { name: L.searchCertificates }), 'edge');
    expect(names()).toEqual(['web']);
  });

  it('certificates renewed on schedule, expiring ones and failed renewals become a notice, and the list reloads', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    const calls = () => r.fake.calls.filter((c) => c.channel === 'certificates:list').length;
    const before = calls();
    act(() => r.fake.emit({ type: 'certificatesRenewed', renewed: ['web'], expiring: [{ name: 'api', daysLeft: 10 }], failed: [{ name: 'old', message: 'The disk is full.' }], contacts: ['ops@example.com'] }));
    const notice = await screen.findByText(L.certificatesRenewedNotice(['web'], [{ name: 'api', daysLeft: 10 }], [{ name: 'old', message: 'The disk is full.' }], ['ops@example.com']));
    expect(notice.textContent).toContain('api (10 days left)');
    expect(notice.textContent).toContain('Tell the certificate contacts: ops@example.com.');
    expect(notice.textContent).toContain('old (The disk is full.)');
    await waitFor(() => expect(calls()).toBeGreaterThan(before));
  });

  it('an empty vault says how to add one', async () => {
    const fake = createFakeCoffer({ now: () => NOW });
    fake.addVault('/v/e.coffer', 'pw');
    fake.open = '/v/e.coffer';
    renderApp(fake, manualClock(NOW * 1000));
    fireEvent.click(within(await screen.findByRole('navigation', { name: L.kindsNav })).getByRole('button', { name: L.certificatesNav }));
    expect(await screen.findByText(L.emptyCertificates)).toBeTruthy();
  });
});

describe('certificate detail', () => {
  it('shows subject, SANs, issuer, validity bar with days left, thumbprints, the policy and a self-signed chain', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('web');
    const d = useCertificates.getState().details!;
    expect(detail.textContent).toContain('CN=www.example.com');
    expect(within(detail).getByText('DNS:www.example.com')).toBeTruthy();
    expect(within(detail).getByText('IP Address:192.0.2.7')).toBeTruthy();
    const meter = within(detail).getByRole('meter', { name: L.validityMeter }) as HTMLMeterElement;
    expect(Number(meter.getAttribute('value')) / Number(meter.getAttribute('max'))).toBeCloseTo(100 / 365, 2);
    expect(detail.querySelector('.validity .expiry-ok')?.textContent).toBe(L.daysLeft(265));
    const thumbs = within(detail).getByRole('region', { name: L.thumbprintsRegion });
    expect(thumbs.textContent).toContain(d.facts.x5t);
    expect(thumbs.textContent).toContain(d.facts.sha256);
    const chain = within(detail).getByRole('region', { name: L.chainRegion });
    expect(chain.textContent).toContain(L.chainSelfSigned);
    const policy = within(detail).getByRole('region', { name: L.policyRegion });
    expect(policy.textContent).toContain(L.policyIssuerText('Self'));
    expect(policy.textContent).toContain(L.policyActionText('AutoRenew', 90, undefined));
  });

  it('a certificate from a vault CA lists its chain up to the root', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('api');
    const items = within(within(detail).getByRole('list', { name: L.chainList })).getAllByRole('listitem');
    expect(items.map((i) => i.textContent?.split(' · ')[0]?.trim())).toEqual(['CN=api.example.com', `CN=Test Issuing ${L.chainVaultCa('issuing')}`, `CN=Test Root ${L.chainVaultCa('root')}`]);
  });

  it('Renew now adds a version listed first; the status names it', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('web');
    fireEvent.click(within(detail).getByRole('button', { name: L.renewButton }));
    await waitFor(() => expect(useCertificates.getState().versions).toHaveLength(2));
    const newest = useCertificates.getState().versions![0]!.id.split('/').pop()!;
    expect(await screen.findByText(L.renewed(newest.slice(0, 8)))).toBeTruthy();
  });

  it('exports as PFX with a password through main’s save dialog; cancelling writes nothing', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('web');
    r.fake.pickerAnswers.push('/home/me/web.pfx');
    fireEvent.click(within(detail).getByRole('button', { name: L.exportButton }));
    const d = await screen.findByRole('dialog', { name: L.exportCertificateDialog('web') });
    expect(within(d).queryByLabelText(L.exportPassword)).toBeNull();
    fireEvent.click(within(d).getByRole('radio', { name: L.exportFormatNames.PFX! }));
    type(within(d).getByLabelText(L.exportPassword), 'export-pw');
    fireEvent.click(within(d).getByRole('button', { name: L.exportConfirm }));
    expect(await screen.findByText(L.exported('/home/me/web.pfx'))).toBeTruthy();
    expect(r.fake.certificateExports).toEqual([{ name: 'web', format: 'PFX', path: '/home/me/web.pfx', protected: true }]);
    expect(callsOf(r.fake, 'certificates:export')).toEqual([{ name: 'web', format: 'PFX', password: 'export-pw' }]);
    // PEM from a version's row, cancelled in the save dialog.
    const short = useCertificates.getState().versions![0]!.id.split('/').pop()!.slice(0, 8);
    fireEvent.click(within(detail).getByRole('button', { name: L.exportCertificateVersion(short) }));
    const d2 = await screen.findByRole('dialog', { name: L.exportCertificateDialog('web') });
    fireEvent.click(within(d2).getByRole('button', { name: L.exportConfirm }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(r.fake.certificateExports).toHaveLength(1);
  });

  it('the policy editor shows the policy and saves a change; a bad validity is refused before sending', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('web');
    fireEvent.click(within(detail).getByRole('button', { name: L.editPolicyButton }));
    const d = await screen.findByRole('dialog', { name: L.policyDialog('web') });
    const subject = (await within(d).findByLabelText(L.fieldSubject)) as HTMLInputElement;
    expect(subject.value).toBe('CN=www.example.com');
    expect((within(d).getByRole('radio', { name: L.issuerSelf }) as HTMLInputElement).checked).toBe(true);
    type(within(d).getByLabelText(L.fieldValidityMonths), '0');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    expect(await within(d).findByText(L.validityError)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldValidityMonths), '6');
    fireEvent.change(within(d).getByRole('combobox', { name: L.fieldKeyType }), { target: { value: 'EC' } });
    fireEvent.change(within(d).getByRole('combobox', { name: L.fieldCurve }), { target: { value: 'P-384' } });
    fireEvent.click(within(d).getByRole('checkbox', { name: L.actionNotify }));
    type(within(d).getByLabelText(L.triggerValue(L.actionNotify)), '75');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const [sent] = callsOf(r.fake, 'certificates:updatePolicy');
    expect(sent).toMatchObject({
      name: 'web',
      policy: {
        key_props: { kty: 'EC', crv: 'P-384' },
        x509_props: { subject: 'CN=www.example.com', validity_months: 6 },
        lifetime_actions: [
          { trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } },
          { trigger: { lifetime_percentage: 75 }, action: { action_type: 'EmailContacts' } },
        ],
        issuer: { name: 'Self' },
      },
    });
  });

  it('disables a version and edits its tags', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('web');
    const short = useCertificates.getState().versions![0]!.id.split('/').pop()!.slice(0, 8);
    fireEvent.click(within(detail).getByRole('button', { name: L.disableCertificateVersion(short) }));
    await waitFor(() => expect(option('web').textContent).toContain(L.chipDisabled));
    fireEvent.click(within(detail).getByRole('button', { name: L.editCertificateVersion(short) }));
    const d = await screen.findByRole('dialog', { name: L.editCertificateDialog(short) });
    type(within(d).getByLabelText(L.fieldTags), 'team=core\nenv=prod');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(callsOf(r.fake, 'certificates:update').at(-1)).toMatchObject({ name: 'web', patch: { enabled: false, tags: { team: 'core', env: 'prod' } } });
  });

  it('deletes after confirmation, recovers from Deleted, and purges', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    const detail = await openCert('old');
    fireEvent.click(within(detail).getByRole('button', { name: L.deleteCertificateButton }));
    const d = await screen.findByRole('dialog', { name: L.deleteCertificateDialog('old') });
    fireEvent.click(within(d).getByRole('button', { name: L.deleteConfirm }));
    await waitFor(() => expect(names()).toEqual(['api', 'web']));
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    let deleted = await screen.findByRole('list', { name: L.deletedCertificatesList });
    fireEvent.click(within(deleted).getByRole('button', { name: L.recoverButton('old') }));
    expect(await screen.findByText(L.emptyDeletedCertificates)).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: L.certificatesTab }));
    await waitFor(() => expect(names()).toEqual(['api', 'old', 'web']));
    fireEvent.click(option('old'));
    const again = await screen.findByRole('region', { name: L.certificateDetailRegion('old') });
    fireEvent.click(within(again).getByRole('button', { name: L.deleteCertificateButton }));
    fireEvent.click(within(await screen.findByRole('dialog', { name: L.deleteCertificateDialog('old') })).getByRole('button', { name: L.deleteConfirm }));
    await waitFor(() => expect(names()).toEqual(['api', 'web']));
    fireEvent.click(screen.getByRole('tab', { name: L.deletedTab }));
    deleted = await screen.findByRole('list', { name: L.deletedCertificatesList });
    fireEvent.click(within(deleted).getByRole('button', { name: L.purgeButton('old') }));
    fireEvent.click(within(screen.getByRole('dialog', { name: L.purgeDialog('old') })).getByRole('button', { name: L.purgeConfirm }));
    expect(await screen.findByText(L.emptyDeletedCertificates)).toBeTruthy();
  });
});

describe('the create wizard', () => {
  it('self-signed from the default policy: a subject is required; the certificate is created and opened', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const d = await openWizard();
    // Self-signed, the vault's CAs, an ACME CA (the vault has no ACME issuer yet) and a CA outside.
    expect(within(d).getAllByRole('radio').map((x) => x.parentElement?.textContent)).toEqual([
      L.issuerSelf,
      L.issuerCa('root', 'CN=Test Root'),
      L.issuerCa('issuing', 'CN=Test Issuing'),
      L.issuerAcme,
      L.issuerUnknown,
    ]);
    type(within(d).getByLabelText(L.fieldName), 'shop');
    type(within(d).getByLabelText(L.fieldSubject), '  ');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    expect(await within(d).findByText(L.subjectRequired)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldSubject), 'CN=shop.example.com');
    type(within(d).getByLabelText(L.fieldDnsNames), 'shop.example.com\nwww.shop.example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    const detail = await screen.findByRole('region', { name: L.certificateDetailRegion('shop') });
    expect(callsOf(r.fake, 'certificates:create')).toEqual([
      {
        name: 'shop',
        policy: {
          key_props: { kty: 'RSA', key_size: 2048, exportable: true, reuse_key: true },
          secret_props: { contentType: 'application/x-pkcs12' },
          x509_props: { subject: 'CN=shop.example.com', sans: { dns_names: ['shop.example.com', 'www.shop.example.com'] }, key_usage: ['digitalSignature', 'keyEncipherment'], validity_months: 12 },
          lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }],
          issuer: { name: 'Self' },
        },
      },
    ]);
    await waitFor(() => expect(detail.textContent).toContain('DNS:www.shop.example.com'));
  });

  it('from a vault CA: the policy names the CA', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const d = await openWizard();
    type(within(d).getByLabelText(L.fieldName), 'svc');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=svc.internal');
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerCa('issuing', 'CN=Test Issuing') }));
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    const detail = await screen.findByRole('region', { name: L.certificateDetailRegion('svc') });
    expect(callsOf(r.fake, 'certificates:create')[0]).toMatchObject({ policy: { issuer: { name: 'issuing' } } });
    await waitFor(() => expect(within(detail).getByRole('region', { name: L.chainRegion }).textContent).toContain(L.chainVaultCa('issuing')));
  });

  it('for a CA outside: shows the CSR, copies it through main, and merges the signed PEM file', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const d = await openWizard();
    type(within(d).getByLabelText(L.fieldName), 'partner');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=partner.example.com');
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerUnknown }));
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    // The wizard's second step: the same title, the CSR and the merge.
    const csr = await screen.findByRole('region', { name: L.csrRegion });
    expect(csr.querySelector('pre')?.textContent).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    fireEvent.click(within(csr).getByRole('button', { name: L.copyCsrButton }));
    expect(await within(csr).findByText(L.copied(30))).toBeTruthy();
    expect(r.fake.clipboard).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    fireEvent.click(within(csr).getByRole('button', { name: L.mergeConfirm }));
    expect(await within(csr).findByText(L.mergeNoFile)).toBeTruthy();
    const signed = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    chooseFile(within(csr).getByLabelText(L.mergeFile), 'signed.pem', signed);
    await within(csr).findByText(L.fileChosen('signed.pem', signed.length));
    fireEvent.click(within(csr).getByRole('button', { name: L.mergeConfirm }));
    await screen.findByRole('region', { name: L.certificateDetailRegion('partner') });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(callsOf(r.fake, 'certificates:mergePending')).toHaveLength(1);
    expect(await screen.findByText(L.merged('partner'))).toBeTruthy();
  });

  it('a pending request is found again by name and can be cancelled', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    const created = await r.fake.api['certificates:create']({ name: 'later', policy: { x509_props: { subject: 'CN=later' }, issuer: { name: 'Unknown' } } });
    expect(created.ok).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: L.pendingRequestButton }));
    const d = await screen.findByRole('dialog', { name: L.pendingDialog });
    type(within(d).getByLabelText(L.pendingName), 'nothing');
    fireEvent.click(within(d).getByRole('button', { name: L.findPendingConfirm }));
    expect(await within(d).findByText(L.noPending('nothing'))).toBeTruthy();
    type(within(d).getByLabelText(L.pendingName), 'later');
    fireEvent.click(within(d).getByRole('button', { name: L.findPendingConfirm }));
    const csr = await screen.findByRole('region', { name: L.csrRegion });
    fireEvent.click(within(csr).getByRole('button', { name: L.cancelRequestButton }));
    expect(await within(csr).findByText(L.requestStatus('cancelled'))).toBeTruthy();
  });
});

describe('import', () => {
  it('takes a .pfx by the file picker with its password; a wrong password is shown in the dialog', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    fireEvent.click(screen.getByRole('button', { name: L.importCertificateButton }));
    const d = await screen.findByRole('dialog', { name: L.importCertificateDialog });
    type(within(d).getByLabelText(L.fieldName), 'bad name');
    fireEvent.click(within(d).getByRole('button', { name: L.importKeyConfirm }));
    expect(await within(d).findByText(L.nameRequired)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldName), '');
    chooseFile(within(d).getByLabelText(L.importCertificateFile), 'partner-tls.pfx', FAKE_PFX);
    await waitFor(() => expect((within(d).getByLabelText(L.fieldName) as HTMLInputElement).value).toBe('partner-tls'));
    type(within(d).getByLabelText(L.importCertificatePassword), 'wrong');
    fireEvent.click(within(d).getByRole('button', { name: L.importKeyConfirm }));
    expect((await within(d).findByRole('alert')).textContent).toContain('wrong password');
    type(within(d).getByLabelText(L.importCertificatePassword), FAKE_PFX_PASSWORD);
    fireEvent.click(within(d).getByRole('button', { name: L.importKeyConfirm }));
    await screen.findByRole('region', { name: L.certificateDetailRegion('partner-tls') });
    const sent = callsOf(r.fake, 'certificates:import').at(-1)!;
    expect(sent).toMatchObject({ name: 'partner-tls', password: FAKE_PFX_PASSWORD });
    expect(atob(String(sent.value).replace(/-/g, '+').replace(/_/g, '/'))).toBe(FAKE_PFX);
    await waitFor(() => expect(names()).toContain('partner-tls'));
  });

  it('takes a file dropped on the drop zone', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    fireEvent.click(screen.getByRole('button', { name: L.importCertificateButton }));
    const d = await screen.findByRole('dialog', { name: L.importCertificateDialog });
    const zone = d.querySelector('.dropzone')!;
    fireEvent.drop(zone, { dataTransfer: { files: [new File([FAKE_PFX], 'dropped.p12')] } });
    expect(await within(d).findByText(L.fileChosen('dropped.p12', FAKE_PFX.length))).toBeTruthy();
    expect((within(d).getByLabelText(L.fieldName) as HTMLInputElement).value).toBe('dropped');
  });
});

describe('ACME issuers', () => {
  const PEM_CA = '-----BEGIN CERTIFICATE-----\nMIIBCA==\n-----END CERTIFICATE-----\n';
  const vault = (fake: FakeCoffer) => fake.vaults.get('/v/work.coffer')!.certificates;

  async function openIssuers() {
    await goToCertificates();
    fireEvent.click(screen.getByRole('button', { name: L.issuersButton }));
    return screen.findByRole('dialog', { name: L.issuersDialog });
  }

  it('the Issuers dialog adds an issuer (terms agreed, a private CA’s certificate), lists it, disables it and deletes it after confirmation', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    let d = await openIssuers();
    expect(await within(d).findByText(L.issuersEmpty)).toBeTruthy();
    fireEvent.click(within(d).getByRole('button', { name: L.addIssuerButton }));
    d = await screen.findByRole('dialog', { name: L.addIssuerDialog });
    type(within(d).getByLabelText(L.fieldIssuerName), 'pebble');
    type(within(d).getByLabelText(L.fieldDirectoryUrl), 'http://127.0.0.1:14000/dir');
    fireEvent.click(within(d).getByRole('button', { name: L.addIssuerConfirm }));
    expect(await within(d).findByText(L.directoryUrlError)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldDirectoryUrl), 'https://127.0.0.1:14000/dir');
    type(within(d).getByLabelText(L.fieldAcmeEmail), 'ops@example.com');
    type(within(d).getByLabelText(L.fieldHttpPort), '5002');
    chooseFile(within(d).getByLabelText(L.fieldAcmeCaFile), 'pebble-ca.pem', PEM_CA);
    await within(d).findByText(L.fileChosen('pebble-ca.pem', PEM_CA.length));
    // The terms must be agreed to: nothing is sent before.
    fireEvent.click(within(d).getByRole('button', { name: L.addIssuerConfirm }));
    expect(await within(d).findByText(L.acmeTermsRequired)).toBeTruthy();
    expect(callsOf(r.fake, 'certificates:createIssuer')).toEqual([]);
    fireEvent.click(within(d).getByRole('checkbox', { name: L.acmeTermsAgree }));
    fireEvent.click(within(d).getByRole('button', { name: L.addIssuerConfirm }));

    d = await screen.findByRole('dialog', { name: L.issuersDialog });
    expect(callsOf(r.fake, 'certificates:createIssuer')).toEqual([
      { name: 'pebble', directoryUrl: 'https://127.0.0.1:14000/dir', challenge: 'http-01', termsAgreed: true, email: 'ops@example.com', httpPort: 5002, caCertificatePem: PEM_CA },
    ]);
    const table = await within(d).findByRole('table', { name: L.issuersTable });
    const row = within(table).getByRole('row', { name: /pebble/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['ACME', 'https://127.0.0.1:14000/dir', `${L.challengeShort['http-01']}, port 5002`, L.issuerEnabledText(true), `${L.disableShort}${L.editShort}${L.deleteShort}`]);
    fireEvent.click(within(row).getByRole('button', { name: L.disableIssuer('pebble') }));
    await waitFor(() => expect(within(table).getByRole('row', { name: /pebble/ }).textContent).toContain(L.issuerEnabledText(false)));
    expect(callsOf(r.fake, 'certificates:updateIssuer')).toEqual([{ name: 'pebble', patch: { enabled: false } }]);

    fireEvent.click(within(d).getByRole('button', { name: L.deleteIssuer('pebble') }));
    const confirm = await screen.findByRole('dialog', { name: L.deleteIssuerDialog('pebble') });
    fireEvent.click(within(confirm).getByRole('button', { name: L.deleteIssuerConfirm }));
    d = await screen.findByRole('dialog', { name: L.issuersDialog });
    expect(await within(d).findByText(L.issuersEmpty)).toBeTruthy();
    expect(vault(r.fake).issuers).toEqual([]);
  });

  it('Edit changes an ACME issuer’s validation: dns-01, then http-01 on another port; a bad port is refused before sending', async () => {
    const fake = seeded();
    vault(fake).issuers.push(fakeIssuer('le', { http_port: 80 }));
    const r = renderApp(fake, manualClock(NOW * 1000));
    let d = await openIssuers();
    const table = await within(d).findByRole('table', { name: L.issuersTable });
    fireEvent.click(within(table).getByRole('button', { name: L.editIssuer('le') }));
    d = await screen.findByRole('dialog', { name: L.editIssuerDialog('le') });
    expect((within(d).getByRole('radio', { name: L.challengeNames['http-01'] }) as HTMLInputElement).checked).toBe(true);
    expect((within(d).getByLabelText(L.fieldHttpPort) as HTMLInputElement).value).toBe('80');
    type(within(d).getByLabelText(L.fieldHttpPort), '70000');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    expect(await within(d).findByText(L.httpPortError)).toBeTruthy();
    expect(callsOf(r.fake, 'certificates:updateIssuer')).toEqual([]);
    // dns-01 has no port.
    fireEvent.click(within(d).getByRole('radio', { name: L.challengeNames['dns-01'] }));
    expect(within(d).queryByLabelText(L.fieldHttpPort)).toBeNull();
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));

    d = await screen.findByRole('dialog', { name: L.issuersDialog });
    await waitFor(() => expect(within(d).getByRole('row', { name: /^le / }).textContent).toContain(L.challengeShort['dns-01']));
    expect(callsOf(r.fake, 'certificates:updateIssuer')).toEqual([{ name: 'le', patch: { challenge: 'dns-01' } }]);
    expect(vault(r.fake).issuers[0]!.acme).toMatchObject({ challenge: 'dns-01' });

    fireEvent.click(within(d).getByRole('button', { name: L.editIssuer('le') }));
    d = await screen.findByRole('dialog', { name: L.editIssuerDialog('le') });
    fireEvent.click(within(d).getByRole('radio', { name: L.challengeNames['http-01'] }));
    type(within(d).getByLabelText(L.fieldHttpPort), '8080');
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    d = await screen.findByRole('dialog', { name: L.issuersDialog });
    await waitFor(() => expect(within(d).getByRole('row', { name: /^le / }).textContent).toContain(`${L.challengeShort['http-01']}, port 8080`));
    expect(callsOf(r.fake, 'certificates:updateIssuer')[1]).toEqual({ name: 'le', patch: { challenge: 'http-01', httpPort: 8080 } });
    expect(screen.getByText(L.issuerUpdated('le'))).toBeTruthy();
  });

  it('the wizard’s ACME choice without issuers says how to add one and opens the Issuers dialog over it; nothing is created without an issuer', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    const d = await openWizard();
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerAcme }));
    expect(within(d).getByText(L.noAcmeIssuers)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldName), 'shop');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=shop.example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    expect(await within(d).findByText(L.acmeIssuerRequired)).toBeTruthy();
    expect(callsOf(r.fake, 'certificates:create')).toEqual([]);

    // Issuers… opens over the wizard, which is inert meanwhile; an issuer added there is offered at once.
    fireEvent.click(within(d).getByRole('button', { name: L.issuersButton }));
    const issuers = await screen.findByRole('dialog', { name: L.issuersDialog });
    expect(d.closest('.backdrop')?.hasAttribute('inert')).toBe(true);
    await act(async () => {
      await r.fake.api['certificates:createIssuer']({ name: 'le', directoryUrl: 'https://acme.example/dir', challenge: 'http-01', termsAgreed: true });
    });
    fireEvent.click(within(issuers).getByRole('button', { name: L.doneButton }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: L.issuersDialog })).toBeNull());
    expect(d.closest('.backdrop')?.hasAttribute('inert')).toBe(false);
    const select = (await within(d).findByRole('combobox', { name: L.fieldAcmeIssuer })) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'le' } });
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    await screen.findByRole('region', { name: L.certificateDetailRegion('shop') });
    expect(callsOf(r.fake, 'certificates:create')[0]).toMatchObject({ name: 'shop', policy: { issuer: { name: 'le' } } });
  });

  it('http-01: the wizard lists the vault’s ACME issuers; the certificate is issued; its detail names the issuer and offers Revoke with a reason', async () => {
    const fake = seeded();
    vault(fake).issuers.push(fakeIssuer('le', { directory_url: 'https://acme-v02.api.letsencrypt.org/directory' }), fakeIssuer('old-ca', {}, false));
    const r = renderApp(fake, manualClock(NOW * 1000));
    const d = await openWizard();
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerAcme }));
    const select = within(d).getByRole('combobox', { name: L.fieldAcmeIssuer }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      L.acmeIssuerOption('le', 'https://acme-v02.api.letsencrypt.org/directory', true),
      L.acmeIssuerOption('old-ca', 'https://127.0.0.1:14000/dir', false),
    ]);
    expect(select.value).toBe('le');
    type(within(d).getByLabelText(L.fieldName), 'site');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=site.example.com');
    type(within(d).getByLabelText(L.fieldDnsNames), 'site.example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    const detail = await screen.findByRole('region', { name: L.certificateDetailRegion('site') });
    expect(callsOf(r.fake, 'certificates:create')[0]).toMatchObject({ policy: { issuer: { name: 'le' } } });
    await waitFor(() => expect(within(detail).getByRole('region', { name: L.policyRegion }).textContent).toContain(L.policyIssuerAcme('le')));
    expect(screen.queryByRole('dialog')).toBeNull();

    const version = useCertificates.getState().versions![0]!.id.split('/').pop()!;
    fireEvent.click(await within(detail).findByRole('button', { name: L.revokeCertificateVersion(version.slice(0, 8)) }));
    const rd = await screen.findByRole('dialog', { name: L.revokeDialog(version.slice(0, 8)) });
    expect(rd.textContent).toContain(L.revokeExplain('acme', 'le'));
    fireEvent.change(within(rd).getByRole('combobox', { name: L.revokeReason }), { target: { value: 'keyCompromise' } });
    fireEvent.click(within(rd).getByRole('button', { name: L.revokeConfirm }));
    expect(await screen.findByText(L.revokedStatus(version.slice(0, 8)))).toBeTruthy();
    expect(vault(r.fake).revoked).toEqual([{ name: 'site', version, reason: 'keyCompromise', time: expect.any(Number) }]);
    // The detail says so, and offers Revoke no more for that version.
    expect(await within(detail).findByText(/^Revoked on .*\(key compromise\)\.$/)).toBeTruthy();
    expect(within(detail).queryByRole('button', { name: L.revokeCertificateVersion(version.slice(0, 8)) })).toBeNull();
  });

  it('Revoke shows only where it can work: a vault CA’s certificate yes, a self-signed one no', async () => {
    renderApp(seeded(), manualClock(NOW * 1000));
    let detail = await openCert('web');
    let short = useCertificates.getState().versions![0]!.id.split('/').pop()!.slice(0, 8);
    expect(within(detail).queryByRole('button', { name: L.revokeCertificateVersion(short) })).toBeNull();
    fireEvent.click(option('api'));
    detail = await screen.findByRole('region', { name: L.certificateDetailRegion('api') });
    await waitFor(() => expect(useCertificates.getState().details?.revoker).toEqual({ kind: 'ca', name: 'issuing' }));
    short = useCertificates.getState().versions![0]!.id.split('/').pop()!.slice(0, 8);
    fireEvent.click(await within(detail).findByRole('button', { name: L.revokeCertificateVersion(short) }));
    const rd = await screen.findByRole('dialog', { name: L.revokeDialog(short) });
    expect(rd.textContent).toContain(L.revokeExplain('ca', 'issuing'));
    expect((within(rd).getByRole('combobox', { name: L.revokeReason }) as HTMLSelectElement).options).toHaveLength(10);
  });

  it('dns-01: the record shows in a dialog while the order waits; "published" lets it finish', async () => {
    const fake = seeded();
    vault(fake).issuers.push(fakeIssuer('le-dns', { challenge: 'dns-01' }));
    const r = renderApp(fake, manualClock(NOW * 1000));
    const d = await openWizard();
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerAcme }));
    type(within(d).getByLabelText(L.fieldName), 'wild');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=wild.example.com');
    type(within(d).getByLabelText(L.fieldDnsNames), 'wild.example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    const dns = await screen.findByRole('alertdialog', { name: L.dnsDialog('wild') });
    const record = within(dns).getByRole('region', { name: L.dnsRecordRegion });
    expect(record.textContent).toContain('_acme-challenge.wild.example.com');
    expect(record.textContent).toContain('TXT');
    expect(record.textContent).toContain(FAKE_TXT_VALUE);
    // The wizard waits under it, inert; the dialog's main button has the focus.
    expect(d.closest('.backdrop')?.hasAttribute('inert')).toBe(true);
    expect(document.activeElement).toBe(within(dns).getByRole('button', { name: L.dnsReadyButton }));
    fireEvent.click(within(dns).getByRole('button', { name: L.dnsReadyButton }));
    await screen.findByRole('region', { name: L.certificateDetailRegion('wild') });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(callsOf(r.fake, 'certificates:dnsReady')).toHaveLength(1);
  });

  it('dns-01: Cancel (or Escape) stops the order; the wizard shows why and stays open; Renew now asks again', async () => {
    const fake = seeded();
    vault(fake).issuers.push(fakeIssuer('le-dns', { challenge: 'dns-01' }));
    vault(fake).certs.set('dns-site', cert('dns-site', { subject: 'CN=dns.example.com', issuer: 'CN=Pebble Intermediate CA', nbf: NOW - 10 * DAY, exp: NOW + 80 * DAY }, { issuer: { name: 'le-dns' } }));
    const r = renderApp(fake, manualClock(NOW * 1000));
    const d = await openWizard();
    fireEvent.click(within(d).getByRole('radio', { name: L.issuerAcme }));
    type(within(d).getByLabelText(L.fieldName), 'never');
    type(within(d).getByLabelText(L.fieldSubject), 'CN=never.example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.createCertificateConfirm }));
    const dns = await screen.findByRole('alertdialog', { name: L.dnsDialog('never') });
    fireEvent.click(within(dns).getByRole('button', { name: L.dnsCancelButton }));
    expect((await within(d).findByRole('alert')).textContent).toContain('cancelled');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(callsOf(r.fake, 'certificates:dnsCancel')).toHaveLength(1);
    fireEvent.click(within(d).getByRole('button', { name: L.cancelButton }));

    // Renew now of a dns-01 certificate: the record again; Escape cancels.
    fireEvent.click(option('dns-site'));
    const detail = await screen.findByRole('region', { name: L.certificateDetailRegion('dns-site') });
    await within(detail).findByRole('table', { name: L.versionsTable });
    fireEvent.click(within(detail).getByRole('button', { name: L.renewButton }));
    const again = await screen.findByRole('alertdialog', { name: L.dnsDialog('dns-site') });
    fireEvent.keyDown(again, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(await screen.findByText(/was cancelled/)).toBeTruthy();
    expect(useCertificates.getState().versions).toHaveLength(1);
  });

  it('a record main no longer waits for (dnsChallengeEnded) closes its dialog', async () => {
    const r = renderApp(seeded(), manualClock(NOW * 1000));
    await goToCertificates();
    const id = '00000000-0000-4000-8000-00000000beef';
    act(() => r.fake.emit({ type: 'dnsChallenge', id, certificate: 'web', name: '_acme-challenge.www.example.com', value: FAKE_TXT_VALUE }));
    await screen.findByRole('alertdialog', { name: L.dnsDialog('web') });
    act(() => r.fake.emit({ type: 'dnsChallengeEnded', id }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });
});

// The renewal months of a validity: the fake's versions last validity_months × 30 days.
void MONTH;

describe('certificate contacts', () => {
  const vault = (fake: FakeCoffer) => fake.vaults.get('/v/work.coffer')!.certificates;

  async function openContacts() {
    await goToCertificates();
    fireEvent.click(screen.getByRole('button', { name: L.contactsButton }));
    return screen.findByRole('dialog', { name: L.contactsDialog });
  }
  const rows = (d: HTMLElement) =>
    within(within(d).getByRole('table', { name: L.contactsTable }))
      .getAllByRole('row')
      .slice(1)
      .map((row) => Array.from(row.children).slice(0, 3).map((c) => c.textContent));

  it('lists the contacts, removes one, adds one (a bad or repeated address is refused before sending), and Save writes the whole list', async () => {
    const fake = seeded();
    vault(fake).contacts = [{ email: 'ops@example.com', name: 'Ops', phone: '+1 555 0100' }, { email: 'old@example.com' }];
    const r = renderApp(fake, manualClock(NOW * 1000));
    const d = await openContacts();
    await within(d).findByRole('table', { name: L.contactsTable });
    expect(rows(d)).toEqual([
      ['ops@example.com', 'Ops', '+1 555 0100'],
      ['old@example.com', '—', '—'],
    ]);
    fireEvent.click(within(d).getByRole('button', { name: L.removeContact('old@example.com') }));
    expect(rows(d)).toEqual([['ops@example.com', 'Ops', '+1 555 0100']]);

    type(within(d).getByLabelText(L.fieldContactEmail), 'not an address');
    fireEvent.click(within(d).getByRole('button', { name: L.addContactButton }));
    expect(await within(d).findByText(L.contactEmailError)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldContactEmail), 'OPS@example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.addContactButton }));
    expect(await within(d).findByText(L.contactDuplicate('OPS@example.com'))).toBeTruthy();
    type(within(d).getByLabelText(L.fieldContactEmail), ' pki@example.com ');
    type(within(d).getByLabelText(L.fieldContactName), 'PKI team');
    fireEvent.click(within(d).getByRole('button', { name: L.addContactButton }));
    expect(rows(d)).toEqual([
      ['ops@example.com', 'Ops', '+1 555 0100'],
      ['pki@example.com', 'PKI team', '—'],
    ]);
    // The form is cleared for the next one; nothing is written before Save.
    expect((within(d).getByLabelText(L.fieldContactEmail) as HTMLInputElement).value).toBe('');
    expect(callsOf(r.fake, 'certificates:setContacts')).toEqual([]);

    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: L.contactsDialog })).toBeNull());
    expect(callsOf(r.fake, 'certificates:setContacts')).toEqual([
      { contacts: [{ email: 'ops@example.com', name: 'Ops', phone: '+1 555 0100' }, { email: 'pki@example.com', name: 'PKI team' }] },
    ]);
    expect(vault(r.fake).contacts).toEqual([{ email: 'ops@example.com', name: 'Ops', phone: '+1 555 0100' }, { email: 'pki@example.com', name: 'PKI team' }]);
    expect(await screen.findByText(L.contactsSaved(2))).toBeTruthy();
  });

  it('an empty list says so; removing every contact and saving deletes them; Cancel writes nothing', async () => {
    const fake = seeded();
    const r = renderApp(fake, manualClock(NOW * 1000));
    let d = await openContacts();
    expect(await within(d).findByText(L.contactsEmpty)).toBeTruthy();
    type(within(d).getByLabelText(L.fieldContactEmail), 'ops@example.com');
    fireEvent.click(within(d).getByRole('button', { name: L.addContactButton }));
    await within(d).findByRole('table', { name: L.contactsTable });
    fireEvent.click(within(d).getByRole('button', { name: L.cancelButton }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: L.contactsDialog })).toBeNull());
    expect(callsOf(r.fake, 'certificates:setContacts')).toEqual([]);

    vault(fake).contacts = [{ email: 'ops@example.com' }];
    fireEvent.click(screen.getByRole('button', { name: L.contactsButton }));
    d = await screen.findByRole('dialog', { name: L.contactsDialog });
    fireEvent.click(await within(d).findByRole('button', { name: L.removeContact('ops@example.com') }));
    expect(within(d).getByText(L.contactsEmpty)).toBeTruthy();
    fireEvent.click(within(d).getByRole('button', { name: L.saveButton }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: L.contactsDialog })).toBeNull());
    expect(callsOf(r.fake, 'certificates:deleteContacts')).toEqual([{}]);
    expect(callsOf(r.fake, 'certificates:setContacts')).toEqual([]);
    expect(vault(r.fake).contacts).toEqual([]);
    expect(await screen.findByText(L.contactsSaved(0))).toBeTruthy();
  });

  it('a member who may not read them sees the engine’s Forbidden in the dialog, and nothing to edit or save', async () => {
    const fake = seeded();
    vault(fake).contacts = [{ email: 'ops@example.com' }];
    vault(fake).contactsForbidden = true;
    renderApp(fake, manualClock(NOW * 1000));
    const d = await openContacts();
    expect((await within(d).findByRole('alert')).textContent).toMatch(/not authorized.*certificatecontacts\/read/);
    expect(within(d).queryByRole('table')).toBeNull();
    expect(within(d).queryByLabelText(L.fieldContactEmail)).toBeNull();
    expect(within(d).queryByRole('button', { name: L.saveButton })).toBeNull();
    fireEvent.click(within(d).getByRole('button', { name: L.doneButton }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: L.contactsDialog })).toBeNull());
  });
});
