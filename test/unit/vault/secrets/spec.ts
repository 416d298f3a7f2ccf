/**
 * The Key Vault secret definitions the bundle tests compare against, from
 * ../shared/specs/keyvault/secrets.json (azure-rest-api-specs, 2025-07-01).
 * An inline copy keeps the tests runnable where ../shared is absent (CI); when
 * the file is present, bundles.test.ts checks the copy against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type SpecType = 'string' | 'integer' | 'boolean' | 'object' | 'SecretAttributes' | 'DeletionRecoveryLevel';

export interface SpecDefinition {
  properties: Record<string, SpecType>;
}

const attributes: Record<string, SpecType> = {
  enabled: 'boolean',
  nbf: 'integer',
  exp: 'integer',
  created: 'integer',
  updated: 'integer',
  recoverableDays: 'integer',
  recoveryLevel: 'DeletionRecoveryLevel',
};
const bundle: Record<string, SpecType> = {
  value: 'string',
  id: 'string',
  contentType: 'string',
  attributes: 'SecretAttributes',
  tags: 'object',
  kid: 'string',
  managed: 'boolean',
  previousVersion: 'string',
};
const item: Record<string, SpecType> = {
  id: 'string',
  attributes: 'SecretAttributes',
  tags: 'object',
  contentType: 'string',
  managed: 'boolean',
};
const deleted: Record<string, SpecType> = {
  recoveryId: 'string',
  scheduledPurgeDate: 'integer',
  deletedDate: 'integer',
};

export const SPEC = {
  SecretAttributes: { properties: attributes },
  SecretBundle: { properties: bundle },
  SecretItem: { properties: item },
  DeletedSecretBundle: { properties: { ...bundle, ...deleted } },
  DeletedSecretItem: { properties: { ...item, ...deleted } },
  DeletionRecoveryLevel: {
    enum: [
      'Purgeable',
      'Recoverable+Purgeable',
      'Recoverable',
      'Recoverable+ProtectedSubscription',
      'CustomizedRecoverable+Purgeable',
      'CustomizedRecoverable',
      'CustomizedRecoverable+ProtectedSubscription',
    ],
  },
} as const;

export const SPEC_FILE =
  process.env.COFFER_KEYVAULT_SPECS ??
  fileURLToPath(new URL('../../../../../shared/specs/keyvault/secrets.json', import.meta.url));

interface RawSchema {
  type?: string;
  $ref?: string;
  enum?: string[];
  pattern?: string;
  properties?: Record<string, RawSchema>;
}

/** The spec file's definitions, or null when the file is not there. */
export function loadSpecFile(): { definitions: Record<string, RawSchema>; text: string } | null {
  if (!existsSync(SPEC_FILE)) return null;
  const text = readFileSync(SPEC_FILE, 'utf8');
  const doc = JSON.parse(text) as { definitions: Record<string, RawSchema> };
  return { definitions: doc.definitions, text };
}

/** A definition of the file in the inline form (property → SpecType). */
export function fromFile(definitions: Record<string, RawSchema>, name: string): Record<string, string> {
  const props = definitions[name]?.properties ?? {};
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, v.type ?? (v.$ref ?? '').replace('#/definitions/', '')]),
  );
}
