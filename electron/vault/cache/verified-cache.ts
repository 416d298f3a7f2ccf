/**
 * The verified-state cache (VAULT-MODEL C11; FORMAT.md §12.1), one per vault
 * and member in the profile.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hkdfSha256, utf8, wipe } from '../crypto/index.js';
import { memberKeyId, type MemberIdentity } from '../access/identity.js';
import { verifiedKey, type GraphCommit } from '../format/graph.js';
import { withFileLock } from '../store/lock.js';
import { writeNewFile } from '../store/vault-file.js';


/**
 * C11: the ids of every commit accepted on this computer, MAC'd with a key
 * derived from the member's identity (so it can't be forged without the
 * passphrase). A warm open skips their signatures; an id that disappears
 * from the file is a rollback (V2). Append-only: each save adds one line.
 */
export class VerifiedCache {
  private readonly file: string;
  private readonly key: Uint8Array;
  /** verifiedKey(id, sig) of every commit accepted here. */
  readonly verified = new Set<string>();

  constructor(profileDir: string, vaultId: string, me: MemberIdentity) {
    this.file = join(profileDir, 'cache', `${vaultId.slice(0, 32)}-${memberKeyId(me.signPub)}.verified`);
    this.key = hkdfSha256(me.encPriv, Buffer.from(vaultId, 'hex'), utf8('coffer/v1 verified-cache\0'), 32);
  }

  /** Commit ids seen here: one missing from the file is a rollback. */
  ids(): string[] {
    return [...this.verified].map((k) => k.slice(0, 64));
  }

  private mac(prev: string, keys: string[]): string {
    return createHmac('sha256', this.key).update(prev).update(keys.join(',')).digest('hex');
  }

  /** Reads the valid, MAC-chained prefix of the cache file: its entries, last MAC and length. */
  private async readValid(): Promise<{ entries: string[]; mac: string; validText: string; whole: string }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return { entries: [], mac: '', validText: '', whole: '' }; // cold: no cache yet
    }
    let prev = '';
    let validText = '';
    const entries: string[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const [keys, mac] = line.split(' ');
      const list = keys ? keys.split(',').filter(Boolean) : [];
      const expect = this.mac(prev, list);
      if (!mac || mac.length !== expect.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expect))) break; // a torn or forged tail
      entries.push(...list);
      prev = mac;
      validText += `${line}\n`;
    }
    return { entries, mac: prev, validText, whole: text };
  }

  /** Where the file ended, and its last MAC, when this handle last read or wrote it whole. */
  private tail: { size: number; mac: string } | undefined;

  async load(): Promise<void> {
    const { entries, mac, validText, whole } = await this.readValid();
    for (const k of entries) this.verified.add(k);
    if (validText.length === whole.length) this.tail = { size: Buffer.byteLength(whole), mac };
  }

  private async size(): Promise<number> {
    try {
      return (await stat(this.file)).size;
    } catch {
      return 0;
    }
  }

  /**
   * Appends entries under a short lock, chained to the file's real last line: the
   * app and the CLI may hold the same vault at once, and a line torn by a crash is
   * cut off first, so later lines are never stranded after a break.
   */
  async add(commits: GraphCommit[]): Promise<void> {
    const fresh = commits.map((c) => verifiedKey(c.id, c.sig)).filter((k) => !this.verified.has(k));
    if (fresh.length === 0) return;
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    await withFileLock(`${this.file}.lock`, async () => {
      // Fast path: nobody wrote since this handle did (same size), so chain to our own last MAC.
      if (this.tail && this.tail.size === (await this.size())) {
        const line = `${fresh.join(',')} ${this.mac(this.tail.mac, fresh)}\n`;
        await appendFile(this.file, line, { mode: 0o600 });
        this.tail = { size: this.tail.size + Buffer.byteLength(line), mac: this.mac(this.tail.mac, fresh) };
        for (const k of fresh) this.verified.add(k);
        return;
      }
      const { entries, mac, validText, whole } = await this.readValid();
      const known = new Set(entries);
      const todo = fresh.filter((k) => !known.has(k));
      for (const k of entries) this.verified.add(k);
      if (todo.length === 0) {
        this.tail = validText.length === whole.length ? { size: Buffer.byteLength(whole), mac } : undefined;
        return;
      }
      const line = `${todo.join(',')} ${this.mac(mac, todo)}\n`;
      if (validText.length === whole.length) await appendFile(this.file, line, { mode: 0o600 });
      else await writeNewFile(this.file, Buffer.from(validText + line), { overwrite: true });
      this.tail = { size: Buffer.byteLength(validText) + Buffer.byteLength(line), mac: this.mac(mac, todo) };
      for (const k of todo) this.verified.add(k);
    });
  }

  async reset(): Promise<void> {
    this.verified.clear();
    this.tail = { size: 0, mac: '' };
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    await withFileLock(`${this.file}.lock`, () => writeNewFile(this.file, Buffer.alloc(0), { overwrite: true }));
  }

  wipe(): void {
    wipe(this.key);
  }
}
