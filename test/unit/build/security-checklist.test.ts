/**
 * The items of Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security, "Checklist:
 * Security recommendations") that no other test covered: what the code never
 * does (§11, §12, §15, §20) and the Electron version (§16). The other items'
 * tests are listed in docs/SECURITY.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, findIdentifiers, sourceFiles, valueImports } from '../../helpers/sources.js';

/** Files that load 'electron' as a value: a value import, require('electron') or import('electron'). */
function electronValueLoaders(): string[] {
  return sourceFiles().filter((file) => {
    if (valueImports(file, 'electron').length > 0) return true;
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    let found = false;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
        node.arguments[0] !== undefined &&
        ts.isStringLiteral(node.arguments[0]) &&
        node.arguments[0].text === 'electron'
      ) {
        found = true;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  });
}

const version = (v: string): [number, number, number] => {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};
const atLeast = (a: [number, number, number], b: [number, number, number]): boolean =>
  a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2];

describe("Electron's security checklist: what the code never does", () => {
  it('§15 Do not use shell.openExternal with untrusted content: Coffer never calls it, nor imports shell', () => {
    expect(findIdentifiers(['openExternal'])).toEqual([]);
    expect(valueImports('electron/main/index.ts', 'electron')).not.toContain('shell');
  });

  it('§11/§12 <webview>: no webview anywhere (no tag, no allowpopups), on top of webviewTag: false and will-attach-webview refused', () => {
    expect(findIdentifiers(['webview', 'allowpopups'], ['renderer', 'electron/preload', 'shared'])).toEqual([]);
    expect(readFileSync(join(ROOT, 'renderer/index.html'), 'utf8')).not.toMatch(/<webview|allowpopups/i);
  });

  it("§20 Do not expose Electron APIs to untrusted web content: only the two entries Electron runs load 'electron' as a value", () => {
    // The preload (a require, as a sandboxed preload must) exposes only the contract's methods and
    // never ipcRenderer itself: test/unit/preload/build-api.test.ts and bundle.test.ts.
    expect(electronValueLoaders()).toEqual(['electron/main/index.ts', 'electron/preload/index.ts']);
  });

  it('the scans find uses, so passing them means something', () => {
    // This file names both in code, as property keys.
    const probe = { openExternal: 1, webview: 2 };
    expect(probe.openExternal + probe.webview).toBe(3);
    const here = findIdentifiers(['openExternal', 'webview'], ['test/unit/build']).map((h) => h.file);
    expect(here).toContain('test/unit/build/security-checklist.test.ts');
  });
});

describe('§16 Use a current version of Electron', () => {
  it('the installed Electron is the one package.json names, major 45 or later', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const wanted = pkg.devDependencies.electron;
    expect(wanted).toMatch(/^\^\d+\.\d+\.\d+$/);
    const installed = (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
    const [want, have] = [version(wanted!), version(installed)];
    // A caret range: same major, at least the named version.
    expect(have[0]).toBe(want[0]);
    expect(atLeast(have, want), `${installed} satisfies ${wanted}`).toBe(true);
    // Electron 45 is what this code is written and typed against (TOOLCHAIN.md); never go back.
    expect(want[0]).toBeGreaterThanOrEqual(45);
  });
});
