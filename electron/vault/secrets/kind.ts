/**
 * Secrets, the first object kind (Key Vault secrets, AKV-REFERENCE.md §1):
 * its records, permissions and state, registered in state/kinds.ts. Its
 * operations are secrets/operations.ts, its JSON shapes secrets/bundles.ts.
 */
import { withReducer, type ObjectKind, type RecordType } from '../state/object-kind.js';
import { SECRET_PERMISSIONS, SECRET_ROLE_PERMISSIONS, type SecretPermission } from './permissions.js';
import { secretRecordSchemas, type SecretRecord } from './records.js';
import { SecretsState, type SavedSecrets } from './state.js';
import { OBJECT_SCOPE_ROLES } from '../../../shared/keyvault.js';

export const secretsKind: ObjectKind<SecretsState, SecretPermission> = {
  collection: 'secrets',
  valueScope: 'secrets',
  permissions: SECRET_PERMISSIONS,
  rolePermissions: SECRET_ROLE_PERMISSIONS,
  records: withReducer<SecretsState, SecretRecord>(secretRecordSchemas as unknown as Record<string, Omit<RecordType<SecretsState, SecretRecord>, 'apply'>>, (s, r, at) => s.apply(r, at)),
  createState: () => new SecretsState(),
  save: (s, refs) => s.save(refs),
  restore: (saved, refs) => SecretsState.restore(saved as SavedSecrets, refs),
  settle: (s, vault, now) => s.settle(vault, now),
  objectScope: { roles: OBJECT_SCOPE_ROLES.secrets, valueCollection: 'secrets' },
  versions: {
    word: 'secret',
    purge: (name, versions, managed) => ({ t: 'secret.purge', name, versions, ...(managed ? { managed: true } : {}) }),
  },
};
