/**
 * KeePass databases for the KeePassXC comparison (bench section (9)).
 *
 * keepassxc-cli 2.7 cannot choose the KDF: `db-create` and `import` write
 * KDBX 3.1 with AES-KDF (only its round count, by `-t`, can be set). To
 * compare Coffer with KeePassXC at the same Argon2id parameters, writeKdbx4
 * writes a KDBX 4.0 file itself (the format KeePassXC writes by default in
 * its GUI): AES-256-CBC, gzip, Argon2id with the given m, t, p, the inner
 * ChaCha20 stream protecting each password. Nothing here is trusted: the
 * bench opens every file with keepassxc-cli (db-info for the KDF and the
 * entry count, `show -s` for a value) before timing it.
 *
 * keepassXml writes the same entries as plain KeePass XML, the input of
 * `keepassxc-cli import` (KeePassXC's own writer: the cross-check).
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { hashRaw, type Algorithm, type Version } from '@node-rs/argon2';

export interface KdbxEntry {
  title: string;
  /** Oldest first: the last is the entry's current password, the others its history. */
  passwords: string[];
}

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

const SIG1 = 0x9aa2d903;
const SIG2 = 0xb54bfb67;
const AES256_UUID = Buffer.from('31c1f2e6bf714350be5805216afc5aff', 'hex');
const ARGON2ID_UUID = Buffer.from('9e298b1956db4773b23dfc3ec6f0a1e6', 'hex');
const CHACHA20_INNER_STREAM = 3;
const GZIP = 1;
// @node-rs/argon2's Algorithm and Version are ambient const enums (not importable as values here): Argon2id = 2, V0x13 = 1.
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const sha256 = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const sha512 = (...parts: Buffer[]): Buffer => createHash('sha512').update(Buffer.concat(parts)).digest();

/** A KDBX 4 header field: id (1 byte), size (4 bytes LE), data. */
const field = (id: number, data: Buffer): Buffer => Buffer.concat([Buffer.of(id), u32(data.length), data]);

/** KDBX 4 VariantMap (the KDF parameters). */
function variantMap(items: [type: number, key: string, value: Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.of(0x00, 0x01)];
  for (const [type, key, value] of items) {
    const k = Buffer.from(key, 'utf8');
    parts.push(Buffer.of(type), u32(k.length), k, u32(value.length), value);
  }
  parts.push(Buffer.of(0));
  return Buffer.concat(parts);
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A 16-byte entry UUID derived from its position (stable, unique), base64 as KeePass writes it. */
function entryUuid(i: number): string {
  return createHash('sha256').update(`coffer-bench-entry-${i}`).digest().subarray(0, 16).toString('base64');
}

/** The <Root> XML: one group holding every entry, each with its older passwords as history. */
function rootXml(entries: Iterable<KdbxEntry>, password: (plain: string) => string): string {
  const out: string[] = ['<Root><Group><UUID>', createHash('sha256').update('coffer-bench-root').digest().subarray(0, 16).toString('base64'), '</UUID><Name>Root</Name>'];
  let i = 0;
  const one = (uuid: string, title: string, pw: string): string =>
    `<UUID>${uuid}</UUID><String><Key>Title</Key><Value>${xmlEscape(title)}</Value></String><String><Key>UserName</Key><Value></Value></String>${password(pw)}`;
  for (const e of entries) {
    const uuid = entryUuid(i++);
    const current = e.passwords[e.passwords.length - 1]!;
    // The inner stream is consumed in document order: the entry's own password first, then its history.
    out.push('<Entry>', one(uuid, e.title, current), '<History>');
    for (const old of e.passwords.slice(0, -1)) out.push('<Entry>', one(uuid, e.title, old), '</Entry>');
    out.push('</History></Entry>');
  }
  out.push('</Group></Root>');
  return out.join('');
}

const META =
  '<Meta><Generator>coffer bench</Generator><DatabaseName>coffer bench</DatabaseName><RecycleBinEnabled>False</RecycleBinEnabled><HistoryMaxItems>10</HistoryMaxItems><HistoryMaxSize>6291456</HistoryMaxSize></Meta>';

/** Plain KeePass XML of the entries (the input of `keepassxc-cli import`). */
export async function writeKeepassXml(path: string, entries: Iterable<KdbxEntry>): Promise<void> {
  const root = rootXml(entries, (pw) => `<String><Key>Password</Key><Value ProtectInMemory="True">${xmlEscape(pw)}</Value></String>`);
  await writeFile(path, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<KeePassFile>${META}${root}</KeePassFile>\n`);
}

/** A KDBX 4.0 database of the entries, protected by `password` through Argon2id with `kdf`. */
export async function writeKdbx4(path: string, password: string, kdf: Argon2Params, entries: Iterable<KdbxEntry>): Promise<void> {
  const masterSeed = randomBytes(32);
  const iv = randomBytes(16);
  const salt = randomBytes(32);
  const innerKey = randomBytes(64);

  const kdfParams = variantMap([
    [0x42, '$UUID', ARGON2ID_UUID],
    [0x42, 'S', salt],
    [0x04, 'P', u32(kdf.parallelism)],
    [0x05, 'M', u64(BigInt(kdf.memoryKiB) * 1024n)],
    [0x05, 'I', u64(BigInt(kdf.iterations))],
    [0x04, 'V', u32(0x13)],
  ]);
  const header = Buffer.concat([
    u32(SIG1),
    u32(SIG2),
    u32(0x00040000), // version 4.0 (minor 0, major 4)
    field(2, AES256_UUID),
    field(3, u32(GZIP)),
    field(4, masterSeed),
    field(7, iv),
    field(11, kdfParams),
    field(0, Buffer.from('\r\n\r\n', 'latin1')),
  ]);

  // Composite key of a password alone: SHA-256(SHA-256(password)); then Argon2id.
  const composite = sha256(sha256(Buffer.from(password, 'utf8')));
  const transformed = await hashRaw(composite, {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: kdf.memoryKiB,
    timeCost: kdf.iterations,
    parallelism: kdf.parallelism,
    outputLen: 32,
    salt,
  });
  const encKey = sha256(masterSeed, transformed);
  const hmacKey = sha512(masterSeed, transformed, Buffer.of(1));
  const blockKey = (index: bigint): Buffer => sha512(u64(index), hmacKey);

  // Protected values: XOR with the ChaCha20 inner stream (key and nonce from SHA-512 of the inner key), in document order.
  const inner = sha512(innerKey);
  const stream = createCipheriv('chacha20', inner.subarray(0, 32), Buffer.concat([Buffer.alloc(4), inner.subarray(32, 44)]));
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<KeePassFile>${META}${rootXml(
    entries,
    (pw) => `<String><Key>Password</Key><Value Protected="True">${stream.update(Buffer.from(pw, 'utf8')).toString('base64')}</Value></String>`,
  )}</KeePassFile>\n`;
  const innerHeader = Buffer.concat([field(1, u32(CHACHA20_INNER_STREAM)), field(2, innerKey), field(0, Buffer.alloc(0))]);
  const plain = gzipSync(Buffer.concat([innerHeader, Buffer.from(xml, 'utf8')]));
  const aes = createCipheriv('aes-256-cbc', encKey, iv);
  const encrypted = Buffer.concat([aes.update(plain), aes.final()]);

  // HMAC block stream: [HMAC-SHA256(block key, index ‖ size ‖ data)][size][data] ..., then an empty block.
  const parts: Buffer[] = [header, sha256(header), createHmac('sha256', blockKey(0xffffffffffffffffn)).update(header).digest()];
  const BLOCK = 1024 * 1024;
  let index = 0n;
  for (let at = 0; ; at += BLOCK) {
    const data = encrypted.subarray(at, Math.min(at + BLOCK, encrypted.length));
    const size = u32(data.length);
    parts.push(createHmac('sha256', blockKey(index)).update(Buffer.concat([u64(index), size, data])).digest(), size, data);
    index++;
    if (data.length === 0) break;
  }
  await writeFile(path, Buffer.concat(parts));
}
