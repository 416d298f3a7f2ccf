/**
 * Key Vault's rules for keys (AKV-REFERENCE.md §2), as pure functions: names,
 * versions, tags and times as for secrets (secrets/rules.ts); key_ops and
 * their defaults; ISO 8601 durations; rotation policies (S-key
 * KeyRotationPolicy, D-rot). Failures are BadParameter naming the field.
 */
import type { KeyLifetimeAction } from '../../../shared/keyvault.js';
import type { RotationPolicyInput } from '../api.js';
import { badParameter } from '../errors.js';
import { isoDuration } from '../format/schema.js';
import { validateSecretName, validateTags, validateTimes, validateVersionId } from '../secrets/rules.js';
import { algorithmsFor, KEY_OPERATIONS, type KeyOperation } from './algorithms.js';
import { KEY_OPS, type KeyOp, type RotationPolicy } from './records.js';
import type { KeyShape } from './algorithms.js';

/** D-obj: a key name is 1-127 characters of 0-9, a-z, A-Z and -. */
export const validateKeyName = (name: string): void => validateSecretName(name, 'key');
export const validateKeyVersion = (version: string): string => validateVersionId(version, 'key');
export const validateKeyTags = (tags: Record<string, string>): void => validateTags(tags, 'key');
export { validateTimes };

/**
 * The operations a key of this shape can perform: those with an algorithm for
 * it (algorithms.ts ALGORITHMS), in Key Vault's order. A created key gets them
 * all by default, as Key Vault gives an RSA key encrypt, decrypt, sign, verify,
 * wrapKey and unwrapKey (a recorded CreateKey response) and an EC key sign and verify.
 */
export function defaultKeyOps(shape: KeyShape): KeyOp[] {
  return KEY_OPS.filter((op) => (KEY_OPERATIONS as readonly string[]).includes(op) && algorithmsFor(shape, op as KeyOperation).length > 0);
}

/**
 * key_ops as given (S-key JsonWebKeyOperation): known names, each once, and
 * none the key cannot perform (an EC key cannot encrypt). `import` and
 * `export` are in Key Vault's enum and allowed; they grant nothing here.
 */
export function validateKeyOps(ops: unknown, shape: KeyShape): KeyOp[] {
  if (!Array.isArray(ops)) throw badParameter('key_ops must be a list of operations.');
  const seen = new Set<string>();
  const possible = new Set<string>(defaultKeyOps(shape));
  for (const op of ops) {
    if (typeof op !== 'string' || !(KEY_OPS as readonly string[]).includes(op)) {
      throw badParameter(`Unknown key operation ${typeof op === 'string' && /^[A-Za-z]{1,20}$/.test(op) ? op : '(invalid)'}; key_ops are ${KEY_OPS.join(', ')}.`);
    }
    if (seen.has(op)) throw badParameter(`key_ops lists ${op} twice.`);
    seen.add(op);
    if (op !== 'import' && op !== 'export' && !possible.has(op)) throw badParameter(`An ${shape.kty} key cannot ${op}.`);
  }
  return ops as KeyOp[];
}

// ---------------------------------------------------------------- durations

interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** An ISO 8601 duration as Key Vault's policies take them (P90D, P3M, PT48H, P1Y10D). */
export function parseDuration(text: unknown, what: string): Duration {
  const m = typeof text === 'string' ? isoDuration.exec(text) : null;
  if (!m) throw badParameter(`${what} must be an ISO 8601 duration such as P90D, P3M or P1Y10D.`);
  const n = (i: number): number => (m[i] ? parseInt(m[i]!, 10) : 0);
  const d = { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(6), minutes: n(7), seconds: n(8) };
  if (Object.values(d).some((x) => !Number.isSafeInteger(x) || x > 100_000)) throw badParameter(`${what} is too long.`);
  return d;
}

/** `time` (Unix seconds) plus `sign` × the duration, in UTC calendar terms (a month is a calendar month). */
export function addDuration(time: number, d: Duration, sign: 1 | -1 = 1): number {
  const t = new Date(time * 1000);
  t.setUTCFullYear(t.getUTCFullYear() + sign * d.years, t.getUTCMonth() + sign * d.months, t.getUTCDate() + sign * (d.weeks * 7 + d.days));
  return Math.floor(t.getTime() / 1000) + sign * (d.hours * 3600 + d.minutes * 60 + d.seconds);
}

/** The duration in days, months counted as 30 and years as 365: for the minimums of D-rot. */
export function durationDays(d: Duration): number {
  return d.years * 365 + d.months * 30 + d.weeks * 7 + d.days + (d.hours * 3600 + d.minutes * 60 + d.seconds) / 86_400;
}

// ---------------------------------------------------------- rotation policy

/** S-key KeyRotationPolicyAttributes.expiryTime: "It should be at least 28 days." */
export const MIN_EXPIRY_DAYS = 28;
/** D-rot: rotation at least 7 days after creation and at least 7 days before expiry. */
export const MIN_ROTATION_MARGIN_DAYS = 7;
/** S-key KeyRotationPolicy: "Notification time would be default to 30 days before expiry". */
export const DEFAULT_NOTIFY: KeyLifetimeAction = { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } };

/**
 * A policy as Key Vault accepts it (S-key KeyRotationPolicy, D-rot): at most
 * one Rotate and one Notify action (the type compared case-insensitively),
 * each with exactly one trigger; Notify only before expiry; expiryTime at least
 * 28 days; a rotation at least 7 days after creation and 7 days before
 * expiry; rotating before expiry needs expiryTime. A policy without a Notify
 * action gets Key Vault's default (30 days before expiry). The whole policy is
 * replaced.
 */
export function validateRotationPolicy(input: RotationPolicyInput): RotationPolicy {
  if (input === null || typeof input !== 'object') throw badParameter('A rotation policy must be an object.');
  const given = input.lifetimeActions ?? [];
  if (!Array.isArray(given)) throw badParameter('lifetimeActions must be a list.');
  if (given.length > 2) throw badParameter('A rotation policy has at most two lifetime actions: one Rotate and one Notify.');
  const expiryText = input.attributes?.expiryTime;
  const expiry = expiryText === undefined ? undefined : parseDuration(expiryText, 'expiryTime');
  if (expiry && durationDays(expiry) < MIN_EXPIRY_DAYS) throw badParameter(`expiryTime must be at least ${MIN_EXPIRY_DAYS} days (P${MIN_EXPIRY_DAYS}D).`);
  const actions: KeyLifetimeAction[] = [];
  for (const [i, a] of given.entries()) {
    const what = `lifetimeActions[${i}]`;
    if (a === null || typeof a !== 'object' || a.trigger === null || typeof a.trigger !== 'object') throw badParameter(`${what} needs a trigger.`);
    const rawType = a.action?.type;
    const type = typeof rawType === 'string' ? (['Rotate', 'Notify'] as const).find((t) => t.toLowerCase() === rawType.toLowerCase()) : undefined;
    if (!type) throw badParameter(`${what}.action.type must be Rotate or Notify.`);
    if (actions.some((x) => x.action.type === type)) throw badParameter(`A rotation policy has at most one ${type} action.`);
    const keys = Object.keys(a.trigger).filter((k) => (a.trigger as Record<string, unknown>)[k] !== undefined);
    if (keys.length !== 1 || (keys[0] !== 'timeAfterCreate' && keys[0] !== 'timeBeforeExpiry')) {
      throw badParameter(`${what}.trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`);
    }
    const trigger = keys[0];
    const text = a.trigger[trigger] as string;
    const d = parseDuration(text, `${what}.trigger.${trigger}`);
    if (type === 'Notify' && trigger === 'timeAfterCreate') throw badParameter('A Notify action takes timeBeforeExpiry, not timeAfterCreate.');
    if (type === 'Rotate') {
      if (trigger === 'timeBeforeExpiry' && !expiry) throw badParameter('Rotating before expiry (timeBeforeExpiry) needs the policy\'s expiryTime.');
      if (durationDays(d) < MIN_ROTATION_MARGIN_DAYS) {
        throw badParameter(`${trigger} must be at least ${MIN_ROTATION_MARGIN_DAYS} days: a key rotates at least ${MIN_ROTATION_MARGIN_DAYS} days after creation and ${MIN_ROTATION_MARGIN_DAYS} days before expiry.`);
      }
      if (expiry && durationDays(d) > durationDays(expiry) - MIN_ROTATION_MARGIN_DAYS) {
        throw badParameter(`${trigger} must leave at least ${MIN_ROTATION_MARGIN_DAYS} days of the expiryTime: a key rotates at least ${MIN_ROTATION_MARGIN_DAYS} days after creation and ${MIN_ROTATION_MARGIN_DAYS} days before expiry.`);
      }
    }
    actions.push({ trigger: { [trigger]: text }, action: { type } });
  }
  if (!actions.some((a) => a.action.type === 'Notify')) actions.push(structuredClone(DEFAULT_NOTIFY));
  return { lifetimeActions: actions, ...(expiryText !== undefined ? { expiryTime: expiryText } : {}) };
}

/**
 * When the policy's Rotate action is due for a version created at `created`
 * with expiry `exp` (Unix seconds); undefined when it never is (no Rotate
 * action, or a timeBeforeExpiry trigger on a version without exp).
 */
export function rotationDueAt(policy: RotationPolicy | undefined, created: number, exp: number | undefined): number | undefined {
  const rotate = policy?.lifetimeActions.find((a) => a.action.type === 'Rotate');
  if (!rotate) return undefined;
  const { timeAfterCreate, timeBeforeExpiry } = rotate.trigger;
  if (timeAfterCreate !== undefined) return addDuration(created, parseDuration(timeAfterCreate, 'timeAfterCreate'));
  if (timeBeforeExpiry !== undefined && exp !== undefined) return addDuration(exp, parseDuration(timeBeforeExpiry, 'timeBeforeExpiry'), -1);
  return undefined;
}
