/**
 * Secrets, the first object kind (Key Vault secrets, AKV-REFERENCE.md §1):
 * its records, permissions and state, registered in state/kinds.ts. Its
 * operations are secrets/operations.ts, its JSON shapes secrets/bundles.ts.
 */
import type { ObjectKind, RecordType } from '../state/object-kind.js';
import { SECRET_PERMISSIONS, SECRET_ROLE_PERMISSIONS, type SecretPermission } from './permissions.js';
import { secretRecordSchemas, type SecretRecord } from './records.js';
import { SecretsState } from './state.js';

const apply = (s: SecretsState, r: SecretRecord, at: Parameters<SecretsState['apply']>[1]): void => s.apply(r, at);

export const secretsKind: ObjectKind<SecretsState, SecretPermission> = {
  collection: 'secrets',
  valueScope: 'secrets',
  permissions: SECRET_PERMISSIONS,
  rolePermissions: SECRET_ROLE_PERMISSIONS,
  records: Object.fromEntries(
    Object.entries(secretRecordSchemas).map(([t, schema]): [string, RecordType<SecretsState, SecretRecord>] => [
      t,
      { ...(schema as unknown as Omit<RecordType<SecretsState, SecretRecord>, 'apply'>), apply },
    ]),
  ),
  createState: () => new SecretsState(),
  settle: (s, vault, now) => s.settle(vault, now),
};
