/**
 * The renderer's table of object kinds, as the engine's: each kind's screen,
 * its name in the navigation and its icon. The shell builds its navigation
 * and routes the menu's requests from this table only, so adding a kind
 * adds a row here and a feature folder.
 */
import { Award, KeyRound, LockKeyhole, type LucideIcon } from 'lucide-react';
import type { ComponentType } from 'react';
import { CertificatesScreen } from '../features/certificates/CertificatesScreen.js';
import { KeysScreen } from '../features/keys/KeysScreen.js';
import { SecretsScreen } from '../features/secrets/SecretsScreen.js';
import { L } from './labels.js';
import type { KindId } from './shell.js';

export interface KindEntry {
  id: KindId;
  label: string;
  Icon: LucideIcon;
  Screen: ComponentType;
}

export const KINDS: readonly KindEntry[] = [
  { id: 'secrets', label: L.secretsTab, Icon: LockKeyhole, Screen: SecretsScreen },
  { id: 'keys', label: L.keysNav, Icon: KeyRound, Screen: KeysScreen },
  { id: 'certificates', label: L.certificatesNav, Icon: Award, Screen: CertificatesScreen },
];
