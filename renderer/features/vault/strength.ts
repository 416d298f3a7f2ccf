/**
 * A deliberately simple passphrase-strength estimate: length × log2(the
 * alphabet the characters come from), with repeated characters counting
 * less. It only guides; the KDF (Argon2id) protects whatever is chosen.
 */
export const MAX_BITS = 128;

export function estimateBits(passphrase: string): number {
  const chars = Array.from(passphrase);
  if (chars.length === 0) return 0;
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[ -/:-@[-`{-~]/.test(passphrase)) pool += 33;
  if (/[^\x20-\x7e]/.test(passphrase)) pool += 100;
  const perChar = Math.log2(Math.max(pool, 2));
  // Each repeat of a character already seen counts a quarter.
  const seen = new Map<string, number>();
  let effective = 0;
  for (const c of chars) {
    const n = seen.get(c) ?? 0;
    effective += n === 0 ? 1 : 0.25;
    seen.set(c, n + 1);
  }
  return Math.min(MAX_BITS, Math.round(effective * perChar));
}

/** 0..4: very weak (< 28 bits), weak (< 36), fair (< 60), strong (< 80), very strong. */
export function strengthLevel(bits: number): 0 | 1 | 2 | 3 | 4 {
  if (bits < 28) return 0;
  if (bits < 36) return 1;
  if (bits < 60) return 2;
  if (bits < 80) return 3;
  return 4;
}
