/**
 * PEM (RFC 7468), once for the engine, the CLI and main: writing a block,
 * reading the blocks of given labels strictly (RFC 7468 §3: base64 lines,
 * canonical padding; blocks of other labels are skipped), and a file given as
 * PEM or DER. Node built-ins only, so the engine's entry module re-exports it
 * cheaply. Errors name the label and line, never the bytes.
 */
import { badParameter } from '../errors.js';

/** DER in a PEM block with 64-character lines (RFC 7468 §2), ending with a newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** Whether the text holds any PEM block, of any label. */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The DER of every block whose label is in `labels`, in file order (none is
 * no error: the caller says what was missing). A malformed block of an
 * accepted label, or a BEGIN without its END, is BadParameter naming the line.
 */
export function pemBlocks(text: string, labels: readonly string[]): Uint8Array[] {
  if (typeof text !== 'string') throw badParameter('The PEM text must be a string.');
  const lines = text.split(/\r?\n|\r/);
  const out: Uint8Array[] = [];
  let inside: string | null = null;
  let body: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(line);
    const end = /^-----END ([A-Z0-9 ]+)-----$/.exec(line);
    if (inside === null) {
      if (begin) {
        inside = begin[1]!;
        body = [];
      } else if (end) {
        throw badParameter(`The PEM text has "-----END ${end[1]}-----" on line ${i + 1} without its BEGIN line.`);
      }
      continue;
    }
    if (begin) throw badParameter(`The PEM block "${inside}" has no END line before line ${i + 1}.`);
    if (end) {
      if (end[1] !== inside) throw badParameter(`The PEM block "${inside}" ends with "-----END ${end[1]}-----" on line ${i + 1}.`);
      if (labels.includes(inside)) out.push(decodeBody(body, inside));
      inside = null;
      continue;
    }
    // RFC 7468 §5.2: explanatory headers (Proc-Type...) belong to legacy encrypted keys, never to the labels asked for here.
    if (labels.includes(inside) && line !== '' && !B64_LINE.test(line)) throw badParameter(`The ${inside} PEM block has characters that are not base64 on line ${i + 1}.`);
    body.push(line);
  }
  if (inside !== null) throw badParameter(`The PEM block "${inside}" has no END line.`);
  return out;
}

function decodeBody(lines: string[], label: string): Uint8Array {
  const b64 = lines.join('');
  if (b64 === '') throw badParameter(`The ${label} PEM block is empty.`);
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) {
    throw badParameter(`The ${label} PEM block is not valid base64 (wrong length or padding).`);
  }
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  // Non-canonical trailing bits mean the text was altered (RFC 4648 §3.5).
  if (Buffer.from(bytes).toString('base64') !== b64) throw badParameter(`The ${label} PEM block is not canonical base64.`);
  return bytes;
}

/**
 * A file given as PEM or DER: the DER of each `labels` block of a PEM file (at
 * least one), else the file itself when it is a DER SEQUENCE (an X.509
 * certificate, a CSR and a CRL all are), else its base64 text decoded to one
 * (a .cer saved as text). Anything else is BadParameter naming `what`.
 */
export function derOrPem(bytes: Uint8Array, labels: readonly string[], what: string): Uint8Array[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (looksLikePem(text)) {
    let blocks: Uint8Array[];
    try {
      blocks = pemBlocks(text, labels);
    } catch (e) {
      throw badParameter(`${what}: ${e instanceof Error ? e.message : 'not valid PEM.'}`);
    }
    if (blocks.length === 0) throw badParameter(`${what}: no ${labels[0]} block in this PEM file.`);
    return blocks;
  }
  if (bytes.length >= 2 && bytes[0] === 0x30) return [bytes];
  const compact = text.replace(/\s+/g, '');
  if (compact !== '' && /^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    const der = new Uint8Array(Buffer.from(compact, 'base64'));
    if (der.length >= 2 && der[0] === 0x30) return [der];
  }
  throw badParameter(`${what}: neither PEM (${labels[0]}) nor DER.`);
}
