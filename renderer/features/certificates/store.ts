/**
 * Certificates as the renderer holds them: the shared object slice (lists,
 * versions, soft delete) plus the details of the version in view (its
 * bundle and policy, the X.509's facts read by main, its chain, a pending
 * request). Private keys never reach the renderer: an export goes from main
 * to the file the user picks in main's save dialog.
 *
 * Also the vault's ACME issuers, and the dns-01 records main asks the user to
 * publish while an order waits (`dnsChallenge` events, answered by
 * `certificates:dnsReady` or `dnsCancel`).
 */
import { create } from 'zustand';
import type { CertificateContact, CertificateIssuerView } from '../../../shared/certificate-types.js';
import type { AppEvent, CertificateContactsView, CertificateDetails, CertificateListItem, CertificateOperationView, ChannelInput, ErrorResult, Result } from '../../../shared/contract.js';
import type { CertificateItem, DeletedCertificateItem } from '../../../shared/keyvault.js';
import { L, shortVersion } from '../../app/labels.js';
import { call } from '../../lib/api.js';
import { versionFromId } from '../../lib/format.js';
import { initialObjects, objectsSlice, type ObjectsState } from '../../lib/objects/store.js';
import { onReset } from '../../lib/reset.js';
import { onVaultChanged } from '../../lib/reload.js';

interface CertificatesExtra {
  /** The details of the current version of the selected certificate. */
  details: CertificateDetails | null;
  loadDetails(): Promise<void>;
  /** For the create wizard: the operation (a pending CSR for a CA outside), or the error. */
  create(input: ChannelInput<'certificates:create'>): Promise<Result<CertificateOperationView>>;
  /** For the dialogs: the error goes back to the dialog, not to the page. */
  importCertificate(input: ChannelInput<'certificates:import'>): Promise<ErrorResult | null>;
  update(input: ChannelInput<'certificates:update'>): Promise<ErrorResult | null>;
  setEnabled(name: string, version: string, enabled: boolean): Promise<void>;
  updatePolicy(input: ChannelInput<'certificates:updatePolicy'>): Promise<ErrorResult | null>;
  /** Main asks where to save, then writes the file; a cancelled save dialog is no error. */
  exportCertificate(input: ChannelInput<'certificates:export'>): Promise<ErrorResult | null>;
  renew(name: string): Promise<void>;
  merge(name: string, file: string): Promise<ErrorResult | null>;
  cancelPending(name: string): Promise<Result<CertificateOperationView>>;
  deletePending(name: string): Promise<Result<CertificateOperationView>>;
  /** After a write to `name`: the list, and its versions and details if it is the one shown. */
  changed(name: string): Promise<void>;
  /** After main renewed certificates on schedule: the list, and the selected one's versions and details if it was renewed. */
  renewed(names: readonly string[]): Promise<void>;
  /** Revokes a version; the status says so. */
  revoke(input: ChannelInput<'certificates:revoke'>): Promise<ErrorResult | null>;

  /** The vault's ACME issuers (null until loaded; empty if this member cannot read them). */
  issuers: CertificateIssuerView[] | null;
  issuersError: string | null;
  loadIssuers(): Promise<void>;
  createIssuer(input: ChannelInput<'certificates:createIssuer'>): Promise<ErrorResult | null>;
  updateIssuer(input: ChannelInput<'certificates:updateIssuer'>): Promise<ErrorResult | null>;
  deleteIssuer(name: string): Promise<ErrorResult | null>;

  /** The vault's certificate contacts, or the error (Forbidden for a member whose roles may not read them). */
  loadContacts(): Promise<Result<CertificateContactsView>>;
  /** Writes the whole list (an empty one deletes the vault's contacts); the status says so. */
  saveContacts(contacts: CertificateContact[]): Promise<ErrorResult | null>;

  /** dns-01 records main waits for the user to publish, oldest first (the dialog shows the first). */
  dnsChallenges: DnsChallenge[];
  /** A `dnsChallenge` or `dnsChallengeEnded` event from main. */
  dnsEvent(event: AppEvent): void;
  /** The user's answer: published (the order goes on) or cancel (it stops). */
  answerDns(id: string, published: boolean): Promise<ErrorResult | null>;
}

export type DnsChallenge = Extract<AppEvent, { type: 'dnsChallenge' }>;

type CertificatesState = ObjectsState<CertificateListItem, DeletedCertificateItem, CertificateItem> & CertificatesExtra;

const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

export const useCertificates = create<CertificatesState>()((set, get) => ({
  ...objectsSlice<CertificateListItem, DeletedCertificateItem, CertificateItem, CertificatesState>(
    {
      list: () => call('certificates:list', {}),
      listVersions: (name) => call('certificates:listVersions', { name }),
      listDeleted: () => call('certificates:listDeleted', {}),
      remove: (name) => call('certificates:delete', { name }),
      recover: (name) => call('certificates:recover', { name }),
      purge: (name) => call('certificates:purge', { name }),
    },
    set,
    get,
    () => ({ details: null }),
  ),
  details: null,
  issuers: null,
  issuersError: null,
  dnsChallenges: [],

  async loadDetails() {
    const name = get().selected;
    if (name === null) return;
    const r = await call('certificates:get', { name });
    if (get().selected !== name) return;
    if (r.ok) set({ details: r.value });
    else set({ error: r.message, details: null });
  },

  async changed(name) {
    const mine = same(get().selected, name);
    await Promise.all([get().loadList(), mine ? get().loadVersions() : undefined, mine ? get().loadDetails() : undefined]);
  },

  async renewed(names) {
    const selected = get().selected;
    const mine = names.some((n) => same(selected, n));
    await Promise.all([get().items === null ? undefined : get().loadList(), mine ? get().loadVersions() : undefined, mine ? get().loadDetails() : undefined]);
  },

  async create(input) {
    const r = await call('certificates:create', input);
    if (r.ok) await get().changed(input.name);
    return r;
  },

  async importCertificate(input) {
    const r = await call('certificates:import', input);
    if (!r.ok) return r;
    await get().changed(input.name);
    return null;
  },

  async update(input) {
    const r = await call('certificates:update', input);
    if (!r.ok) return r;
    await get().changed(input.name);
    return null;
  },

  async setEnabled(name, version, enabled) {
    set({ error: null, status: null });
    const err = await get().update({ name, version, patch: { enabled } });
    if (err) set({ error: err.message });
  },

  async updatePolicy(input) {
    const r = await call('certificates:updatePolicy', input);
    if (!r.ok) return r;
    if (same(get().selected, input.name)) await get().loadDetails();
    return null;
  },

  async exportCertificate(input) {
    const r = await call('certificates:export', input);
    if (!r.ok) return r;
    if (r.value !== null) set({ status: L.exported(r.value.path), error: null });
    return null;
  },

  async renew(name) {
    set({ error: null, status: null });
    const r = await call('certificates:renew', { name });
    if (!r.ok) {
      set({ error: r.message });
      return;
    }
    await get().changed(name);
    const version = r.value.status === 'completed' ? versionFromId(get().versions?.[0]?.id ?? '') : '';
    set({ status: r.value.status === 'completed' ? L.renewed(shortVersion(version)) : L.renewPending });
  },

  async merge(name, file) {
    const r = await call('certificates:mergePending', { name, file });
    if (!r.ok) return r;
    await get().changed(name);
    set({ status: L.merged(name), error: null });
    return null;
  },

  async cancelPending(name) {
    const r = await call('certificates:cancelPending', { name });
    if (r.ok && same(get().selected, name)) await get().loadDetails();
    return r;
  },

  async deletePending(name) {
    const r = await call('certificates:deletePending', { name });
    if (r.ok && same(get().selected, name)) await get().loadDetails();
    return r;
  },

  async revoke(input) {
    const r = await call('certificates:revoke', input);
    if (!r.ok) return r;
    const version = input.version ?? versionFromId(get().details?.bundle.id ?? '');
    // The detail of the version shown now says it is revoked.
    await get().loadDetails();
    set({ status: L.revokedStatus(shortVersion(version)), error: null });
    return null;
  },

  async loadIssuers() {
    const r = await call('certificates:listIssuers', {});
    if (r.ok) set({ issuers: r.value, issuersError: null });
    else set({ issuers: [], issuersError: r.message });
  },

  async createIssuer(input) {
    const r = await call('certificates:createIssuer', input);
    if (!r.ok) return r;
    await get().loadIssuers();
    return null;
  },

  async updateIssuer(input) {
    const r = await call('certificates:updateIssuer', input);
    if (!r.ok) return r;
    await get().loadIssuers();
    return null;
  },

  async deleteIssuer(name) {
    const r = await call('certificates:deleteIssuer', { name });
    if (!r.ok) return r;
    await get().loadIssuers();
    return null;
  },

  loadContacts() {
    return call('certificates:getContacts', {});
  },

  async saveContacts(contacts) {
    const r = contacts.length === 0 ? await call('certificates:deleteContacts', {}) : await call('certificates:setContacts', { contacts });
    if (!r.ok) return r;
    set({ status: L.contactsSaved(contacts.length), error: null });
    return null;
  },

  dnsEvent(e) {
    if (e.type === 'dnsChallenge') set({ dnsChallenges: [...get().dnsChallenges.filter((c) => c.id !== e.id), e] });
    else if (e.type === 'dnsChallengeEnded') set({ dnsChallenges: get().dnsChallenges.filter((c) => c.id !== e.id) });
  },

  async answerDns(id, published) {
    const r = await call(published ? 'certificates:dnsReady' : 'certificates:dnsCancel', { id });
    // Answered, or no longer waited for (NotFound): either way the record's dialog closes.
    if (r.ok || r.code === 'NotFound') {
      set({ dnsChallenges: get().dnsChallenges.filter((c) => c.id !== id) });
      return null;
    }
    return r;
  },
}));

onVaultChanged(async () => void (await Promise.all([useCertificates.getState().reloadShown(), useCertificates.getState().loadDetails()])));
onReset(() =>
  useCertificates.setState({ ...initialObjects<CertificateListItem, DeletedCertificateItem, CertificateItem>(), details: null, issuers: null, issuersError: null, dnsChallenges: [] }),
);
