/**
 * Key Vault's built-in roles (AKV-REFERENCE.md §5.1) mapped to what a member
 * can decrypt (scopes, DECISIONS.md "Roles → scopes") and what the app lets
 * them do. Scopes are enforced by cryptography (VAULT-MODEL V3); operations
 * inside a readable scope (e.g. Secrets User may read but not write) are
 * enforced by signatures checked on every open (V4).
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import { badParameter } from '../errors.js';

export const SCOPES = ['meta', 'secrets', 'keys', 'certificates', 'ca'] as const;
export type Scope = (typeof SCOPES)[number];

export type Permission =
  | 'secrets/readMetadata'
  | 'secrets/getSecret'
  | 'secrets/write' // set, update, delete, recover, backup, restore
  | 'secrets/purge'
  | 'members/manage';

const ALL: Permission[] = ['secrets/readMetadata', 'secrets/getSecret', 'secrets/write', 'secrets/purge', 'members/manage'];

export const ROLE_SCOPES: Record<RoleName, readonly Scope[]> = {
  'Key Vault Administrator': SCOPES,
  'Key Vault Data Access Administrator': ['meta'],
  'Key Vault Reader': ['meta'],
  'Key Vault Secrets Officer': ['meta', 'secrets'],
  'Key Vault Secrets User': ['meta', 'secrets'],
  'Key Vault Crypto Officer': ['meta', 'keys'],
  'Key Vault Crypto User': ['meta', 'keys'],
  'Key Vault Crypto Service Encryption User': ['meta', 'keys'],
  'Key Vault Certificates Officer': ['meta', 'ca'],
  'Key Vault Certificate User': ['meta', 'secrets', 'keys'],
};

/** Secret permissions follow each role's Key Vault dataActions (AKV-REFERENCE.md §5.1). */
export const ROLE_PERMISSIONS: Record<RoleName, readonly Permission[]> = {
  'Key Vault Administrator': ALL,
  // Data Access Administrator assigns roles in Key Vault; in Coffer granting
  // read access means wrapping scope keys it cannot read, so member management
  // is the Administrator's until the team issue delivers deferred key shares.
  'Key Vault Data Access Administrator': [],
  'Key Vault Reader': ['secrets/readMetadata'],
  'Key Vault Secrets Officer': ['secrets/readMetadata', 'secrets/getSecret', 'secrets/write', 'secrets/purge'],
  'Key Vault Secrets User': ['secrets/readMetadata', 'secrets/getSecret'],
  'Key Vault Crypto Officer': [],
  'Key Vault Crypto User': [],
  'Key Vault Crypto Service Encryption User': [],
  'Key Vault Certificates Officer': [],
  'Key Vault Certificate User': ['secrets/readMetadata', 'secrets/getSecret'],
};

export function parseRole(name: string): RoleName {
  const found = ROLE_NAMES.find((r) => r.toLowerCase() === name.trim().toLowerCase());
  if (!found) throw badParameter(`Unknown role "${name}". Roles: ${ROLE_NAMES.join(', ')}`);
  return found;
}

export function scopesOf(roles: readonly RoleName[]): Set<Scope> {
  const s = new Set<Scope>();
  for (const r of roles) for (const sc of ROLE_SCOPES[r]) s.add(sc);
  return s;
}

export function permits(roles: readonly RoleName[], p: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r].includes(p));
}
