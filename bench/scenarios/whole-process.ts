/**
 * Sections (9)–(11): whole processes, timed from here (spawn to exit) and
 * measured by /usr/bin/time (peak resident memory, CPU time). Each command
 * runs `warmups` times untimed (a first `coffer secret get` also makes its
 * profile warm; the OS file cache is filled for every command), then the
 * commands take turns for `reps` rounds, each round starting one command
 * later, so a busy moment of the machine does not fall on one command only.
 * Every run's output is checked (the value it must print), so a figure is
 * never the time of a failure.
 *
 * Args: { reps, warmups, time: string | null, commands: Command[] }
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childArgs, emit, now, progress, runChild, summarize } from '../lib/common.js';

interface Command {
  key: string;
  cmd: string;
  args: string[];
  cwd?: string;
  /** Added to the environment (which has no COFFER_* variable of its own). */
  env?: Record<string, string>;
  input?: string;
  /** stdout must equal this... */
  stdout?: string;
  /** ...or contain this line. */
  line?: string;
}

interface Args {
  reps: number;
  warmups: number;
  /** /usr/bin/time, when present. */
  time: string | null;
  commands: Command[];
}

interface Run {
  ms: number;
  rssKiB?: number;
  cpuMs?: number;
}

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COFFER_')));

function once(c: Command, time: string | null, tmp: string): Run {
  const out = path.join(tmp, 'time.txt');
  rmSync(out, { force: true });
  const [cmd, args] = time ? [time, ['-o', out, '-f', '%M %U %S', c.cmd, ...c.args]] : [c.cmd, c.args];
  const t = now();
  const r = spawnSync(cmd, args, { cwd: c.cwd, env: { ...baseEnv, ...c.env }, input: c.input ?? '', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = now() - t;
  const what = `${c.key} (${[c.cmd, ...c.args].join(' ')})`;
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status}: ${r.stderr.trim().slice(0, 500)}`);
  if (c.stdout !== undefined && r.stdout !== c.stdout) throw new Error(`${what} printed ${JSON.stringify(r.stdout.slice(0, 200))}, expected ${JSON.stringify(c.stdout)}`);
  if (c.line !== undefined && !r.stdout.split('\n').includes(c.line)) throw new Error(`${what} did not print the line ${JSON.stringify(c.line)}: ${JSON.stringify(r.stdout.slice(0, 300))}`);
  if (!time) return { ms };
  const m = /^(\d+) ([\d.]+) ([\d.]+)\s*$/m.exec(readFileSync(out, 'utf8'));
  if (!m) throw new Error(`${time} wrote ${JSON.stringify(readFileSync(out, 'utf8'))}`);
  return { ms, rssKiB: Number(m[1]), cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

runChild(async () => {
  const a = childArgs<Args>();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-time-'));
  try {
    for (const c of a.commands) for (let w = 0; w < a.warmups; w++) once(c, a.time, tmp);
    const runs = new Map<string, Run[]>(a.commands.map((c) => [c.key, []]));
    for (let r = 0; r < a.reps; r++) {
      const line: string[] = [];
      for (let k = 0; k < a.commands.length; k++) {
        const c = a.commands[(k + r) % a.commands.length]!;
        const x = once(c, a.time, tmp);
        runs.get(c.key)!.push(x);
        line.push(`${c.key} ${x.ms.toFixed(0)} ms`);
      }
      progress(`round ${r + 1}/${a.reps}: ${line.join(', ')}`);
    }
    for (const [key, xs] of runs) {
      emit(key, {
        ms: summarize(xs.map((x) => x.ms)),
        ...(a.time ? { rssKiB: summarize(xs.map((x) => x.rssKiB!)), cpuMs: summarize(xs.map((x) => x.cpuMs!)) } : {}),
      });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
