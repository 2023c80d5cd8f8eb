// Shared by the browser tests and the benchmark: a tiny static file server on 127.0.0.1 and
// headless Chromium driven by playwright-core (the system's /usr/bin/chromium, never a download).

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

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

/** Headless Chromium with a page open at `url`; page errors fail loudly through `errors`. */
export async function openPage(url) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    args: ['--autoplay-policy=no-user-gesture-required'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => message.type() === 'error' && errors.push(new Error(message.text())));
  await page.goto(url);
  return { browser, page, errors };
}

/**
 * For a test file: serves mixer-wasm/ and opens one Chromium page before its tests (then calls
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
