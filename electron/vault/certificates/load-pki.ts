/** Loads certificates/pki.ts on first use (Node caches it); a static import of it would load the X.509 libraries with the engine. */
export type Pki = typeof import('./pki.js');

export function loadPki(): Promise<Pki> {
  return import('./pki.js');
}
