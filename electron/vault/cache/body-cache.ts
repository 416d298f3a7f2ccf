/**
 * Decrypted commit bodies kept in the profile, so a warm open does no
 * per-commit cryptography for commits it read before (VAULT-MODEL C11: "a warm
 * open verifies only new commits"). FORMAT.md §12.2.
 *
 * The bodies hold what the vault's `meta` scope protects (names, attributes,
 * members), so the file is sealed with XChaCha20-Poly1305 under a key derived
 * from the member's identity: like the vault itself, it opens only with the
 * passphrase. A body is stored only after it decrypted and validated; its
 * commit id (the hash of the payload that carries the ciphertext) names it.
 *
 * The file is a list of sealed chunks, one line each; a save appends one
 * chunk (its own commit's body), an open that decrypted new bodies appends
 * one, and an open that finds many chunks rewrites them as one. A chunk that
 * does not open (torn by a crash, altered) is ignored: those bodies are simply
 * decrypted from the vault again.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { concatBytes, fromB64u, hkdfSha256, open, pad, seal, toB64u, unpad, utf8, wipe } from '../crypto/index.js';
import { memberKeyId, type MemberIdentity } from '../access/identity.js';
import { withFileLock } from '../store/lock.js';
import { writeNewFile } from '../store/vault-file.js';

const LABEL = utf8('coffer/v1 body-cache\0');
/** Beyond this many chunks an open rewrites the file as one chunk. */
const MAX_CHUNKS = 32;

export class BodyCache {
  private readonly file: string;
  private readonly key: Uint8Array;
  private readonly ad: Uint8Array;
  /** Commit id → canonical body JSON. */
  readonly bodies = new Map<string, string>();
  private chunks = 0;

  constructor(profileDir: string, vaultId: string, me: MemberIdentity) {
    this.file = join(profileDir, 'cache', `${vaultId.slice(0, 32)}-${memberKeyId(me.signPub)}.bodies`);
    const vid = Buffer.from(vaultId, 'hex');
    this.key = hkdfSha256(me.encPriv, vid, LABEL, 32);
    this.ad = concatBytes(LABEL, vid);
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'latin1');
    } catch {
      return; // cold: nothing cached yet
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      this.chunks++;
      try {
        const plain = unpad(open(this.key, fromB64u(line), this.ad));
        const list = JSON.parse(Buffer.from(plain).toString('utf8')) as [string, string][];
        for (const [id, body] of list) this.bodies.set(id, body);
      } catch {
        // A torn or altered chunk: its bodies are decrypted from the vault again.
      }
    }
  }

  private chunk(entries: [string, string][]): string {
    return `${toB64u(seal(this.key, pad(utf8(JSON.stringify(entries))), this.ad))}\n`;
  }

  /** Stores bodies not cached yet; compacts the file when it has grown many chunks. */
  async add(entries: [string, string][], compact = false): Promise<void> {
    const fresh = entries.filter(([id]) => !this.bodies.has(id));
    if (fresh.length === 0 && !(compact && this.chunks > MAX_CHUNKS)) return;
    for (const [id, body] of fresh) this.bodies.set(id, body);
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    await withFileLock(`${this.file}.lock`, async () => {
      if (compact && this.chunks > MAX_CHUNKS) {
        await writeNewFile(this.file, Buffer.from(this.chunk([...this.bodies])), { overwrite: true });
        this.chunks = 1;
      } else {
        await appendFile(this.file, this.chunk(fresh), { mode: 0o600 });
        this.chunks++;
      }
    });
  }

  async reset(): Promise<void> {
    this.bodies.clear();
    this.chunks = 0;
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    await withFileLock(`${this.file}.lock`, () => writeNewFile(this.file, Buffer.alloc(0), { overwrite: true }));
  }

  wipe(): void {
    wipe(this.key);
    this.bodies.clear();
  }
}
