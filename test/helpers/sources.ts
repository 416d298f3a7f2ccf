/**
 * The app's own sources, read with TypeScript's parser, for tests that check
 * what the code never does (start Electron's crashReporter, call
 * shell.openExternal...). Names are taken from the syntax tree, so a comment
 * or a string that mentions a name does not count, and a use does whatever
 * its spelling on the line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The folders that make up the app (what ships, plus the renderer's sources). */
export const APP_SOURCE_DIRS = ['electron', 'renderer', 'shared'] as const;

/** Every .ts/.tsx/.mts/.cts file under the given folders (relative to the project root), sorted. */
export function sourceFiles(dirs: readonly string[] = APP_SOURCE_DIRS): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(rel);
      } else if (/\.(ts|tsx|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** Where `name` is used as an identifier (a variable, an import, a property access or key) in `file`. */
export function identifierUses(file: string, names: readonly string[]): { file: string; line: number; name: string }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const hits: { file: string; line: number; name: string }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && names.includes(node.text)) {
      hits.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, name: node.text });
    }
    // A computed or quoted key (obj['openExternal'], { 'crashReporter': x }) is a use too.
    if (ts.isStringLiteral(node) && names.includes(node.text) && (ts.isElementAccessExpression(node.parent) || ts.isPropertyAssignment(node.parent))) {
      hits.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, name: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

/** identifierUses over every app source file. */
export function findIdentifiers(names: readonly string[], dirs: readonly string[] = APP_SOURCE_DIRS): { file: string; line: number; name: string }[] {
  return sourceFiles(dirs).flatMap((f) => identifierUses(f, names));
}

/** The names a file imports from `module` as values (not `import type`). */
export function valueImports(file: string, module: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const st of source.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== module) continue;
    const clause = st.importClause;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) names.push('default');
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) if (!el.isTypeOnly) names.push((el.propertyName ?? el.name).text);
    }
  }
  return names.sort();
}
