/**
 * crypto/pem.ts: the one PEM codec of the engine, the CLI and main (RFC
 * 7468): blocks written with 64-character lines and read back, other labels
 * skipped, malformed blocks refused naming the line, and a file given as PEM,
 * DER or base64 text.
 */
import { describe, expect, it } from 'vitest';
import { derOrPem, looksLikePem, pemBlocks, toPem } from '../../../../electron/vault/crypto/pem.js';
import { CofferError } from '../../../../electron/vault/errors.js';

const der = (n: number): Uint8Array => {
  const body = new Uint8Array(n).map((_, i) => i & 0xff);
  return new Uint8Array([0x30, 0x81, n, ...body]);
};

function code(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof CofferError ? `${e.code}: ${e.message}` : String(e);
  }
}

describe('PEM', () => {
  it('writes 64-character lines and reads the blocks of the labels asked for, in order', () => {
    const a = der(100);
    const b = der(5);
    const text = `intro\n${toPem('PRIVATE KEY', b)}${toPem('CERTIFICATE', a)}${toPem('CERTIFICATE', b)}`;
    expect(toPem('CERTIFICATE', a).split('\n').slice(1, -2).every((l) => l.length <= 64)).toBe(true);
    expect(pemBlocks(text, ['CERTIFICATE'])).toEqual([a, b]);
    expect(pemBlocks(text, ['PRIVATE KEY'])).toEqual([b]);
    expect(pemBlocks(text, ['X509 CRL'])).toEqual([]);
    expect(looksLikePem(text)).toBe(true);
    expect(looksLikePem('MIIB')).toBe(false);
  });

  it('refuses a block without its END, a mismatched END, non-base64 and non-canonical base64, naming the line', () => {
    expect(code(() => pemBlocks('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n', ['CERTIFICATE']))).toContain('no END line');
    expect(code(() => pemBlocks('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END X509 CRL-----\n', ['CERTIFICATE']))).toContain('line 3');
    expect(code(() => pemBlocks('-----BEGIN CERTIFICATE-----\nMA*CAQE=\n-----END CERTIFICATE-----\n', ['CERTIFICATE']))).toContain('not base64 on line 2');
    expect(code(() => pemBlocks('-----BEGIN CERTIFICATE-----\nMAMCAQF=\n-----END CERTIFICATE-----\n', ['CERTIFICATE']))).toContain('not canonical');
    expect(code(() => pemBlocks('-----END CERTIFICATE-----\n', ['CERTIFICATE']))).toContain('without its BEGIN');
  });

  it('takes a file as PEM, DER or base64 text of DER; anything else is BadParameter naming what', () => {
    const a = der(40);
    expect(derOrPem(new Uint8Array(Buffer.from(toPem('CERTIFICATE', a))), ['CERTIFICATE'], '--file x')).toEqual([a]);
    expect(derOrPem(a, ['CERTIFICATE'], '--file x')).toEqual([a]);
    expect(derOrPem(new Uint8Array(Buffer.from(Buffer.from(a).toString('base64'))), ['CERTIFICATE'], '--file x')).toEqual([a]);
    expect(code(() => derOrPem(new Uint8Array(Buffer.from(toPem('PRIVATE KEY', a))), ['CERTIFICATE'], '--file x'))).toBe('BadParameter: --file x: no CERTIFICATE block in this PEM file.');
    expect(code(() => derOrPem(new Uint8Array(Buffer.from('hello world')), ['CERTIFICATE'], '--file x'))).toBe('BadParameter: --file x: neither PEM (CERTIFICATE) nor DER.');
  });
});
