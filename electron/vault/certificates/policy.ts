/**
 * A certificate policy's meaning (AKV-REFERENCE.md §3.1, §3.2): Key Vault's
 * default policy, the rules a policy must follow to issue a certificate
 * beyond its shape (records.ts checks that), the defaults Key Vault fills in,
 * and the key operations of a certificate's managed key, which come from the
 * X.509 key usage. The certificate operations build on these.
 */
import { badParameter } from '../errors.js';
import { SchemaError } from '../format/schema.js';
import type { KeyOp } from '../keys/records.js';
import { KEY_USAGES, policy as checkPolicyShape, type CertificatePolicy } from './records.js';

export type KeyUsage = (typeof KEY_USAGES)[number];

/** Key Vault's JSON names, each part as a policy to issue with holds it (defaults filled in). */
export interface IssuancePolicy {
  key_props: { exportable: boolean; kty: 'RSA' | 'EC'; key_size?: number; crv?: string; reuse_key: boolean };
  secret_props: { contentType: 'application/x-pkcs12' | 'application/x-pem-file' };
  x509_props: {
    subject: string;
    sans?: { emails?: string[]; dns_names?: string[]; upns?: string[]; uris?: string[]; ipAddresses?: string[] };
    ekus?: string[];
    key_usage: KeyUsage[];
    validity_months: number;
  };
  lifetime_actions: { trigger: { lifetime_percentage?: number; days_before_expiry?: number }; action: { action_type: 'AutoRenew' | 'EmailContacts' } }[];
  issuer: { name: string; cty?: string; cert_transparency?: boolean };
  attributes?: { enabled?: boolean };
}

/**
 * `az keyvault certificate get-default-policy` (azure-cli's default
 * certificate profile, the portal's "Generate" too): self-signed RSA-2048,
 * exportable, key reused on renewal, PFX secret, 12 months, renewed 90 days
 * before expiry. Its subject is meant to be edited.
 */
export function defaultCertificatePolicy(): IssuancePolicy {
  return {
    key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: true },
    secret_props: { contentType: 'application/x-pkcs12' },
    x509_props: {
      subject: 'CN=CLIGetDefaultPolicy',
      key_usage: ['cRLSign', 'dataEncipherment', 'digitalSignature', 'keyEncipherment', 'keyAgreement', 'keyCertSign'],
      validity_months: 12,
    },
    lifetime_actions: [{ trigger: { days_before_expiry: 90 }, action: { action_type: 'AutoRenew' } }],
    issuer: { name: 'Self' },
  };
}

const RSA_KEY_SIZES = [2048, 3072, 4096];
/** Each curve's size in bits, the key_size Key Vault accepts beside crv. */
const EC_CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, 'P-256K': 256 };
/** Key Vault's default key usage when a policy names none (D-crt): digitalSignature and keyEncipherment. */
const DEFAULT_KEY_USAGE: KeyUsage[] = ['digitalSignature', 'keyEncipherment'];
/** Key Vault's validity when a policy gives none. */
const DEFAULT_VALIDITY_MONTHS = 12;
/** Trigger.days_before_expiry is at most validity_months × 27 (S-crt Trigger). */
const DAYS_PER_MONTH_LIMIT = 27;

/**
 * The policy a new certificate is issued with: `input` checked for its shape
 * and for Key Vault's rules, BadParameter naming the field otherwise. Where it
 * is silent: Key Vault's documented defaults (a PFX secret, 12 months,
 * digitalSignature and keyEncipherment, issuer Unknown: a CSR to merge), and
 * for the key, az's default policy (RSA-2048, exportable), except reuse_key:
 * false, a new key at each renewal, unless the policy asks to keep it.
 */
export function issuancePolicy(input: unknown): IssuancePolicy {
  try {
    checkPolicyShape(input, 'policy');
  } catch (e) {
    if (e instanceof SchemaError) throw badParameter(`The certificate policy is invalid: ${e.message}.`);
    throw e;
  }
  const p = input as CertificatePolicy & Partial<Record<keyof IssuancePolicy, Record<string, unknown>>>;
  const k = (p.key_props ?? {}) as Partial<IssuancePolicy['key_props']> & { kty?: string };
  const x = (p.x509_props ?? {}) as Partial<IssuancePolicy['x509_props']>;
  const kty: string = k.kty ?? 'RSA';
  // Coffer keeps keys in the vault file: there is no HSM behind the -HSM types, and a certificate's key is RSA or EC.
  if (kty !== 'RSA' && kty !== 'EC') {
    throw badParameter(kty.endsWith('-HSM') ? `policy.key_props.kty ${kty}: Coffer has no HSM; use RSA or EC.` : `policy.key_props.kty ${kty}: a certificate's key is RSA or EC.`);
  }
  const key: IssuancePolicy['key_props'] = { exportable: k.exportable ?? true, kty: kty as 'RSA' | 'EC', reuse_key: k.reuse_key ?? false };
  if (kty === 'RSA') {
    if (k.crv !== undefined) throw badParameter('policy.key_props.crv is for EC keys, not RSA.');
    const size = k.key_size ?? 2048;
    if (!RSA_KEY_SIZES.includes(size)) throw badParameter(`policy.key_props.key_size ${size}: an RSA key is ${RSA_KEY_SIZES.join(', ')} bits.`);
    key.key_size = size;
  } else {
    const crv = k.crv ?? 'P-256';
    const bits = EC_CURVE_BITS[crv]!;
    if (k.key_size !== undefined && k.key_size !== bits) throw badParameter(`policy.key_props.key_size ${k.key_size} does not match the curve ${crv} (${bits} bits).`);
    key.crv = crv;
  }
  const subject = x.subject?.trim() ?? '';
  if (subject === '') throw badParameter('policy.x509_props.subject is required to issue a certificate (for example "CN=www.example.com").');
  const validity = x.validity_months ?? DEFAULT_VALIDITY_MONTHS;
  if (validity < 1) throw badParameter('policy.x509_props.validity_months must be at least 1.');
  const actions = (p.lifetime_actions ?? []) as IssuancePolicy['lifetime_actions'];
  for (const [i, a] of actions.entries()) {
    const days = a.trigger.days_before_expiry;
    if (days !== undefined && days > validity * DAYS_PER_MONTH_LIMIT) {
      throw badParameter(`policy.lifetime_actions[${i}].trigger.days_before_expiry ${days} is more than validity_months × ${DAYS_PER_MONTH_LIMIT} (${validity * DAYS_PER_MONTH_LIMIT}).`);
    }
  }
  if (new Set(actions.map((a) => a.action.action_type)).size !== actions.length) throw badParameter('policy.lifetime_actions holds the same action twice.');
  const usage = x.key_usage !== undefined && x.key_usage.length > 0 ? [...new Set(x.key_usage)] : DEFAULT_KEY_USAGE;
  return {
    key_props: key,
    secret_props: { contentType: (p.secret_props?.contentType as IssuancePolicy['secret_props']['contentType'] | undefined) ?? 'application/x-pkcs12' },
    x509_props: {
      subject,
      ...(x.sans !== undefined ? { sans: x.sans } : {}),
      ...(x.ekus !== undefined ? { ekus: x.ekus } : {}),
      key_usage: usage,
      validity_months: validity,
    },
    lifetime_actions: actions,
    issuer: { name: 'Unknown', ...(p.issuer as Partial<IssuancePolicy['issuer']> | undefined) },
    ...(p.attributes !== undefined ? { attributes: p.attributes as IssuancePolicy['attributes'] } : {}),
  };
}

/**
 * The key operations of a certificate's managed key, from its X.509 key
 * usage (D-crt): digitalSignature, nonRepudiation, keyCertSign and cRLSign
 * sign and verify; keyEncipherment wraps and unwraps; dataEncipherment
 * encrypts and decrypts; encipherOnly encrypts; decipherOnly decrypts.
 * keyAgreement gives none of Key Vault's operations.
 */
export function keyOpsFromKeyUsage(usage: readonly KeyUsage[]): KeyOp[] {
  const ops = new Set<KeyOp>();
  for (const u of usage.length > 0 ? usage : DEFAULT_KEY_USAGE) {
    switch (u) {
      case 'digitalSignature':
      case 'nonRepudiation':
      case 'keyCertSign':
      case 'cRLSign':
        ops.add('sign').add('verify');
        break;
      case 'keyEncipherment':
        ops.add('wrapKey').add('unwrapKey');
        break;
      case 'dataEncipherment':
        ops.add('encrypt').add('decrypt');
        break;
      case 'encipherOnly':
        ops.add('encrypt');
        break;
      case 'decipherOnly':
        ops.add('decrypt');
        break;
      case 'keyAgreement':
        break;
    }
  }
  // In Key Vault's order of key_ops (S-key JsonWebKeyOperation).
  return (['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] as const).filter((op) => ops.has(op));
}
