/** Option-value parsers for commander: a bad value is a usage error (exit 2). */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('Must be a whole number.');
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Must be a whole number of at least 1.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('Must be a whole number.');
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('Must be a whole number.');
  return n;
}

/** A repeatable option's values, in the order given (`--role A --role B`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
