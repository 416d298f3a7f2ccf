/**
 * The vault's own views, beside the kinds of object (app/kinds.tsx): each
 * view's screen, its name in the navigation and its icon. They are not
 * object kinds (no list of objects, no Deleted tab, no menu requests), so
 * they have their own table; the shell lists them under the kinds.
 */
import { History, Users, type LucideIcon } from 'lucide-react';
import type { ComponentType } from 'react';
import { MembersScreen } from '../features/members/MembersScreen.js';
import { HistoryScreen } from '../features/history/HistoryScreen.js';
import { L } from './labels.js';
import type { ViewId } from './shell.js';

export interface ViewEntry {
  id: ViewId;
  label: string;
  Icon: LucideIcon;
  Screen: ComponentType;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'members', label: L.membersNav, Icon: Users, Screen: MembersScreen },
  { id: 'history', label: L.historyNav, Icon: History, Screen: HistoryScreen },
];
