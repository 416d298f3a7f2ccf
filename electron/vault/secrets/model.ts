/**
 * The engine's internal state for one secret version (not a wire shape: the
 * Key Vault JSON shapes are built from it in bundles.ts).
 *
 * A secret (Key Vault: "a set of versions under one name", AKV-REFERENCE.md
 * §1.1) is the list of its versions; the latest version is the one a
 * version-less get returns and whose attributes `secret list` shows.
 * The value bytes are not held here: the engine keeps them encrypted apart.
 */
export interface SecretVersionState {
  name: string;            // as created (case kept)
  version: string;         // 32 lowercase hex
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  nbf?: number;            // unix seconds
  exp?: number;
  created: number;
  updated: number;
  /** 'utf8' values are shown as text, 'binary' as base64 (DECISIONS.md). */
  encoding: 'utf8' | 'binary';
  /** A certificate's secret (Key Vault's `managed`). */
  managed?: true;
}
