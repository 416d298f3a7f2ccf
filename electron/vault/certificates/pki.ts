/**
 * The X.509 and PKCS#12 layers in one module, loaded on first use through
 * load-pki.ts: they pull in @peculiar/x509 and pkijs (about 100 ms), which an
 * open for secrets or keys never needs. Import this module's values only
 * that way (types freely).
 */
export { buildCertificate, buildCrl, buildCsr, derToPem, parseCertificate, parseCsr, pemToDers } from './x509.js';
export { readPfx, writePfx } from './pkcs12.js';
