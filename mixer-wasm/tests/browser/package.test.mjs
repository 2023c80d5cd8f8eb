// The proof that a stranger can embed the mixer: `npm pack` the package, install the tarball into a
// scratch app in a temporary directory outside the workspace, and run that app in headless Chromium.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, serve } from './harness.mjs';

const packageDir = fileURLToPath(new URL('../../npm', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'earshot-mixer-app-'));
const npm = (...args) => execFileSync('npm', args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let server;
let session;

before(async () => {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: packageDir });
  const [tarball] = readdirSync(scratch).filter((name) => name.endsWith('.tgz'));
  cpSync(fileURLToPath(new URL('./scratch-app', import.meta.url)), scratch, { recursive: true });
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  npm('install', '--offline', '--no-audit', '--no-fund', `./${tarball}`);
  server = await serve(scratch);
  session = await openPage(server.url);
});

after(async () => {
  await session?.browser.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds the documented files and nothing else', () => {
  const files = readdirSync(join(scratch, 'node_modules/earshot-mixer/dist')).sort();
  assert.deepEqual(files, [
    'earshot_health.js',
    'earshot_health_bg.wasm',
    'earshot_mixer_bg.wasm',
    'health.d.ts',
    'health.js',
    'index.d.ts',
    'index.js',
    'processor.js',
  ]);
});

test('the installed package mixes three oscillators by the matrix in headless Chromium', async () => {
  const result = await session.page.evaluate(() => window.result);
  assert.equal(result.error, undefined, result.error);
  result.matrix.forEach((row, o) =>
    row.forEach((gain, i) => {
      const measured = result.amplitudes[o][i];
      assert.ok(Math.abs(measured - gain * result.amplitude) < 1e-4, `output ${o}, input ${i}: ${measured}`);
    }),
  );
  assert.deepEqual(session.errors.map(String), []);
});
