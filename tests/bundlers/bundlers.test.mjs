// The package as real apps use it: `npm pack` the built package (mixer-wasm/npm), install the tarball
// into one small fixture app per bundler (each with its own pinned package.json), build it for
// production, serve the output from a plain static server and run it in headless Chromium and Firefox ESR; every
// fixture builds the same app (shared/app.js) and is judged by the same checker (shared/check.mjs).
// Then `tsc --noEmit --strict` over a TypeScript fixture that uses the package's .d.ts.
//
// Fixtures are installed in target/bundlers/<name> (outside git, kept between runs so npm's work is
// a quick check the second time); the fixture's files are copied in fresh on every run.
//   node --test tests/bundlers/bundlers.test.mjs        (after mixer-wasm/scripts/build.sh)

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, serve } from '../../mixer-wasm/tests/browser/harness.mjs';
import { check } from './shared/check.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
const packageDir = join(root, 'mixer-wasm/npm');
const work = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'bundlers');
/** The files the package ships, and nothing else. */
const SHIPPED = [
  'checks.js',
  'earshot_health.js',
  'earshot_health_bg.wasm',
  'earshot_mixer_bg.wasm',
  'health-sample.d.ts',
  'health.d.ts',
  'health.js',
  'index.d.ts',
  'index.js',
  'layout.d.ts',
  'layout.js',
  'processor.js',
];
let tarball;

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} in ${cwd} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

/** Copies fixture `name` (and the shared app) to its work directory and installs the tarball there. */
function install(name) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const stale of ['package.json', 'package-lock.json', 'dist']) rmSync(join(dir, stale), { recursive: true, force: true });
  cpSync(join(here, 'shared/app.js'), join(dir, 'app.js'));
  cpSync(join(here, 'shared/index.html'), join(dir, 'index.html'));
  cpSync(join(here, name), dir, { recursive: true }); // a fixture's own index.html wins
  cpSync(tarball, join(dir, 'earshot-mixer.tgz'));
  // `npm ci` fails here (some platforms' optional packages are missing from the registry).
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', './earshot-mixer.tgz'], dir);
  return dir;
}

before(() => {
  mkdirSync(work, { recursive: true });
  for (const old of readdirSync(work).filter((file) => file.endsWith('.tgz'))) rmSync(join(work, old));
  const name = run('npm', ['pack', '--silent', '--pack-destination', work], packageDir).trim().split('\n').at(-1);
  tarball = join(work, name);
});

test('the tarball holds the documented files and nothing else', () => {
  const listing = run('tar', ['tzf', tarball], work).trim().split('\n');
  const dist = listing.filter((path) => path.startsWith('package/dist/')).map((path) => path.slice('package/dist/'.length));
  assert.deepEqual(dist.sort(), SHIPPED);
  assert.deepEqual(listing.filter((path) => !path.startsWith('package/dist/')).sort(), ['package/README.md', 'package/package.json']);
});

/** The browsers every fixture's output runs in. */
const BROWSERS = ['chromium', 'firefox'];

/** Builds fixture `name` for production (unless it has no build), then runs its output in each browser. */
async function runFixture(t, name, { out = 'dist' } = {}) {
  const dir = install(name);
  if (out !== '.') run('npm', ['run', '--silent', 'build'], dir);
  const served = join(dir, out);
  assert.ok(existsSync(join(served, 'index.html')), `${name} built ${served}/index.html`);
  const server = await serve(served);
  try {
    for (const browser of BROWSERS) {
      await t.test(browser, async () => {
        const session = await openPage(server.url, { browser });
        try {
          const result = await session.page.evaluate(() => window.result);
          check(result);
          assert.deepEqual(session.errors.map(String), []);
        } finally {
          await session.browser.close();
        }
      });
    }
  } finally {
    await server.close();
  }
}

test('vite 8 production build', (t) => runFixture(t, 'vite'));
test('webpack 5 production build', (t) => runFixture(t, 'webpack'));
test('rollup 4 build (plugin-node-resolve, import-meta-assets)', (t) => runFixture(t, 'rollup'));
test('esbuild 0.28 bundle (processor.js and the wasm copied beside it)', (t) => runFixture(t, 'esbuild'));
test('a plain page with an import map, no bundler', (t) => runFixture(t, 'plain', { out: '.' }));

test('tsc --noEmit --strict over a TypeScript app using the .d.ts', () => {
  const dir = install('typescript');
  run(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '-p', '.'], dir);
});

test("tsc --noEmit --strict over the demo's generated protocol and limits declarations", () => {
  const dir = install('typescript');
  const files = ['demo/js/protocol.d.ts', 'demo/js/limits.d.ts', 'mixer-wasm/js/layout.d.ts'].map((file) => join(root, file));
  run(join(dir, 'node_modules/.bin/tsc'), ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', 'false', '--types', '', '--target', 'es2022', ...files], dir);
});

/** The fenced code blocks of the package README in `language`, in order. */
function readmeBlocks(language) {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]);
}

/**
 * Opens `page` of the plain fixture's directory, clicks Start and returns the console lines of the
 * first second of sound: from the first line on (Firefox takes a few hundred ms longer to start its
 * output than Chromium), or whatever came within 10 s.
 */
async function runReadmePage(dir, page, browser) {
  const server = await serve(dir);
  const session = await openPage(`${server.url}/${page}`, { browser });
  const lines = [];
  let first;
  const started = new Promise((resolve) => (first = resolve));
  session.page.on('console', (message) => message.type() === 'log' && (lines.push(message.text()), first()));
  try {
    await session.page.click('#start');
    await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { lines, errors: session.errors.map(String) };
  } finally {
    await session.browser.close();
    await server.close();
  }
}

test("the package README's two examples run as written", async (t) => {
  const dir = join(work, 'plain'); // installed by the plain-page test above
  assert.ok(existsSync(join(dir, 'node_modules/earshot-mixer')), 'the plain fixture is installed');
  const [bundled] = readmeBlocks('js');
  const [plain] = readmeBlocks('html');
  writeFileSync(join(dir, 'readme-bundled.js'), bundled);
  writeFileSync(
    join(dir, 'readme-bundled.html'),
    '<!doctype html><meta charset="utf-8"><button id="start">Start</button>' +
      '<script type="importmap">{ "imports": { "earshot-mixer": "./node_modules/earshot-mixer/dist/index.js" } }</script>' +
      '<script type="module" src="./readme-bundled.js"></script>',
  );
  writeFileSync(join(dir, 'readme-plain.html'), plain);
  for (const browser of BROWSERS) await t.test(browser, () => readmeExamples(dir, browser));
});

async function readmeExamples(dir, browser) {
  // The bundled example logs source 2's voice flag and output 1's peak (0.25 · 0.2 + 0.2 at most).
  const first = await runReadmePage(dir, 'readme-bundled.html', browser);
  assert.deepEqual(first.errors, []);
  const peaks = first.lines.map((line) => /^source 2 talking: true output 1 peak: ([\d.]+)$/.exec(line)?.[1]).filter(Boolean).map(Number);
  assert.ok(peaks.length >= 10, `meter lines in a second: ${first.lines.slice(0, 3)}`);
  assert.ok(peaks.slice(5).every((peak) => peak > 0.15 && peak <= 0.25 + 1e-6), `output 1 peaks ${peaks}`);

  // The plain page logs output 0's block peak: source 0 plus half of source 1, at most 0.3 (a
  // 128-frame block holds less than a period of 220 Hz, so single blocks peak lower).
  const second = await runReadmePage(dir, 'readme-plain.html', browser);
  assert.deepEqual(second.errors, []);
  const plainPeaks = second.lines.map(Number).filter((peak) => peak > 0).slice(5);
  assert.ok(plainPeaks.length >= 5 && plainPeaks.every((peak) => peak > 0.1 && peak <= 0.3 + 1e-6), `output 0 peaks ${plainPeaks}`);
  assert.ok(Math.max(...plainPeaks) > 0.27, `output 0 peaks ${plainPeaks}`);
}
