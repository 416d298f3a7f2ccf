/**
 * What Electronegativity (@doyensec/electronegativity 1.10) may report on
 * Coffer's sources without failing test/unit/build/electronegativity.test.ts,
 * and the checks that are not run, each with the reason and what proves the
 * point instead. docs/SECURITY.md ("electronegativity") summarises this file.
 *
 * An entry matches a finding by check id and file (not by line, so edits
 * elsewhere in the file do not break it); every entry must match a finding of
 * the current run, so a fixed finding cannot leave a stale entry behind.
 */

export interface AllowedFinding {
  /** Electronegativity's check id, e.g. CSP_GLOBAL_CHECK. */
  id: string;
  /** The file as Electronegativity reports it, relative to the scanned folder ('N/A' for global checks). */
  file: string;
  /** Its description must contain this (tells the findings of one check apart). */
  description: string;
  /** Why this is not a problem in Coffer. */
  why: string;
  /** The test or configuration that shows it. */
  proof: string;
}

export const ALLOWED_FINDINGS: readonly AllowedFinding[] = Object.freeze([
  {
    id: 'CSP_GLOBAL_CHECK',
    file: 'N/A',
    description: 'No CSP has been detected',
    why:
      'Coffer has a CSP, but not where Electronegativity looks (a <meta> tag, or a literal responseHeaders object in ' +
      'webRequest.onHeadersReceived). It is sent as a response header on every app:// response by protocol.handle ' +
      "(electron/main/protocol.ts CONTENT_SECURITY_POLICY / SECURITY_HEADERS): default-src 'self', script-src 'self', " +
      "connect-src 'none', object-src 'none', base-uri 'none', form-action 'none', frame-ancestors 'none'. A <meta> copy would " +
      'be a second policy to keep in step and cannot carry frame-ancestors. The same CSP evaluator the check uses ' +
      "(@doyensec/csp-evaluator, CSP3) is run on the real policy by the test; its one remark is the generic \"'self' can be " +
      "problematic if you host JSONP, Angular or user uploaded files\" (MEDIUM_MAYBE), and app:// serves only the built bundle.",
    proof:
      "test/unit/main/protocol.test.ts 'the CSP' › 'is the strict policy, directive by directive'; test/unit/main/app.test.ts " +
      "'serves the renderer bundle on app:// with the CSP; other methods get 405'; test/unit/build/renderer-bundle.test.ts " +
      "'has no inline script or style and loads nothing remote'; test/unit/build/electronegativity.test.ts " +
      "'the CSP Coffer sends passes the CSP evaluator behind CSP_GLOBAL_CHECK'",
  },
  {
    id: 'AUXCLICK_JS_CHECK',
    file: 'generated/main-window.js',
    description: 'Middle-click may cause Electron to open a link within a new window',
    why:
      'The check asks for disableBlinkFeatures: "Auxclick" so that a middle-click on a link cannot open a window. In Coffer ' +
      "every window request, a middle-click's included, goes to the window open handler, which denies it whatever the URL " +
      '(electron/main/window-options.ts windowOpenHandler, set on every web contents in app.ts), and every navigation away ' +
      'from app://coffer is refused (will-navigate, will-redirect); the page has no links to other origins and the CSP ' +
      "connects nowhere. (generated/main-window.js is the test's copy of the packaged window options, see the test.)",
    proof:
      "test/unit/main/window-options.test.ts 'windowOpenHandler (§14)' › 'denies every new window, whatever the URL'; " +
      "test/unit/main/app.test.ts 'every web contents refuses navigation away, new windows and webviews'",
  },
  {
    id: 'PRELOAD_JS_CHECK',
    file: 'generated/main-window.js',
    description: 'Review the use of preload scripts',
    why:
      'A manual-review reminder for any preload. Coffer has one, bundled and sandboxed (electron/preload/index.ts → ' +
      'dist/preload/index.cjs): it exposes window.coffer (one method per contract channel, each invoking coffer:<channel> ' +
      'with its one input) and window.cofferEvents (subscribe to parsed events), both frozen; never ipcRenderer, the event ' +
      "object or any Node API. Main checks every sender and parses every input anyway (checklist §17, §20).",
    proof:
      "test/unit/preload/build-api.test.ts 'buildCofferApi' › 'is frozen, with frozen methods and no prototype, so nothing " +
      "else is reachable'; test/unit/preload/bundle.test.ts \"loads with only require('electron') and exposes exactly coffer " +
      "and cofferEvents\"; test/unit/main/ipc/register.test.ts",
  },
  {
    id: 'ELECTRON_VERSION_JSON_CHECK',
    file: 'package.json',
    description: 'Gets the electron version',
    why:
      'Informational, for manual review: it reports which Electron version package.json names (45.x). Its follow-up, ' +
      'AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, is not run (see EXCLUDED_CHECKS), so this finding is no longer folded into it.',
    proof:
      "test/unit/build/security-checklist.test.ts '§16 Use a current version of Electron' (the installed Electron is the one " +
      'package.json names, major 45 or later)',
  },
]);

export interface ExcludedCheck {
  /** The check's class name, as Electronegativity's excludeFromScan takes it (lowercase). */
  name: string;
  why: string;
  proof: string;
}

export const EXCLUDED_CHECKS: readonly ExcludedCheck[] = Object.freeze([
  {
    name: 'availablesecurityfixesglobalcheck',
    why:
      "Downloads Electron's release list from GitHub on every run and compares release notes: it needs the network (CI has " +
      'none but the npm registry) and its answer changes with each Electron release, so the test would be neither offline nor ' +
      'deterministic. Keeping Electron current is done by updating it (Electron supports the latest three majors), not by ' +
      'this test.',
    proof:
      "test/unit/build/security-checklist.test.ts '§16 Use a current version of Electron'; the runner refuses every network " +
      "request and the test asserts none but the translations lookup was tried ('runs offline')",
  },
]);
