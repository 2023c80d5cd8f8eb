// Shared by the browser tests and the benchmark: a tiny static file server on 127.0.0.1 and a
// headless browser: Debian's Chromium driven by playwright-core, or, with EARSHOT_BROWSER=firefox,
// Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi (Playwright cannot drive a stock
// Firefox). Both are the system's own browsers, never a download; the tests use only what both
// drivers' pages share (goto, evaluate with one argument, click, pageerror and console events).

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const BLANK = '<!doctype html><meta charset="utf-8"><title>earshot-mixer</title>';

/** Serves `root` on a free port; `/` is a blank page unless root has an index.html. */
export async function serve(root) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (path === '/favicon.ico') {
      response.writeHead(204).end(); // browsers ask for it; a 404 would show up as a page error
      return;
    }
    if (path === '/') {
      const index = await readFile(join(root, 'index.html'), 'utf8').catch(() => BLANK);
      response.writeHead(200, { 'content-type': 'text/html' }).end(index);
      return;
    }
    try {
      const body = await readFile(join(root, path));
      response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The browser the tests run in: `chromium` (default) or `firefox`, from EARSHOT_BROWSER. */
export const BROWSER = process.env.EARSHOT_BROWSER === 'firefox' ? 'firefox' : 'chromium';

/** Firefox preferences the tests need: Web Audio may start without a click. */
const FIREFOX_PREFS = { 'media.autoplay.block-webaudio': false, 'media.autoplay.default': 0 };

/** The silent PulseAudio of scripts/sound-server.sh (started on first use), on a socket only Firefox is told. */
let pulseServer;
function soundServer() {
  pulseServer ??= process.env.EARSHOT_PULSE_SERVER ??
    execFileSync('bash', [fileURLToPath(new URL('../../../scripts/sound-server.sh', import.meta.url))], { encoding: 'utf8' }).trim();
  return pulseServer;
}

/**
 * Debian's Firefox ESR, headless, with its silent audio output and `prefs` beside the ones every test
 * needs (shared with the end-to-end tests, tests/e2e/lib/browser.mjs).
 */
export function launchFirefox(prefs = {}) {
  return puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr',
    headless: true, extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs }, env: { ...process.env, PULSE_SERVER: soundServer() } });
}

async function launch(browser) {
  if (browser === 'firefox') return launchFirefox();
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    args: ['--autoplay-policy=no-user-gesture-required'],
  });
}

/** A headless browser (`BROWSER` unless named) with a page open at `url`; page errors fail loudly through `errors`. */
export async function openPage(url, { browser: name = BROWSER } = {}) {
  const browser = await launch(name);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => message.type() === 'error' && errors.push(new Error(message.text())));
  await page.goto(url);
  return { browser, page, errors };
}

/**
 * For a test file: serves mixer-wasm/ and opens one browser page before its tests (then calls
 * `opened(session)`), closes both after. The returned session's `page` and `errors` are set once the
 * `before` hook has run.
 */
export function pageForTests(opened = () => {}) {
  const session = {};
  let server;
  before(async () => {
    server = await serve(fileURLToPath(new URL('../..', import.meta.url)));
    Object.assign(session, await openPage(server.url));
    opened(session);
  });
  after(async () => {
    await session.browser?.close();
    await server?.close();
  });
  return session;
}
