/**
 * Key Vault's built-in roles (AKV-REFERENCE.md §5.1) mapped to what a member
 * can decrypt (scopes, DECISIONS.md "Roles → scopes") and what the app lets
 * them do. Scopes are enforced by cryptography (VAULT-MODEL V3); operations
 * inside a readable scope (e.g. Secrets User may read but not write) are
 * enforced by signatures checked on every open (V4).
 */
import { ROLE_NAMES, type RoleName } from '../../../shared/keyvault.js';
import { badParameter } from '../errors.js';
import type { SecretPermission } from '../secrets/permissions.js';
import type { KeyPermission } from '../keys/permissions.js';
import type { CertificatePermission } from '../certificates/permissions.js';
import { OBJECT_KINDS } from '../state/kinds.js';

export const SCOPES = ['meta', 'secrets', 'keys', 'certificates', 'ca'] as const;
export type Scope = (typeof SCOPES)[number];

/** Vault-wide actions: assigning roles (Key Vault's roleAssignments/write) and signing checkpoints. */
export const VAULT_PERMISSIONS = ['members/manage', 'vault/checkpoint'] as const;
export type VaultPermission = (typeof VAULT_PERMISSIONS)[number];

export type Permission = SecretPermission | KeyPermission | CertificatePermission | VaultPermission;
export const PERMISSIONS: readonly Permission[] = [...OBJECT_KINDS.flatMap((k) => k.permissions as readonly Permission[]), ...VAULT_PERMISSIONS];

/**
 * What each role can decrypt (DECISIONS.md "Roles → scopes"). Public keys and
 * certificates without their keys are in `meta`, so Reader and Certificate User
 * see them without the `keys` scope.
 */
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
  'Key Vault Certificate User': ['meta', 'secrets'],
};

const VAULT_ROLE_PERMISSIONS: Partial<Record<RoleName, readonly VaultPermission[]>> = {
  'Key Vault Administrator': VAULT_PERMISSIONS,
  // Data Access Administrator assigns roles in Key Vault; in Coffer granting read
  // access means wrapping scope keys it cannot read, so member management stays
  // the Administrator's until deferred key shares exist.
};

/** Each role's permissions: the union of what every object kind (state/kinds.ts) grants it. */
export const ROLE_PERMISSIONS: Record<RoleName, readonly Permission[]> = Object.fromEntries(
  ROLE_NAMES.map((r) => [r, [...OBJECT_KINDS.flatMap((k) => (k.rolePermissions[r] ?? []) as readonly Permission[]), ...(VAULT_ROLE_PERMISSIONS[r] ?? [])]]),
) as unknown as Record<RoleName, readonly Permission[]>;

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
