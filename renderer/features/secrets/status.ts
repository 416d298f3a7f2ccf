/** Status chips of a secret or version, as Key Vault's portal shows them. */
import type { SecretAttributes, SecretItem } from '../../../shared/keyvault.js';
import { L } from '../../app/labels.js';
import { nameFromId } from '../../lib/format.js';

/** Key Vault's "NearExpiry" event fires 30 days before exp. */
export const EXPIRES_SOON_SECONDS = 30 * 24 * 3600;

export type ChipKind = 'disabled' | 'expired' | 'expiresSoon' | 'notYetValid';

export const CHIP_LABEL: Record<ChipKind, string> = {
  disabled: L.chipDisabled,
  expired: L.chipExpired,
  expiresSoon: L.chipExpiresSoon,
  notYetValid: L.chipNotYetValid,
};

/** nowSeconds: Unix seconds. */
export function chipsOf(a: Pick<SecretAttributes, 'enabled' | 'nbf' | 'exp'>, nowSeconds: number): ChipKind[] {
  const chips: ChipKind[] = [];
  if (!a.enabled) chips.push('disabled');
  if (a.exp !== undefined && a.exp <= nowSeconds) chips.push('expired');
  else if (a.exp !== undefined && a.exp - nowSeconds <= EXPIRES_SOON_SECONDS) chips.push('expiresSoon');
  if (a.nbf !== undefined && a.nbf > nowSeconds) chips.push('notYetValid');
  return chips;
}

export type SortKey = 'name' | 'updated' | 'expires';

export interface ListRow {
  name: string;
  item: SecretItem;
}

/** Filter by name, tag keys and values, and content type (case-insensitive), then sort. */
export function filterAndSort(items: readonly SecretItem[], query: string, sort: SortKey): ListRow[] {
  const q = query.trim().toLowerCase();
  const rows: ListRow[] = [];
  for (const item of items) {
    const name = nameFromId(item.id);
    if (q !== '' && !matches(name, item, q)) continue;
    rows.push({ name, item });
  }
  const byName = (a: ListRow, b: ListRow) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (sort === 'name') rows.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || byName(a, b));
  else if (sort === 'updated') rows.sort((a, b) => b.item.attributes.updated - a.item.attributes.updated || byName(a, b));
  else
    rows.sort((a, b) => {
      const ea = a.item.attributes.exp ?? Number.POSITIVE_INFINITY;
      const eb = b.item.attributes.exp ?? Number.POSITIVE_INFINITY;
      return ea === eb ? byName(a, b) : ea < eb ? -1 : 1;
    });
  return rows;
}

function matches(name: string, item: SecretItem, q: string): boolean {
  if (name.toLowerCase().includes(q)) return true;
  if (item.contentType?.toLowerCase().includes(q)) return true;
  for (const [k, v] of Object.entries(item.tags ?? {})) {
    if (k.toLowerCase().includes(q) || v.toLowerCase().includes(q)) return true;
  }
  return false;
}
