/**
 * Keys, an object kind (Key Vault keys, AKV-REFERENCE.md §2): records,
 * permissions and state, registered in state/kinds.ts.
 */
import type { ObjectKind, RecordType } from '../state/object-kind.js';
import { KEY_PERMISSIONS, KEY_ROLE_PERMISSIONS, type KeyPermission } from './permissions.js';
import { keyRecordSchemas, type KeyRecord } from './records.js';
import { KeysState } from './state.js';
import { withReducer } from '../state/object-kind.js';
import { OBJECT_SCOPE_ROLES } from '../../../shared/keyvault.js';

export const keysKind: ObjectKind<KeysState, KeyPermission> = {
  collection: 'keys',
  valueScope: 'keys',
  permissions: KEY_PERMISSIONS,
  rolePermissions: KEY_ROLE_PERMISSIONS,
  records: withReducer<KeysState, KeyRecord>(keyRecordSchemas as unknown as Record<string, Omit<RecordType<KeysState, KeyRecord>, 'apply'>>, (s, r, at) => s.apply(r, at)),
  createState: () => new KeysState(),
  settle: (s, vault, now) => s.settle(vault, now),
  objectScope: { roles: OBJECT_SCOPE_ROLES.keys, valueCollection: 'keys' },
  versions: {
    word: 'key',
    purge: (name, versions, managed) => ({ t: 'key.purge', name, versions, ...(managed ? { managed: true } : {}) }),
  },
};
