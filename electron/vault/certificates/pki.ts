/**
 * The X.509 and PKCS#12 layers in one module, loaded on first use: they pull
 * in @peculiar/x509 and pkijs (about 100 ms), which an open for secrets or
 * keys never needs.
 */
export { buildCertificate, buildCrl, buildCsr, derToPem, parseCertificate, parseCsr, pemToDers } from './x509.js';
export { readPfx, writePfx } from './pkcs12.js';

export type Pki = typeof import('./pki.js');

/** The module, loaded once (Node caches it). */
export function loadPki(): Promise<Pki> {
  return import('./pki.js');
}
