/**
 * PEM (RFC 7468) for the certificate verbs: the engine's entry module
 * (electron/vault/index.ts) exports no PEM helper and is the only engine
 * module the CLI may import, so this is the CLI's one small codec, base64 via
 * Buffer. Loaded by the actions only.
 */
import { usageError } from './errors.js';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BODY = /^[A-Za-z0-9+/=\s]*$/;

/** DER in a PEM block: base64 in lines of 64 characters, ending with a newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}-----END ${label}-----\n`;
}

/** Whether the text holds any PEM block (of any label). */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/**
 * The DER of every block with one of `labels`, in file order. A block whose
 * body is not base64 is a usage error naming `what` (a flag and its file),
 * never the bytes.
 */
export function pemBlocks(text: string, labels: readonly string[], what: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (!labels.includes(m[1]!)) continue;
    const body = m[2]!;
    // RFC 7468 also allows explanatory headers (Proc-Type...) in legacy blocks: those are not certificates or CSRs.
    if (!BODY.test(body)) throw usageError(`${what}: a ${m[1]} block is not valid base64`);
    const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    if (der.length === 0) throw usageError(`${what}: a ${m[1]} block is empty`);
    out.push(der);
  }
  return out;
}

/**
 * A file given as PEM or DER: the DER of each `labels` block of a PEM file
 * (at least one), else the file itself when it is a DER SEQUENCE. Anything
 * else is a usage error naming `what`.
 */
export function derFromFile(bytes: Buffer, labels: readonly string[], what: string): Buffer[] {
  const text = bytes.toString('latin1');
  if (looksLikePem(text)) {
    const blocks = pemBlocks(text, labels, what);
    if (blocks.length === 0) throw usageError(`${what}: no ${labels.join(' or ')} block in this PEM file`);
    return blocks;
  }
  // A DER SEQUENCE starts with 0x30, and an X.509 certificate or a CSR is one.
  if (bytes.length < 2 || bytes[0] !== 0x30) throw usageError(`${what}: neither PEM (${labels[0]}) nor DER`);
  return [bytes];
}
