/**
 * X.509 certificates and PKCS#10 requests for the certificates object kind:
 * build (self-signed or issued by another key), parse, and PEM framing.
 *
 * Built on @peculiar/x509 over Node's WebCrypto (TOOLCHAIN.md). Every failure
 * is a CofferError('BadParameter') whose message names what is wrong; library
 * messages are never passed on, since some of them quote the input bytes.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the metadata polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import { KEY_USAGES, REVOCATION_REASON_CODES, type RevocationReason } from './records.js';
import { createHash, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { equalBytes, looksLikePem, pemBlocks, toPem } from '../crypto/index.js';
import { badParameter, CofferError } from '../errors.js';

type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[1];
// node:crypto's webcrypto is the object Node also exposes as globalThis.crypto.
x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

type WebCryptoKey = webcrypto.CryptoKey;

// ---------------------------------------------------------------------------
// Names (X.500 distinguished names as Key Vault writes them)
// ---------------------------------------------------------------------------

type StringKind = 'utf8String' | 'printableString' | 'ia5String';
interface AttrType { oid: string; short: string; kind: StringKind }

/** The attribute types a Key Vault subject may use (its docs and .NET's X500DistinguishedName), by upper-case name. */
const ATTRS: Record<string, AttrType> = {};
const BY_OID: Record<string, AttrType> = {};
for (const [names, oid, kind] of [
  [['CN'], '2.5.4.3', 'utf8String'],
  [['SN', 'SURNAME'], '2.5.4.4', 'utf8String'],
  // RFC 5280 4.1.2.4 / appendix A: serialNumber and countryName are PrintableString.
  [['SERIALNUMBER'], '2.5.4.5', 'printableString'],
  [['C'], '2.5.4.6', 'printableString'],
  [['L'], '2.5.4.7', 'utf8String'],
  [['ST', 'S'], '2.5.4.8', 'utf8String'],
  [['STREET'], '2.5.4.9', 'utf8String'],
  [['O'], '2.5.4.10', 'utf8String'],
  [['OU'], '2.5.4.11', 'utf8String'],
  [['T', 'TITLE'], '2.5.4.12', 'utf8String'],
  [['POSTALCODE'], '2.5.4.17', 'utf8String'],
  [['G', 'GN', 'GIVENNAME'], '2.5.4.42', 'utf8String'],
  [['I', 'INITIALS'], '2.5.4.43', 'utf8String'],
  // emailAddress and domainComponent are IA5String (RFC 5280 appendix A, RFC 4519).
  [['E', 'EMAIL', 'EMAILADDRESS'], '1.2.840.113549.1.9.1', 'ia5String'],
  [['DC'], '0.9.2342.19200300.100.1.25', 'ia5String'],
  [['UID'], '0.9.2342.19200300.100.1.1', 'utf8String'],
] as const) {
  const t: AttrType = { oid, short: names[0], kind };
  for (const n of names) ATTRS[n] = t;
  BY_OID[oid] = t;
}

const OID_RE = /^(?:0|1|2)(?:\.(?:0|[1-9][0-9]*))+$/;

export interface DnAttribute { type: string; oid: string; value: string }
/** One RDN (usually a single attribute; `+` joins several). */
export type Rdn = DnAttribute[];

/**
 * Parses a DN as Key Vault writes it ("CN=www.example.com, O=Contoso, C=US"):
 * RFC 4514 syntax, most specific RDN first. Quoted values and backslash
 * escapes are accepted; anything else that is not a plain value is an error.
 * Returns the RDNs in the order written.
 */
export function parseDn(dn: string): Rdn[] {
  if (typeof dn !== 'string' || dn.trim() === '') throw badParameter('The subject name is empty: write it as an X.500 name such as "CN=www.example.com, O=Contoso".');
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  let i = 0;
  const n = dn.length;
  const fail = (what: string): never => {
    throw badParameter(`The name "${dn.length > 200 ? `${dn.slice(0, 200)}…` : dn}" is not a valid X.500 name: ${what}.`);
  };
  const skipSpaces = (): void => {
    while (i < n && dn[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    // attribute type
    const start = i;
    while (i < n && dn[i] !== '=' && dn[i] !== ',' && dn[i] !== '+') i++;
    const rawType = dn.slice(start, i).trim();
    if (i >= n || dn[i] !== '=') fail(rawType === '' ? `an attribute is missing before position ${start + 1}` : `"${rawType}" has no "=" and value`);
    if (rawType === '') fail(`a value has no attribute type before position ${i + 1}`);
    i++; // '='
    let attr: AttrType | undefined = ATTRS[rawType.toUpperCase()];
    if (attr === undefined) {
      const oid = /^OID\./i.test(rawType) ? rawType.slice(4) : rawType;
      if (!OID_RE.test(oid)) fail(`"${rawType}" is not a known attribute type (use CN, O, OU, L, S, C, E, DC, STREET, T, G, SN, SERIALNUMBER, UID or a dotted OID)`);
      attr = BY_OID[oid] ?? { oid, short: oid, kind: 'utf8String' };
    }
    skipSpaces();
    // attribute value
    let value = '';
    if (dn[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = dn[i] as string;
        if (c === '\\') {
          if (i + 1 >= n) break;
          value += dn[i + 1];
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) fail(`the quoted value of ${rawType} has no closing quote`);
      skipSpaces();
    } else {
      if (dn[i] === '#') fail(`the hex-encoded value of ${rawType} is not supported; write the value as text`);
      let trailing = 0; // unescaped spaces at the end are not part of the value (RFC 4514 2.4)
      while (i < n && dn[i] !== ',' && dn[i] !== '+') {
        const c = dn[i] as string;
        if (c === '\\') {
          const next = dn[i + 1];
          if (next === undefined) fail(`the value of ${rawType} ends in a lone backslash`);
          if (/[0-9a-fA-F]/.test(next as string) && /[0-9a-fA-F]/.test(dn[i + 2] ?? '')) {
            // \XX hex pairs are UTF-8 bytes (RFC 4514 3).
            const bytes: number[] = [];
            while (dn[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(dn.slice(i + 1, i + 3))) {
              bytes.push(parseInt(dn.slice(i + 1, i + 3), 16));
              i += 3;
            }
            const text = new TextDecoder('utf-8', { fatal: true });
            try {
              value += text.decode(new Uint8Array(bytes));
            } catch {
              fail(`the escaped bytes in the value of ${rawType} are not UTF-8`);
            }
          } else if (',+"\\<>;=# '.includes(next as string)) {
            value += next;
            i += 2;
          } else {
            fail(`"\\${next}" in the value of ${rawType} is not a valid escape`);
          }
          trailing = 0;
        } else if (c === '"' || c === '<' || c === '>' || c === ';') {
          fail(`"${c}" in the value of ${rawType} must be escaped with a backslash or the value quoted`);
        } else {
          value += c;
          trailing = c === ' ' ? trailing + 1 : 0;
          i++;
        }
      }
      if (trailing > 0) value = value.slice(0, value.length - trailing);
    }
    if (value === '') fail(`${rawType} has an empty value`);
    checkValue(attr, rawType, value, fail);
    rdn.push({ type: attr.short, oid: attr.oid, value });
    if (i >= n) {
      rdns.push(rdn);
      break;
    }
    const sep = dn[i];
    if (sep !== ',' && sep !== '+') fail(`unexpected "${sep}" after the value of ${rawType}`);
    i++;
    if (sep === ',') {
      rdns.push(rdn);
      rdn = [];
    }
    if (dn.slice(i).trim() === '') fail(`it ends with "${sep}"`);
  }
  return rdns;
}

function checkValue(attr: AttrType, rawType: string, value: string, fail: (what: string) => never): void {
  if (attr.oid === '2.5.4.6' && !/^[A-Za-z]{2}$/.test(value)) fail(`the country ${rawType}="${value}" must be a two-letter ISO 3166 code`);
  if (attr.kind === 'printableString' && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) fail(`${rawType} may hold only letters, digits, spaces and ' ( ) + , - . / : = ?`);
  if (attr.kind === 'ia5String' && !/^[\x20-\x7e]*$/.test(value)) fail(`${rawType} may hold only ASCII characters`);
  // RFC 5280 appendix A upper bounds (ub-common-name 64 and the like); 200 leaves room for the rest.
  if ([...value].length > (['2.5.4.3', '2.5.4.10', '2.5.4.11', '2.5.4.7', '2.5.4.8'].includes(attr.oid) ? 64 : 200)) fail(`the value of ${rawType} is too long`);
}

/** The DER order of RFC 5280 Name is least specific first: the reverse of the string (RFC 4514 2.1). */
function toX509Name(dn: string): x509.Name {
  const rdns = parseDn(dn);
  const json: x509.JsonNameParams = rdns
    .slice()
    .reverse()
    .map((rdn) => {
      const rec: Record<string, x509.JsonAttributeObject[]> = {};
      for (const a of rdn) (rec[a.oid] ??= []).push({ [BY_OID[a.oid]?.kind ?? 'utf8String']: a.value });
      return rec;
    });
  return new x509.Name(json);
}

const RDN_SPECIAL = /[,+"\\<>;=]/g;
function escapeDnValue(v: string): string {
  let out = v.replace(RDN_SPECIAL, (c) => `\\${c}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Writes a DER Name the way Key Vault shows it: most specific first, ", " between RDNs (RFC 4514). */
function formatName(name: x509.Name): string {
  const rdns = name.toJSON();
  return rdns
    .slice()
    .reverse()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([key, values]) => {
          const t = ATTRS[key.toUpperCase()] ?? BY_OID[key];
          const label = t?.short ?? key;
          return values.map((v) => `${label}=${escapeDnValue(v)}`);
        })
        .join('+'),
    )
    .join(', ');
}

// ---------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------

export interface SubjectAlternativeNames {
  dns_names?: string[];
  emails?: string[];
  /** User principal names: otherName 1.3.6.1.4.1.311.20.2.3 holding a UTF8String. */
  upns?: string[];
  uris?: string[];
  ipAddresses?: string[];
}

export { KEY_USAGES } from './records.js';
export type KeyUsage = (typeof KEY_USAGES)[number];

function keyUsageFlags(names: readonly string[]): number {
  let flags = 0;
  for (const u of names) {
    if (!(KEY_USAGES as readonly string[]).includes(u)) throw badParameter(`"${u}" is not a key usage; use ${KEY_USAGES.join(', ')}.`);
    flags |= x509.KeyUsageFlags[u as KeyUsage];
  }
  return flags;
}

function keyUsageNames(flags: number): KeyUsage[] {
  return KEY_USAGES.filter((u) => (flags & x509.KeyUsageFlags[u]) !== 0);
}

const DNS_RE = /^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

function sanExtension(sans: SubjectAlternativeNames | undefined): x509.SubjectAlternativeNameExtension | undefined {
  if (sans === undefined) return undefined;
  const names: x509.JsonGeneralName[] = [];
  const list = (field: keyof SubjectAlternativeNames): string[] => {
    const v = sans[field];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badParameter(`sans.${field} must be a list of strings.`);
    return v;
  };
  for (const d of list('dns_names')) {
    if (d.length > 253 || !DNS_RE.test(d)) throw badParameter(`The DNS name "${d}" is not a valid host name.`);
    names.push({ type: 'dns', value: d });
  }
  for (const e of list('emails')) {
    if (!EMAIL_RE.test(e) || !/^[\x20-\x7e]+$/.test(e)) throw badParameter(`The email address "${e}" is not valid (an ASCII address such as admin@contoso.com).`);
    names.push({ type: 'email', value: e });
  }
  for (const u of list('upns')) {
    if (!EMAIL_RE.test(u)) throw badParameter(`The user principal name "${u}" is not valid (user@domain).`);
    names.push({ type: 'upn', value: u });
  }
  for (const u of list('uris')) {
    let ok: boolean;
    try {
      ok = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(u) && new URL(u).protocol !== '' && /^[\x21-\x7e]+$/.test(u);
    } catch {
      ok = false;
    }
    if (!ok) throw badParameter(`The URI "${u}" is not an absolute URI such as https://contoso.com/app.`);
    names.push({ type: 'url', value: u });
  }
  for (const ip of list('ipAddresses')) {
    if (isIP(ip) === 0) throw badParameter(`The IP address "${ip}" is not a valid IPv4 or IPv6 address.`);
    names.push({ type: 'ip', value: ip });
  }
  if (names.length === 0) return undefined;
  return new x509.SubjectAlternativeNameExtension(names, false);
}

function nameConstraintsExtension(nc: CertificateInput['nameConstraints'], isCa: boolean): x509.Extension | undefined {
  if (nc === undefined) return undefined;
  if (!isCa) throw badParameter('Name constraints belong in a CA certificate only (RFC 5280 4.2.1.10).');
  const subtrees = (names: unknown, which: string): GeneralSubtrees | undefined => {
    if (names === undefined) return undefined;
    if (!Array.isArray(names) || names.some((d) => typeof d !== 'string')) throw badParameter(`The ${which} DNS names must be a list of names.`);
    if (names.length === 0) return undefined;
    for (const d of names as string[]) {
      if (d.length > 253 || d.startsWith('*') || !DNS_RE.test(d)) throw badParameter(`The ${which} DNS name "${d}" is not a host or domain name (example.com covers its subdomains).`);
    }
    return new GeneralSubtrees((names as string[]).map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) })));
  };
  const permittedSubtrees = subtrees(nc.permittedDns, 'permitted');
  const excludedSubtrees = subtrees(nc.excludedDns, 'excluded');
  if (!permittedSubtrees && !excludedSubtrees) return undefined;
  const value = AsnConvert.serialize(new NameConstraints({ ...(permittedSubtrees ? { permittedSubtrees } : {}), ...(excludedSubtrees ? { excludedSubtrees } : {}) }));
  // RFC 5280 4.2.1.10: conforming CAs MUST mark this extension as critical.
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

function ekuExtension(ekus: readonly string[] | undefined): x509.ExtendedKeyUsageExtension | undefined {
  if (ekus === undefined || ekus.length === 0) return undefined;
  for (const e of ekus) if (typeof e !== 'string' || !OID_RE.test(e)) throw badParameter(`The extended key usage "${String(e)}" is not a dotted OID such as 1.3.6.1.5.5.7.3.1.`);
  return new x509.ExtendedKeyUsageExtension([...ekus], false);
}

/** SANs as read from a certificate or request: always all five lists. */
export interface ParsedSans {
  dns_names: string[];
  emails: string[];
  upns: string[];
  uris: string[];
  ipAddresses: string[];
}

const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** RFC 5952 text of an IPv6 address: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
function ipv6Text(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/**
 * Reads the GeneralNames of a subjectAltName (RFC 5280 4.2.1.6) with asn1js:
 * the five kinds Key Vault's policy has; other kinds (directoryName,
 * registeredID, other otherNames) are valid but have no place in it and are skipped.
 */
function readSans(ext: x509.Extension | null): ParsedSans {
  const out: ParsedSans = { dns_names: [], emails: [], upns: [], uris: [], ipAddresses: [] };
  if (ext === null) return out;
  const bytes = new Uint8Array(ext.value);
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset !== bytes.length || !(parsed.result instanceof asn1js.Sequence)) throw new Error('san');
  const ascii = (v: Uint8Array): string => {
    if (!v.every((c) => c >= 0x20 && c < 0x7f)) throw new Error('ia5');
    return Buffer.from(v).toString('latin1');
  };
  for (const gn of parsed.result.valueBlock.value) {
    if (gn.idBlock.tagClass !== 3) throw new Error('general name');
    const prim = (): Uint8Array => {
      if (gn.idBlock.isConstructed) throw new Error('primitive');
      return new Uint8Array((gn.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
    };
    switch (gn.idBlock.tagNumber) {
      case 0: {
        // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
        const [id, wrapped] = (gn.valueBlock as unknown as { value: asn1js.AsnType[] }).value;
        if (!(id instanceof asn1js.ObjectIdentifier) || wrapped === undefined) throw new Error('otherName');
        if (id.valueBlock.toString() !== UPN_OID) break;
        const inner = (wrapped.valueBlock as unknown as { value?: asn1js.AsnType[] }).value?.[0];
        if (!(inner instanceof asn1js.Utf8String)) throw new Error('upn');
        out.upns.push(inner.valueBlock.value);
        break;
      }
      case 1:
        out.emails.push(ascii(prim()));
        break;
      case 2:
        out.dns_names.push(ascii(prim()));
        break;
      case 6:
        out.uris.push(ascii(prim()));
        break;
      case 7: {
        const ip = prim();
        if (ip.length === 4) out.ipAddresses.push(Array.from(ip).join('.'));
        else if (ip.length === 16) out.ipAddresses.push(ipv6Text(ip));
        else throw new Error('ip');
        break;
      }
      default:
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

interface KeyAlg {
  importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  signParams: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

const EC_HASH: Record<string, string> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };
const NODE_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };

/** RSA signs with sha256WithRSAEncryption (PKCS#1 v1.5); EC with the SHA-2 matching the curve (RFC 5758 3.2 pairing). */
function algorithmOf(key: KeyObject, role: string): KeyAlg {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (![2048, 3072, 4096].includes(bits)) throw badParameter(`The ${role} is RSA-${bits}; certificates take RSA 2048, 3072 or 4096.`);
    const p = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { importParams: p, signParams: p };
  }
  if (type === 'ec') {
    const curve = NODE_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve === undefined) throw badParameter(`The ${role} is on curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}; certificates take P-256, P-384 or P-521.`);
    return { importParams: { name: 'ECDSA', namedCurve: curve }, signParams: { name: 'ECDSA', hash: EC_HASH[curve] as string } };
  }
  if (type === 'ed25519') return { importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } };
  throw badParameter(`The ${role} is a ${type ?? 'symmetric'} key; certificates take RSA, EC (P-256, P-384, P-521) or Ed25519 keys.`);
}

function requireKey(key: unknown, kind: 'public' | 'private', role: string): KeyObject {
  const k = key as KeyObject | undefined;
  if (k === null || typeof k !== 'object' || typeof k.export !== 'function' || (k.type !== 'public' && k.type !== 'private')) {
    throw badParameter(`The ${role} must be a Node KeyObject.`);
  }
  if (kind === 'private' && k.type !== 'private') throw badParameter(`The ${role} must be a private key.`);
  return k;
}

function spkiOf(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

async function importPublic(key: KeyObject, role: string): Promise<WebCryptoKey> {
  const alg = algorithmOf(key, role);
  const usages: webcrypto.KeyUsage[] = ['verify'];
  return webcrypto.subtle.importKey('spki', spkiOf(key), alg.importParams, true, usages);
}

async function importPrivate(key: KeyObject, role: string): Promise<{ key: WebCryptoKey; sign: KeyAlg['signParams'] }> {
  const alg = algorithmOf(key, role);
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  try {
    const k = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg.importParams, false, ['sign']);
    return { key: k, sign: alg.signParams };
  } finally {
    pkcs8.fill(0);
  }
}

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

export interface CertificateInput {
  /** Subject DN as Key Vault writes it: "CN=www.example.com, O=Contoso, C=US". */
  subject: string;
  /** Issuer DN; defaults to the issuer certificate's subject, else to the subject (self-signed). */
  issuer?: string;
  /**
   * DER certificate of the issuer, when there is one: its subject becomes the
   * issuer name byte for byte and its subjectKeyIdentifier the authority key
   * identifier (RFC 5280 4.2.1.1), however its SKI was computed.
   */
  issuerCertificate?: Uint8Array;
  subjectPublicKey: KeyObject;
  /** Signs the certificate; the subject's own private key for a self-signed one. */
  issuerPrivateKey: KeyObject;
  sans?: SubjectAlternativeNames;
  /** Extended key usage OIDs. */
  ekus?: string[];
  keyUsage?: string[];
  notBefore?: Date;
  /** Key Vault's validity_months; ignored when notAfter is given. Default 12. */
  validityMonths?: number;
  notAfter?: Date;
  /** Hex serial; a random positive 16-byte one when absent. */
  serialHex?: string;
  basicConstraints?: { ca: boolean; pathLength?: number };
  /**
   * A CA's name constraints (RFC 5280 4.2.1.10, critical): DNS names it may
   * (permitted) or may not (excluded) issue for, each with every name under it.
   */
  nameConstraints?: { permittedDns?: string[]; excludedDns?: string[] };
}

function checkDate(d: unknown, what: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw badParameter(`${what} must be a valid date.`);
  return d;
}

function addMonths(d: Date, months: number): Date {
  const out = new Date(d.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}

/** RFC 5280 4.1.2.2: positive, at most 20 octets. Random ones are 16 bytes with the top bit clear. */
function serialOf(hex: string | undefined): string {
  if (hex === undefined) {
    const b = randomBytes(16);
    b[0] = ((b[0] as number) & 0x7f) | 0x01;
    return b.toString('hex');
  }
  const h = hex.replace(/:/g, '');
  if (!/^[0-9a-fA-F]+$/.test(h) || /^0*$/.test(h)) throw badParameter('The serial number must be a positive hexadecimal number.');
  const trimmed = h.replace(/^0+/, '');
  if (trimmed.length > 40 || (trimmed.length === 40 && parseInt(trimmed[0] as string, 16) >= 8)) throw badParameter('The serial number is longer than 20 bytes (RFC 5280 4.1.2.2).');
  return trimmed.length % 2 === 1 ? `0${trimmed}` : trimmed;
}

/** Builds and signs an X.509 v3 certificate (RFC 5280); returns its DER. */
export async function buildCertificate(input: CertificateInput): Promise<Uint8Array> {
  if (input === null || typeof input !== 'object') throw badParameter('The certificate input is missing.');
  const subjectKey = requireKey(input.subjectPublicKey, 'public', 'subject public key');
  const issuerKey = requireKey(input.issuerPrivateKey, 'private', 'issuer private key');
  const subject = toX509Name(input.subject);
  let issuerCert: x509.X509Certificate | undefined;
  if (input.issuerCertificate !== undefined) {
    requireDer(input.issuerCertificate, 'issuer certificate');
    try {
      issuerCert = new x509.X509Certificate(new Uint8Array(input.issuerCertificate));
    } catch {
      throw badParameter('The issuer certificate is not a valid DER X.509 certificate.');
    }
  }
  const issuer = input.issuer !== undefined || issuerCert === undefined ? toX509Name(input.issuer ?? input.subject) : issuerCert.subjectName;
  const notBefore = checkDate(input.notBefore ?? new Date(), 'notBefore');
  let notAfter: Date;
  if (input.notAfter !== undefined) {
    notAfter = checkDate(input.notAfter, 'notAfter');
  } else {
    const months = input.validityMonths ?? 12;
    if (!Number.isInteger(months) || months < 1 || months > 1200) throw badParameter('validity_months must be a whole number of months from 1 to 1200.');
    notAfter = addMonths(notBefore, months);
  }
  if (notAfter.getTime() <= notBefore.getTime()) throw badParameter('notAfter must be later than notBefore.');
  const serialNumber = serialOf(input.serialHex);

  const subjectSpki = spkiOf(subjectKey);
  const issuerSpki = spkiOf(issuerKey);
  const selfSigned = equalBytes(subjectSpki, issuerSpki);
  if (issuerCert !== undefined && !equalBytes(new Uint8Array(issuerCert.publicKey.rawData), issuerSpki)) {
    throw badParameter('The issuer private key does not match the issuer certificate.');
  }

  const publicKey = await importPublic(subjectKey, 'subject public key');
  const signer = await importPrivate(issuerKey, 'issuer private key');

  const extensions: x509.Extension[] = [];
  const bc = input.basicConstraints;
  if (bc !== undefined) {
    if (bc.pathLength !== undefined && (!Number.isInteger(bc.pathLength) || bc.pathLength < 0 || !bc.ca)) {
      throw badParameter('pathLength must be a whole number of 0 or more, and only on a CA certificate.');
    }
    // RFC 5280 4.2.1.9: critical in CA certificates.
    extensions.push(new x509.BasicConstraintsExtension(bc.ca, bc.pathLength, bc.ca));
  }
  const nc = nameConstraintsExtension(input.nameConstraints, bc?.ca === true);
  if (nc) extensions.push(nc);
  if (input.keyUsage !== undefined && input.keyUsage.length > 0) {
    // RFC 5280 4.2.1.3: conforming CAs mark keyUsage critical.
    extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(input.keyUsage), true));
  }
  const eku = ekuExtension(input.ekus);
  if (eku) extensions.push(eku);
  const san = sanExtension(input.sans);
  if (san) extensions.push(san);
  // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey as unknown as CryptoKeyLike, false));
  if (!selfSigned) {
    // RFC 5280 4.2.1.1: the issuer's SKI when its certificate is known, else its key's identifier computed as above.
    const issuerSki = issuerCert?.getExtension(x509.SubjectKeyIdentifierExtension);
    if (issuerSki) {
      extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId, false));
    } else {
      const issuerPublic = await importPublic(createPublicKey(issuerKey), 'issuer private key');
      extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerPublic as unknown as CryptoKeyLike, false));
    }
  }

  let cert: x509.X509Certificate;
  try {
    cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject,
      issuer,
      notBefore,
      notAfter,
      publicKey: publicKey as unknown as CryptoKeyLike,
      signingKey: signer.key as unknown as CryptoKeyLike,
      signingAlgorithm: signer.sign,
      extensions,
    });
  } catch {
    throw badParameter('The certificate could not be signed with the issuer key.');
  }
  return new Uint8Array(cert.rawData);
}

type CryptoKeyLike = x509.X509CertificateCreateWithKeyParams['signingKey'];

export interface CsrInput {
  subject: string;
  /** The request is signed with this key; its public half is the requested one. */
  privateKey: KeyObject;
  sans?: SubjectAlternativeNames;
  ekus?: string[];
  keyUsage?: string[];
}

/** Builds a PKCS#10 request (RFC 2986) with the extensions in an extensionRequest attribute (RFC 2985 5.4.2). */
export async function buildCsr(input: CsrInput): Promise<Uint8Array> {
  if (input === null || typeof input !== 'object') throw badParameter('The CSR input is missing.');
  const key = requireKey(input.privateKey, 'private', 'CSR private key');
  const name = toX509Name(input.subject);
  const extensions: x509.Extension[] = [];
  if (input.keyUsage !== undefined && input.keyUsage.length > 0) extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(input.keyUsage), true));
  const eku = ekuExtension(input.ekus);
  if (eku) extensions.push(eku);
  const san = sanExtension(input.sans);
  if (san) extensions.push(san);
  const publicKey = await importPublic(key, 'CSR private key');
  const signer = await importPrivate(key, 'CSR private key');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name,
      keys: { publicKey, privateKey: signer.key } as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
      signingAlgorithm: signer.sign,
      extensions,
    });
  } catch {
    throw badParameter('The certificate request could not be signed with the key.');
  }
  return new Uint8Array(csr.rawData);
}

export interface CrlInput {
  /** DER certificate of the CA: its subject is the CRL's issuer, its SKI the authority key identifier. */
  issuerCertificate: Uint8Array;
  issuerPrivateKey: KeyObject;
  /** RFC 5280 5.2.3: increases with each CRL the CA issues. */
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Hex serials, revocation times and RFC 5280 5.3.1 reason names. */
  revoked: { serialHex: string; time: Date; reason: string }[];
}


/** A version 2 CRL (RFC 5280 5) signed by the CA, with its CRL number and authority key identifier. */
export async function buildCrl(input: CrlInput): Promise<Uint8Array> {
  requireDer(input.issuerCertificate, 'issuer certificate');
  const issuerKey = requireKey(input.issuerPrivateKey, 'private', 'issuer private key');
  let issuerCert: x509.X509Certificate;
  try {
    issuerCert = new x509.X509Certificate(new Uint8Array(input.issuerCertificate));
  } catch {
    throw badParameter('The issuer certificate is not a valid DER X.509 certificate.');
  }
  if (!equalBytes(new Uint8Array(issuerCert.publicKey.rawData), spkiOf(issuerKey))) throw badParameter('The issuer private key does not match the issuer certificate.');
  const signer = await importPrivate(issuerKey, 'issuer private key');
  const extensions: x509.Extension[] = [new x509.Extension('2.5.29.20', false, new asn1js.Integer({ value: input.number }).toBER())];
  const ski = issuerCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) extensions.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId, false));
  let crl: x509.X509Crl;
  try {
    crl = await x509.X509CrlGenerator.create({
      issuer: issuerCert.subjectName,
      thisUpdate: input.thisUpdate,
      nextUpdate: input.nextUpdate,
      signingKey: signer.key as unknown as x509.X509CrlCreateParams['signingKey'],
      signingAlgorithm: signer.sign,
      extensions,
      entries: input.revoked.map((r) => ({
        serialNumber: serialOf(r.serialHex),
        revocationDate: r.time,
        ...(r.reason !== 'unspecified' && r.reason in REVOCATION_REASON_CODES ? { reason: REVOCATION_REASON_CODES[r.reason as RevocationReason] as x509.X509CrlReason } : {}),
      })),
    });
  } catch {
    throw badParameter('The CRL could not be signed with the CA key.');
  }
  return new Uint8Array(crl.rawData);
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

export interface ParsedCertificate {
  subject: string;
  issuer: string;
  /** The serial's value in lower-case hex, as `openssl x509 -serial` prints it (no sign byte). */
  serialHex: string;
  /** Unix seconds. */
  notBefore: number;
  notAfter: number;
  sans: ParsedSans;
  ekus: string[];
  keyUsage: KeyUsage[];
  isCa: boolean;
  pathLength?: number;
  /** Key Vault's x5t: base64url SHA-1 of the DER. */
  x5t: string;
  /** Hex SHA-256 of the DER. */
  sha256: string;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
}

function requireDer(der: unknown, what: string): Uint8Array {
  if (!(der instanceof Uint8Array)) throw badParameter(`The ${what} must be DER bytes.`);
  if (der.length === 0) throw badParameter(`The ${what} is empty.`);
  // Every DER structure here is a SEQUENCE; catching other input early keeps library messages out.
  if (der[0] !== 0x30) throw badParameter(`The ${what} is not DER: it does not start with an ASN.1 SEQUENCE (is it PEM or base64 text?).`);
  // The thumbprints hash every byte given, so the structure must end exactly where the input does.
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) throw badParameter(`The ${what} is not valid DER: it is truncated or its lengths are wrong.`);
  if (parsed.offset !== der.length) throw badParameter(`The ${what} has ${der.length - parsed.offset} extra bytes after its end.`);
  return der;
}

/** Decodes one extension, naming it when it is malformed. */
function ext<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CofferError) throw e;
    throw badParameter(`The ${what} extension is malformed.`);
  }
}

function extensionFacts(get: (oid: string) => x509.Extension | null): Pick<ParsedCertificate, 'sans' | 'ekus' | 'keyUsage'> {
  const sans = ext('subject alternative name', () => readSans(get('2.5.29.17')));
  const ekus = ext('extended key usage', () => {
    const e = get('2.5.29.37');
    return e === null ? [] : new x509.ExtendedKeyUsageExtension(e.rawData).usages.map(String);
  });
  const keyUsage = ext('key usage', () => {
    const e = get('2.5.29.15');
    return e === null ? [] : keyUsageNames(new x509.KeyUsagesExtension(e.rawData).usages);
  });
  return { sans, ekus, keyUsage };
}

/** Reads the fields Key Vault shows of a certificate (RFC 5280). */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  requireDer(der, 'certificate');
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch {
    throw badParameter('The certificate is not a valid DER X.509 certificate.');
  }
  let subject: string;
  let issuer: string;
  let serialHex: string;
  let notBefore: number;
  let notAfter: number;
  let spki: Uint8Array;
  try {
    subject = formatName(cert.subjectName);
    issuer = formatName(cert.issuerName);
    serialHex = cert.serialNumber.toLowerCase().replace(/^(?:00)+(?=[0-9a-f]{2})/, '');
    if (serialHex.length % 2 === 1) serialHex = `0${serialHex}`;
    notBefore = Math.floor(cert.notBefore.getTime() / 1000);
    notAfter = Math.floor(cert.notAfter.getTime() / 1000);
    spki = new Uint8Array(cert.publicKey.rawData);
  } catch {
    throw badParameter('The certificate is not a valid X.509 certificate: its names, validity or public key cannot be read.');
  }
  const get = (oid: string): x509.Extension | null => cert.getExtension(oid);
  const facts = extensionFacts(get);
  const bc = ext('basic constraints', () => {
    const e = get('2.5.29.19');
    return e === null ? null : new x509.BasicConstraintsExtension(e.rawData);
  });
  const out: ParsedCertificate = {
    subject,
    issuer,
    serialHex,
    notBefore,
    notAfter,
    ...facts,
    isCa: bc?.ca ?? false,
    x5t: createHash('sha1').update(der).digest('base64url'),
    sha256: createHash('sha256').update(der).digest('hex'),
    spki,
  };
  if (bc?.ca && bc.pathLength !== undefined) out.pathLength = bc.pathLength;
  return out;
}

export interface ParsedCsr {
  subject: string;
  sans: ParsedSans;
  ekus: string[];
  keyUsage: KeyUsage[];
  spki: Uint8Array;
  /** Whether the request's self-signature verifies with its own public key (RFC 2986 3). */
  signatureValid: boolean;
}

/** Reads a PKCS#10 request (RFC 2986) and checks its signature. */
export async function parseCsr(der: Uint8Array): Promise<ParsedCsr> {
  requireDer(der, 'certificate request');
  let csr: x509.Pkcs10CertificateRequest;
  let subject: string;
  let spki: Uint8Array;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
    subject = formatName(csr.subjectName);
    spki = new Uint8Array(csr.publicKey.rawData);
  } catch {
    throw badParameter('The certificate request is not a valid DER PKCS#10 request.');
  }
  const facts = extensionFacts((oid) => csr.getExtension(oid));
  let signatureValid: boolean;
  try {
    signatureValid = await csr.verify();
  } catch {
    signatureValid = false;
  }
  return { subject, ...facts, spki, signatureValid };
}

// ---------------------------------------------------------------------------
// PEM (RFC 7468)
// ---------------------------------------------------------------------------

export type PemLabel = 'CERTIFICATE' | 'CERTIFICATE REQUEST' | 'X509 CRL';

/**
 * Every block with the label in a PEM text, decoded (crypto/pem.ts, RFC 7468
 * strict base64). Blocks with other labels (a private key next to the
 * certificates) are skipped. "NEW CERTIFICATE REQUEST" is read as
 * "CERTIFICATE REQUEST" (RFC 7468 §7). None is BadParameter.
 */
export function pemToDers(text: string, label: PemLabel): Uint8Array[] {
  const out = pemBlocks(text, label === 'CERTIFICATE REQUEST' ? [label, 'NEW CERTIFICATE REQUEST'] : [label]);
  if (out.length === 0) {
    throw badParameter(looksLikePem(text) ? `The PEM text has no "${label}" block.` : `The text is not PEM: it has no "-----BEGIN ${label}-----" line.`);
  }
  return out;
}

/** PEM with 64-character lines (RFC 7468 2). */
export function derToPem(der: Uint8Array, label: PemLabel): string {
  if (!(der instanceof Uint8Array) || der.length === 0) throw badParameter(`The ${label} DER bytes are missing.`);
  if (label !== 'CERTIFICATE' && label !== 'CERTIFICATE REQUEST') throw badParameter(`"${String(label)}" is not a PEM label Coffer writes.`);
  return toPem(label, der);
}
