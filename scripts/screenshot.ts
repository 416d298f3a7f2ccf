/**
 * `npm run screenshot`: the README's picture of the app (docs/screenshot.png),
 * made the way the browser tests see the app — the real main handlers, the
 * built renderer in headless Chromium (test/e2e/harness.ts) — on a vault of
 * made-up secrets, so anyone can regenerate it after a UI change.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { L } from '../renderer/app/labels.js';
import { APP_URL, launchApp, ROOT } from '../test/e2e/harness.js';

const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
const SECRETS: { name: string; value: string; tags?: Record<string, string>; contentType?: string; enabled?: boolean; exp?: number; nbf?: number }[] = [
  { name: 'db-password', value: 'example-1', tags: { env: 'prod', owner: 'platform' }, contentType: 'text/plain' },
  { name: 'stripe-api-key', value: 'example-2', tags: { env: 'prod' }, exp: now + 5 * DAY },
  { name: 'github-deploy-token', value: 'example-3', exp: now - 2 * DAY },
  { name: 'smtp-password', value: 'example-4', enabled: false },
  { name: 'staging-db-password', value: 'example-5', tags: { env: 'staging' } },
  { name: 'new-signing-secret', value: 'example-6', nbf: now + 3 * DAY },
  { name: 'sentry-dsn', value: 'example-7', contentType: 'text/uri-list' },
];

async function main(): Promise<void> {
  const app = await launchApp({ url: null, viewport: { width: 1440, height: 640 } });
  try {
    const path = join(app.vaultDir, 'work.coffer');
    const created = await app.call('vault:create', { path, passphrase: 'screenshot passphrase' });
    if (!created.ok) throw new Error(created.message);
    for (const s of SECRETS) {
      const r = await app.call('secrets:set', s);
      if (!r.ok) throw new Error(`${s.name}: ${r.message}`);
    }
    await app.call('secrets:set', { name: 'db-password', value: 'example-1b', tags: { env: 'prod', owner: 'platform' } });
    await app.page.goto(APP_URL);
    await app.page.getByRole('option', { name: 'db-password' }).first().click();
    await app.page.getByRole('region', { name: L.detailRegion('db-password') }).waitFor({ state: 'visible' });
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    const out = join(ROOT, 'docs', 'screenshot.png');
    await app.page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await app.close();
  }
}

await main();
