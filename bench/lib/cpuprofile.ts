/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): the functions with the most
 * self time and the most inclusive time, by name and file. Used with
 * COFFER_BENCH_CPU_PROF=1 to explain a missed target.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  self: { name: string; ms: number }[];
  /** Engine functions (electron/vault/) only. */
  inclusive: { name: string; ms: number }[];
}

const IGNORED = new Set(['(root)', '(idle)', '(program)']);

function frameName(n: ProfileNode, root: string): string {
  const f = n.callFrame;
  let url = f.url.replace(/^file:\/\//, '');
  if (url.startsWith(root)) url = url.slice(root.length);
  return `${f.functionName || '(anonymous)'}${url ? ` ${url}` : ''}`;
}

export async function summarizeProfile(file: string, root: string, top = 12): Promise<ProfileSummary> {
  const p = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += dt;
    const name = frameName(node, root);
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const k = frameName(n, root);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  });
  const rank = (m: Map<string, number>, keep: (name: string) => boolean): { name: string; ms: number }[] =>
    [...m]
      .filter(([k]) => !IGNORED.has(k.split(' ')[0]!) && keep(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  // Inclusive time is shown for engine functions only (the loader and the scenario's own frames would top it).
  return { totalMs: total / 1000, self: rank(self, () => true), inclusive: rank(incl, (k) => k.includes('electron/vault/')) };
}
