/**
 * Certificate policies (certificates/policy.ts): Key Vault's default policy,
 * the rules beyond a policy's shape, the defaults filled in, and the key
 * operations a managed key gets from its X.509 key usage (AKV-REFERENCE.md
 * §3.1, §3.2).
 */
import { describe, expect, it } from 'vitest';
import { defaultCertificatePolicy, issuancePolicy, keyOpsFromKeyUsage } from '../../../../electron/vault/certificates/policy.js';
import { CofferError } from '../../../../electron/vault/errors.js';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CofferError);
    expect((e as CofferError).code).toBe('BadParameter');
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('certificate policies', () => {
  it("the default policy is az's get-default-policy, and issues as it is", () => {
    const d = defaultCertificatePolicy();
    expect(d).toEqual({
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: true },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: { subject: 'CN=CLIGetDefaultPolicy', key_usage: ['cRLSign', 'dataEncipherment', 'digitalSignature', 'keyEncipherment', 'keyAgreement', 'keyCertSign'], validity_months: 12 },
      lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }],
      issuer: { name: 'Self' },
    });
    expect(issuancePolicy(d)).toEqual(d);
    // A fresh copy each time: editing one never changes the next.
    d.x509_props.subject = 'CN=changed';
    expect(defaultCertificatePolicy().x509_props.subject).toBe('CN=CLIGetDefaultPolicy');
  });

  it('fills in what a policy leaves out', () => {
    expect(issuancePolicy({ x509_props: { subject: 'CN=a' } })).toEqual({
      key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: { subject: 'CN=a', key_usage: ['digitalSignature', 'keyEncipherment'], validity_months: 12 },
      lifetime_actions: [],
      issuer: { name: 'Unknown' },
    });
    expect(issuancePolicy({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=a' }, issuer: { name: 'Self' } }).key_props).toEqual({ exportable: true, kty: 'EC', crv: 'P-256', reuse_key: false });
    expect(issuancePolicy({ key_props: { kty: 'EC', crv: 'P-521', key_size: 521 }, x509_props: { subject: 'CN=a' } }).key_props.crv).toBe('P-521');
  });

  it('refuses what Key Vault refuses, naming the field', () => {
    const subject = { subject: 'CN=a' };
    expect(message(() => issuancePolicy(null))).toMatch(/^The certificate policy is invalid: policy is invalid/);
    expect(message(() => issuancePolicy({ x509_props: { subject: 'CN=a', extra: 1 } }))).toMatch(/policy.x509_props: unknown field extra/);
    expect(message(() => issuancePolicy({}))).toMatch(/policy.x509_props.subject is required/);
    expect(message(() => issuancePolicy({ x509_props: { subject: '   ' } }))).toMatch(/subject is required/);
    expect(message(() => issuancePolicy({ key_props: { kty: 'RSA-HSM' }, x509_props: subject }))).toMatch(/no HSM/);
    expect(message(() => issuancePolicy({ key_props: { kty: 'oct' }, x509_props: subject }))).toMatch(/RSA or EC/);
    expect(message(() => issuancePolicy({ key_props: { kty: 'RSA', key_size: 1024 }, x509_props: subject }))).toMatch(/key_size 1024/);
    expect(message(() => issuancePolicy({ key_props: { kty: 'RSA', crv: 'P-256' }, x509_props: subject }))).toMatch(/crv is for EC keys/);
    expect(message(() => issuancePolicy({ key_props: { kty: 'EC', crv: 'P-384', key_size: 256 }, x509_props: subject }))).toMatch(/does not match the curve P-384/);
    expect(message(() => issuancePolicy({ x509_props: { subject: 'CN=a', validity_months: 0 } }))).toMatch(/validity_months must be at least 1/);
    const late = { x509_props: { subject: 'CN=a', validity_months: 2 }, lifetime_actions: [{ trigger: { days_before_expiry: 55 }, action: { action_type: 'AutoRenew' } }] };
    expect(message(() => issuancePolicy(late))).toMatch(/days_before_expiry 55 is more than validity_months × 27 \(54\)/);
    late.lifetime_actions[0]!.trigger.days_before_expiry = 54;
    expect(issuancePolicy(late).lifetime_actions).toHaveLength(1);
    const twice = { x509_props: subject, lifetime_actions: [0, 1].map((i) => ({ trigger: { lifetime_percentage: 50 + i }, action: { action_type: 'AutoRenew' } })) };
    expect(message(() => issuancePolicy(twice))).toMatch(/same action twice/);
    expect(message(() => issuancePolicy({ x509_props: { subject: 'CN=a', ekus: ['not an oid'] } }))).toMatch(/ekus/);
    expect(message(() => issuancePolicy({ secret_props: { contentType: 'text/plain' }, x509_props: subject }))).toMatch(/contentType/);
  });

  it("a managed key's operations come from the key usage, as Key Vault's table says", () => {
    expect(keyOpsFromKeyUsage([])).toEqual(['sign', 'verify', 'wrapKey', 'unwrapKey']);
    expect(keyOpsFromKeyUsage(['digitalSignature'])).toEqual(['sign', 'verify']);
    for (const u of ['nonRepudiation', 'keyCertSign', 'cRLSign'] as const) expect(keyOpsFromKeyUsage([u])).toEqual(['sign', 'verify']);
    expect(keyOpsFromKeyUsage(['keyEncipherment'])).toEqual(['wrapKey', 'unwrapKey']);
    expect(keyOpsFromKeyUsage(['dataEncipherment'])).toEqual(['encrypt', 'decrypt']);
    expect(keyOpsFromKeyUsage(['encipherOnly'])).toEqual(['encrypt']);
    expect(keyOpsFromKeyUsage(['decipherOnly'])).toEqual(['decrypt']);
    expect(keyOpsFromKeyUsage(['keyAgreement'])).toEqual([]);
    expect(keyOpsFromKeyUsage(defaultCertificatePolicy().x509_props.key_usage)).toEqual(['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey']);
  });
});
