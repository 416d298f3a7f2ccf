/**
 * PKCS#12 (PFX) files for the certificates object kind: Key Vault's secret of a
 * certificate is a PFX with an empty password, and ImportCertificate takes one.
 *
 * Structures are read and written with pkijs/asn1js; the cryptography is Node's
 * (PBKDF2, AES-CBC, 3DES, HMAC, the RFC 7292 appendix B key derivation), except
 * RC2, which Node's OpenSSL 3 keeps in its legacy provider: node-forge decrypts
 * it, for reading `openssl pkcs12 -export -legacy` files only (TOOLCHAIN.md).
 * Errors are CofferError('BadParameter') that never hold the password or key bytes.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import forge from 'node-forge';
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, pbkdf2Sync, randomBytes } from 'node:crypto';
import { equalBytes } from '../crypto/index.js';
import { badParameter, CofferError } from '../errors.js';
import { parseCertificate } from './x509.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  hmacWithSHA256: '1.2.840.113549.2.9',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** OpenSSL 3's `openssl pkcs12 -export` defaults (PKCS12_DEFAULT_ITER, PKCS5_SALT_LEN is 8; we use 16). */
const ITERATIONS = 2048;
const SALT_BYTES = 16;
/** Files asking for more iterations than this are refused: an import must not hang the vault. */
const MAX_ITERATIONS = 2_000_000;

const WRONG_PASSWORD = 'The PFX password is wrong, or the file is damaged.';

// ---------------------------------------------------------------------------
// Key derivation (RFC 7292 appendix B) and the ciphers
// ---------------------------------------------------------------------------

const HASHES: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  [OID.sha256]: { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

/** The password as RFC 7292 B.1 wants it for its own KDF: BMPString, big-endian, with a two-byte NUL terminator. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 B.2: id 1 = key, 2 = IV, 3 = MAC key. `pass` is the BMPString password (or empty). */
function pkcs12Kdf(hashOid: string, pass: Uint8Array, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, n: number): Buffer {
  const h = HASHES[hashOid];
  if (h === undefined) throw badParameter('The PFX uses a MAC or PBE hash Coffer does not support.');
  const { u, v } = h;
  const D = Buffer.alloc(v, id);
  const fill = (src: Uint8Array): Buffer => {
    const len = src.length === 0 ? 0 : v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  const S = fill(salt);
  const P = fill(pass);
  const I = Buffer.concat([S, P]);
  P.fill(0);
  const c = Math.ceil(n / u);
  const result = Buffer.alloc(c * u);
  for (let i = 0; i < c; i++) {
    let A = createHash(h.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(h.name).update(A).digest();
    A.copy(result, i * u);
    if (i === c - 1) break;
    const B = Buffer.alloc(v);
    for (let k = 0; k < v; k++) B[k] = A[k % u] as number;
    // I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (I[j + k] as number) + (B[k] as number) + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  I.fill(0);
  const out = Buffer.from(result.subarray(0, n));
  result.fill(0);
  return out;
}

const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  [OID.hmacWithSHA256]: 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const PBES2_CIPHERS: Record<string, { name: string; keyLen: number; ivLen: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLen: 16, ivLen: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLen: 24, ivLen: 16 },
  [OID.aes256cbc]: { name: 'aes-256-cbc', keyLen: 32, ivLen: 16 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
};
/** RFC 7292 appendix C PBE ids over the appendix B KDF with SHA-1. */
const PKCS12_PBE: Record<string, { cipher: 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2'; keyLen: number; rc2Bits?: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLen: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLen: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLen: 16, rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLen: 5, rc2Bits: 40 },
};

class WrongPassword extends Error {}

function checkIterations(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw badParameter('The PFX has an invalid iteration count.');
  if (n > MAX_ITERATIONS) throw badParameter(`The PFX asks for ${n} key-derivation iterations; Coffer accepts at most ${MAX_ITERATIONS}.`);
  return n;
}

function decipher(name: string, key: Buffer, iv: Uint8Array, data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  try {
    const d = createDecipheriv(name, key, iv);
    parts.push(d.update(data));
    parts.push(d.final());
    return Buffer.concat(parts);
  } catch {
    // A bad padding after decryption is what a wrong password looks like without a MAC.
    throw new WrongPassword();
  } finally {
    key.fill(0);
    for (const p of parts) p.fill(0);
  }
}

/** node-forge works on binary strings, which cannot be wiped; only our own buffers are. */
function rc2Decrypt(key: Buffer, bits: number, iv: Buffer, data: Uint8Array): Buffer {
  const c = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), bits);
  key.fill(0);
  c.start(forge.util.createBuffer(iv.toString('binary')));
  c.update(forge.util.createBuffer(Buffer.from(data).toString('binary')));
  if (!c.finish()) throw new WrongPassword();
  return Buffer.from(c.output.getBytes(), 'binary');
}

/** Decrypts with the algorithm an EncryptedPrivateKeyInfo or EncryptedContentInfo names (PBES2 per RFC 8018 6.2, or RFC 7292 appendix C). */
function pbeDecrypt(alg: pkijs.AlgorithmIdentifier, data: Uint8Array, password: string): Buffer {
  const id = alg.algorithmId;
  if (id === OID.pbes2) {
    let params: pkijs.PBES2Params;
    let kdf: pkijs.PBKDF2Params;
    try {
      params = new pkijs.PBES2Params({ schema: alg.algorithmParams });
      if (params.keyDerivationFunc.algorithmId !== OID.pbkdf2) throw badParameter('The PFX uses a PBES2 key derivation other than PBKDF2.');
      kdf = new pkijs.PBKDF2Params({ schema: params.keyDerivationFunc.algorithmParams });
    } catch (e) {
      if (e instanceof CofferError) throw e;
      throw badParameter('The PFX has malformed PBES2 parameters.');
    }
    const cipher = PBES2_CIPHERS[params.encryptionScheme.algorithmId];
    if (cipher === undefined) throw badParameter('The PFX is encrypted with a cipher Coffer does not support (AES-CBC or 3DES only).');
    const prf = PRF[kdf.prf?.algorithmId ?? '1.2.840.113549.2.7'];
    if (prf === undefined) throw badParameter('The PFX uses a PBKDF2 hash Coffer does not support.');
    const ivObj = params.encryptionScheme.algorithmParams as unknown;
    if (!(ivObj instanceof asn1js.OctetString)) throw badParameter('The PFX has no IV for its cipher.');
    const iv = octets(ivObj);
    if (iv.length !== cipher.ivLen) throw badParameter('The PFX has an IV of the wrong length.');
    if (!(kdf.salt instanceof asn1js.OctetString)) throw badParameter('The PFX has a PBKDF2 salt Coffer does not support.');
    if (kdf.keyLength !== undefined && kdf.keyLength !== cipher.keyLen) throw badParameter('The PFX has a PBKDF2 key length that does not match its cipher.');
    // RFC 8018 and OpenSSL: PBES2 takes the password's UTF-8 bytes, not the BMPString of RFC 7292 B.1.
    const pass = Buffer.from(password, 'utf8');
    const key = pbkdf2Sync(pass, octets(kdf.salt), checkIterations(kdf.iterationCount), cipher.keyLen, prf);
    pass.fill(0);
    return decipher(cipher.name, key, iv, data);
  }
  const legacy = PKCS12_PBE[id];
  if (legacy === undefined) throw badParameter('The PFX is encrypted with an algorithm Coffer does not support (RC4 and unknown PBEs are not read).');
  let salt: Uint8Array;
  let iterations: number;
  try {
    const seq = alg.algorithmParams as asn1js.Sequence;
    const [s, it] = seq.valueBlock.value;
    if (!(s instanceof asn1js.OctetString) || !(it instanceof asn1js.Integer)) throw new Error('shape');
    salt = octets(s);
    iterations = it.valueBlock.valueDec;
  } catch {
    throw badParameter('The PFX has malformed PBE parameters.');
  }
  checkIterations(iterations);
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf('1.3.14.3.2.26', bmp, salt, iterations, 1, legacy.keyLen);
  const iv = pkcs12Kdf('1.3.14.3.2.26', bmp, salt, iterations, 2, 8);
  bmp.fill(0);
  if (legacy.cipher === 'rc2') return rc2Decrypt(key, legacy.rc2Bits ?? 40, iv, data);
  return decipher(legacy.cipher, key, iv, data);
}

interface Pbes2Out { alg: pkijs.AlgorithmIdentifier; ciphertext: Uint8Array }

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018 6.2, A.2, B.2.5), OpenSSL 3's default for PKCS#12. */
function pbes2Encrypt(plain: Uint8Array, password: string): Pbes2Out {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(16);
  const pass = Buffer.from(password, 'utf8');
  const key = pbkdf2Sync(pass, salt, ITERATIONS, 32, 'sha256');
  pass.fill(0);
  const c = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
  key.fill(0);
  const kdf = new pkijs.PBKDF2Params({
    salt: new asn1js.OctetString({ valueHex: salt }),
    iterationCount: ITERATIONS,
    prf: new pkijs.AlgorithmIdentifier({ algorithmId: OID.hmacWithSHA256, algorithmParams: new asn1js.Null() }),
  });
  const params = new pkijs.PBES2Params({
    keyDerivationFunc: new pkijs.AlgorithmIdentifier({ algorithmId: OID.pbkdf2, algorithmParams: kdf.toSchema() }),
    encryptionScheme: new pkijs.AlgorithmIdentifier({ algorithmId: OID.aes256cbc, algorithmParams: new asn1js.OctetString({ valueHex: iv }) }),
  });
  return { alg: new pkijs.AlgorithmIdentifier({ algorithmId: OID.pbes2, algorithmParams: params.toSchema() }), ciphertext };
}

// ---------------------------------------------------------------------------
// ASN.1 helpers
// ---------------------------------------------------------------------------

/** The bytes of an OCTET STRING, joining the pieces of a constructed (BER) one. */
function octets(v: unknown): Uint8Array {
  // pkijs hands the [0] IMPLICIT encryptedContent over as a plain block retagged OCTET STRING (universal 4).
  const ok = v instanceof asn1js.BaseBlock && v.idBlock.tagClass === 1 && v.idBlock.tagNumber === 4;
  if (!ok) throw badParameter('The PFX has a field that should be an OCTET STRING.');
  const b = v as asn1js.BaseBlock<asn1js.ValueBlock>;
  if (!b.idBlock.isConstructed) {
    const view = (b.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
    if (!(view instanceof Uint8Array)) throw badParameter('The PFX has a field that should be an OCTET STRING.');
    return new Uint8Array(view);
  }
  const parts = ((b.valueBlock as unknown as { value?: unknown[] }).value ?? []).map(octets);
  return new Uint8Array(Buffer.concat(parts));
}

function toBuffer(schema: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(schema.toBER(false));
}

function fromDer<T>(bytes: Uint8Array, what: string, make: (schema: asn1js.AsnType) => T): T {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.offset !== bytes.length) throw badParameter(`The PFX is malformed: its ${what} is not valid DER.`);
  try {
    return make(parsed.result);
  } catch (e) {
    if (e instanceof CofferError) throw e;
    throw badParameter(`The PFX is malformed: its ${what} does not have the PKCS#12 structure.`);
  }
}

function attributes(bag: pkijs.SafeBag): { localKeyId?: Uint8Array } {
  const out: { localKeyId?: Uint8Array } = {};
  for (const a of bag.bagAttributes ?? []) {
    if (a.type === OID.localKeyId && a.values[0] instanceof asn1js.OctetString) out.localKeyId = octets(a.values[0]);
  }
  return out;
}

/** SubjectPublicKeyInfo of a PKCS#8 private key; BadParameter when the bytes are not one. */
function spkiOfPkcs8(pkcs8: Uint8Array, what: string): Uint8Array {
  try {
    const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
    return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  } catch {
    throw badParameter(`The ${what} is not a valid PKCS#8 private key.`);
  }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

export interface PfxInput {
  /** DER PKCS#8 PrivateKeyInfo (unencrypted); absent: the certificates alone (a non-exportable certificate's secret, D-crt). */
  privateKeyPkcs8?: Uint8Array;
  /** DER certificates, the leaf (the key's certificate) first. */
  chain: Uint8Array[];
  /** '' is allowed: Key Vault's secret PFX has an empty password. */
  password: string;
  friendlyName?: string;
}

/**
 * A PFX as OpenSSL 3 writes by default (RFC 7292): the certificates in an
 * encryptedData safe and the key in a shrouded key bag, both PBES2
 * (PBKDF2-HMAC-SHA256, AES-256-CBC, 2048 iterations), and an HMAC-SHA256 MAC
 * keyed by the RFC 7292 B.2 derivation. localKeyId (SHA-1 of the leaf, as
 * OpenSSL sets it) links the key to its certificate.
 */
export function writePfx(input: PfxInput): Uint8Array {
  if (input === null || typeof input !== 'object') throw badParameter('The PFX input is missing.');
  const { privateKeyPkcs8, chain, password, friendlyName } = input;
  if (typeof password !== 'string') throw badParameter('The PFX password must be a string (empty for none).');
  if (privateKeyPkcs8 !== undefined && (!(privateKeyPkcs8 instanceof Uint8Array) || privateKeyPkcs8.length === 0)) throw badParameter('The private key must be DER PKCS#8 bytes.');
  if (!Array.isArray(chain) || chain.length === 0) throw badParameter('The PFX needs at least the certificate of the key.');
  chain.forEach((c, i) => {
    if (!(c instanceof Uint8Array)) throw badParameter(`Certificate ${i + 1} of the chain must be DER bytes.`);
  });
  const parsed = chain.map((c, i) => {
    try {
      return parseCertificate(c);
    } catch (e) {
      throw badParameter(`Certificate ${i + 1} of the chain: ${e instanceof CofferError ? e.message : 'not a valid X.509 certificate.'}`);
    }
  });
  const leaf = chain[0] as Uint8Array;
  const leafSpki = (parsed[0] as (typeof parsed)[number]).spki;
  if (privateKeyPkcs8 !== undefined && !equalBytes(spkiOfPkcs8(privateKeyPkcs8, 'private key'), leafSpki)) throw badParameter('The private key does not match the first certificate of the chain.');

  const localKeyId = createHash('sha1').update(leaf).digest();
  const leafAttrs = (): pkijs.Attribute[] => {
    const attrs = [new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: localKeyId })] })];
    if (friendlyName !== undefined && friendlyName !== '') attrs.unshift(new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: friendlyName })] }));
    return attrs;
  };

  // Certificates: one SafeContents, PBES2-encrypted as an EncryptedData (RFC 7292 4.1, 4.2.3).
  const certBags = chain.map(
    (der, i) =>
      new pkijs.SafeBag({
        bagId: OID.certBag,
        bagValue: new pkijs.CertBag({ certId: OID.x509Certificate, certValue: new asn1js.OctetString({ valueHex: der }) }),
        ...(i === 0 ? { bagAttributes: leafAttrs() } : {}),
      }),
  );
  const certSafe = toBuffer(new pkijs.SafeContents({ safeBags: certBags }).toSchema());
  const certEnc = pbes2Encrypt(certSafe, password);
  const certInfo = new pkijs.ContentInfo({
    contentType: OID.encryptedData,
    content: new pkijs.EncryptedData({
      version: 0,
      encryptedContentInfo: new pkijs.EncryptedContentInfo({
        contentType: OID.data,
        contentEncryptionAlgorithm: certEnc.alg,
        encryptedContent: new asn1js.OctetString({ valueHex: certEnc.ciphertext }),
      }),
    }).toSchema(),
  });

  const safeContents = [certInfo];
  if (privateKeyPkcs8 !== undefined) {
    // The key: a pkcs8ShroudedKeyBag (RFC 7292 4.2.2) in a plain data SafeContents.
    const keyEnc = pbes2Encrypt(privateKeyPkcs8, password);
    const keyBag = new pkijs.SafeBag({
      bagId: OID.shroudedKeyBag,
      bagValue: new pkijs.PKCS8ShroudedKeyBag({ encryptionAlgorithm: keyEnc.alg, encryptedData: new asn1js.OctetString({ valueHex: keyEnc.ciphertext }) }),
      bagAttributes: leafAttrs(),
    });
    const keySafe = toBuffer(new pkijs.SafeContents({ safeBags: [keyBag] }).toSchema());
    safeContents.push(new pkijs.ContentInfo({ contentType: OID.data, content: new asn1js.OctetString({ valueHex: keySafe }) }));
  }

  const authSafe = toBuffer(new pkijs.AuthenticatedSafe({ safeContents }).toSchema());

  // RFC 7292 5.1 and B.4: MAC over the authSafe content, key from the B.2 derivation with id 3.
  const macSalt = randomBytes(SALT_BYTES);
  const bmp = bmpPassword(password);
  const macKey = pkcs12Kdf(OID.sha256, bmp, macSalt, ITERATIONS, 3, 32);
  bmp.fill(0);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  macKey.fill(0);

  const pfx = new pkijs.PFX({
    version: 3,
    authSafe: new pkijs.ContentInfo({ contentType: OID.data, content: new asn1js.OctetString({ valueHex: authSafe }) }),
    macData: new pkijs.MacData({
      mac: new pkijs.DigestInfo({
        digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
        digest: new asn1js.OctetString({ valueHex: mac }),
      }),
      macSalt: new asn1js.OctetString({ valueHex: macSalt }),
      iterations: ITERATIONS,
    }),
  });
  return toBuffer(pfx.toSchema());
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

export interface PfxContents {
  privateKeyPkcs8: Uint8Array;
  /** DER certificates, the one matching the key first, then its issuers as far as the file has them. */
  chain: Uint8Array[];
}

/** The MAC check of RFC 7292 5.1; an empty password is tried both as an empty BMPString and as none, as OpenSSL does. */
function verifyMac(macData: pkijs.MacData, authSafe: Uint8Array, password: string): void {
  const hashOid = macData.mac.digestAlgorithm.algorithmId;
  const hash = HASHES[hashOid];
  if (hash === undefined) throw badParameter('The PFX MAC uses a hash Coffer does not support.');
  const expected = octets(macData.mac.digest);
  const salt = octets(macData.macSalt);
  const iterations = checkIterations(macData.iterations ?? 1);
  const candidates = password === '' ? [bmpPassword(''), Buffer.alloc(0)] : [bmpPassword(password)];
  let ok = false;
  for (const pass of candidates) {
    const key = pkcs12Kdf(hashOid, pass, salt, iterations, 3, hash.u);
    pass.fill(0);
    const got = createHmac(hash.name, key).update(authSafe).digest();
    key.fill(0);
    if (equalBytes(got, expected)) ok = true;
  }
  if (!ok) throw badParameter(WRONG_PASSWORD);
}

/**
 * Opens a PFX (RFC 7292) protected by a password: OpenSSL 3's default
 * (PBES2/AES, SHA-256 MAC) and the legacy 3DES/RC2 with a SHA-1 MAC. The MAC is
 * checked before anything is decrypted.
 */
export function readPfx(der: Uint8Array, password: string): PfxContents {
  if (!(der instanceof Uint8Array) || der.length === 0) throw badParameter('The PFX is empty or not bytes.');
  if (typeof password !== 'string') throw badParameter('The PFX password must be a string (empty for none).');
  if (der[0] !== 0x30) throw badParameter('The PFX is not DER: it does not start with an ASN.1 SEQUENCE (is it base64 or PEM text?).');
  const pfx = fromDer(der, 'outer PFX structure', (s) => new pkijs.PFX({ schema: s }));
  if (pfx.version !== 3) throw badParameter(`The PFX has version ${pfx.version}; PKCS#12 files are version 3.`);
  if (pfx.authSafe.contentType !== OID.data) throw badParameter('The PFX uses public-key integrity, which Coffer does not read; export it with a password.');
  const authSafeBytes = octets(pfx.authSafe.content);
  if (pfx.macData === undefined) {
    throw badParameter('The PFX has no MAC, so a wrong password or a damaged file could not be told apart; export it with a MAC.');
  }
  verifyMac(pfx.macData, authSafeBytes, password);

  const authSafe = fromDer(authSafeBytes, 'authenticated safe', (s) => new pkijs.AuthenticatedSafe({ schema: s }));
  const keys: { pkcs8: Uint8Array; localKeyId?: Uint8Array }[] = [];
  const certs: { der: Uint8Array; localKeyId?: Uint8Array }[] = [];
  const wipe: Uint8Array[] = [];
  try {
    for (const info of authSafe.safeContents) {
      let safeBytes: Uint8Array;
      if (info.contentType === OID.data) {
        safeBytes = octets(info.content);
      } else if (info.contentType === OID.encryptedData) {
        const enc = fromDer(toBuffer(info.content as asn1js.Sequence), 'encrypted safe', (s) => new pkijs.EncryptedData({ schema: s }));
        const eci = enc.encryptedContentInfo;
        if (eci.encryptedContent === undefined) throw badParameter('The PFX has an encrypted safe with no content.');
        safeBytes = pbeDecrypt(eci.contentEncryptionAlgorithm, octets(eci.encryptedContent), password);
        wipe.push(safeBytes);
      } else {
        throw badParameter('The PFX has a safe encrypted to a recipient key (enveloped data), which Coffer does not read.');
      }
      const safe = fromDer(safeBytes, 'safe contents', (s) => new pkijs.SafeContents({ schema: s }));
      for (const bag of safe.safeBags) {
        const { localKeyId } = attributes(bag);
        if (bag.bagId === OID.shroudedKeyBag) {
          const b = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          const pkcs8 = pbeDecrypt(b.encryptionAlgorithm, octets(b.encryptedData), password);
          keys.push({ pkcs8: new Uint8Array(pkcs8), ...(localKeyId ? { localKeyId } : {}) });
          pkcs8.fill(0);
        } else if (bag.bagId === OID.keyBag) {
          const raw = toBuffer((bag.bagValue as pkijs.PrivateKeyInfo).toSchema());
          keys.push({ pkcs8: raw, ...(localKeyId ? { localKeyId } : {}) });
        } else if (bag.bagId === OID.certBag) {
          const b = bag.bagValue as pkijs.CertBag;
          if (b.certId !== OID.x509Certificate) continue; // SDSI certificates are not X.509
          certs.push({ der: octets(b.certValue), ...(localKeyId ? { localKeyId } : {}) });
        }
        // CRL, secret and nested bags carry nothing Coffer imports.
      }
    }
  } catch (e) {
    for (const k of keys) k.pkcs8.fill(0);
    if (e instanceof WrongPassword) throw badParameter(WRONG_PASSWORD);
    if (e instanceof CofferError) throw e;
    throw badParameter('The PFX is malformed: a bag could not be read.');
  } finally {
    for (const w of wipe) w.fill(0);
  }

  const fail = (msg: string): never => {
    for (const k of keys) k.pkcs8.fill(0);
    throw badParameter(msg);
  };
  if (keys.length === 0) fail('The PFX holds no private key.');
  if (keys.length > 1) fail(`The PFX holds ${keys.length} private keys; Coffer imports a certificate with one.`);
  if (certs.length === 0) fail('The PFX holds no certificate.');
  const key = keys[0] as (typeof keys)[number];
  let keySpki: Uint8Array;
  try {
    keySpki = spkiOfPkcs8(key.pkcs8, 'private key in the PFX');
  } catch (e) {
    key.pkcs8.fill(0);
    throw e;
  }
  const parsed = certs.map((c, i) => {
    try {
      return { ...c, info: parseCertificate(c.der) };
    } catch {
      return fail(`Certificate ${i + 1} in the PFX is not a valid X.509 certificate.`);
    }
  });
  // The leaf is the certificate of the key's public key; localKeyId only breaks ties (RFC 7292 4.2 leaves it optional).
  const matches = parsed.filter((c) => equalBytes(c.info.spki, keySpki));
  const leaf = matches.find((c) => c.localKeyId !== undefined && key.localKeyId !== undefined && equalBytes(c.localKeyId, key.localKeyId)) ?? matches[0];
  if (leaf === undefined) return fail('No certificate in the PFX matches its private key.');
  const ordered = [leaf];
  const rest = parsed.filter((c) => c !== leaf);
  // Then each issuer in turn, so the chain reads leaf → root; certificates off that path keep the file's order.
  for (let cur = leaf; ; ) {
    if (cur.info.issuer === cur.info.subject) break;
    const i = rest.findIndex((c) => c.info.subject === cur.info.issuer);
    if (i < 0) break;
    cur = rest.splice(i, 1)[0] as typeof leaf;
    ordered.push(cur);
  }
  ordered.push(...rest);
  return { privateKeyPkcs8: key.pkcs8, chain: ordered.map((c) => c.der) };
}
