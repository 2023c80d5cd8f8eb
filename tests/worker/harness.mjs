// Test harness for the edge worker: starts a real `wrangler dev` (workerd) on a free port in its own
// process group, mints Ed25519 tokens with the dev key from edge-worker/.dev.vars, and wraps
// WebSockets with an awaitable message queue. Used by every tests/worker/*.test.mjs and the bench.
import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every wrangler this process started, killed on exit even when a test times out or is interrupted.
const running = new Set();
function killAll() {
  for (const pid of running) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
  running.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { killAll(); process.exit(130); });

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER_DIR = join(ROOT, 'edge-worker');
/** wrangler's config arguments for the edge worker and the archive worker (from WORKER_DIR). */
export const CONFIGS = ['-c', 'wrangler.toml', '-c', 'archive/wrangler.toml'];

function devVars() {
  const vars = {};
  for (const line of readFileSync(join(WORKER_DIR, '.dev.vars'), 'utf8').split('\n')) {
    const m = line.match(/^([A-Z_]+)="?([^"]*)"?$/);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A running `wrangler dev`. `vars` override wrangler.toml vars (e.g. shorter presence timings). */
export class Wrangler {
  /**
   * `persistTo`: Durable Object state from an earlier instance (a restart); otherwise a fresh temporary
   * directory, removed on `stop()` unless `keepState` (the instance a restart test stops first).
   */
  constructor({ persistTo, vars = {}, keepState = false } = {}) {
    this.ownsState = !persistTo && !keepState;
    this.persistTo = persistTo ?? mkdtempSync(join(tmpdir(), 'earshot-state-'));
    this.vars = vars;
  }

  async start() {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    // --test-scheduled: GET /__scheduled runs the cron handler (the recording retention sweep).
    // Both workers on one workerd: the edge (first: it owns the port) and the archive it binds.
    const args = ['dev', ...CONFIGS, '--local', '--ip', '127.0.0.1', '--port', String(this.port),
      '--show-interactive-dev-session=false', '--persist-to', this.persistTo, '--test-scheduled'];
    for (const [k, v] of Object.entries(this.vars)) args.push('--var', `${k}:${v}`);
    this.log = '';
    this.child = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
      cwd: WORKER_DIR, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      // X_LOCAL_OBSERVABILITY=false: wrangler dev otherwise records every invocation in a trace
      // store inside the same workerd (~175 µs per WebSocket frame measured here, several times
      // what the object itself spends), which production does not have (docs/bench/floor.md).
      env: { ...process.env, EARSHOT_WORKER_DEV: '1', CI: 'true', WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false', X_LOCAL_OBSERVABILITY: 'false' },
    });
    running.add(this.child.pid);
    const keep = (chunk) => { this.log = (this.log + chunk).slice(-20000); };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`wrangler dev exited:\n${this.log}`);
      try {
        const res = await fetch(`${this.base}/healthz`);
        if (res.ok) return this;
      } catch { /* not up yet */ }
      await sleep(200);
    }
    throw new Error(`wrangler dev did not become ready:\n${this.log}`);
  }

  /** Stops the whole process group (npx/node and both workerd processes). */
  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
    running.delete(this.child.pid);
    // workerd children may outlive the parent briefly; make sure the group is gone.
    try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ }
    if (this.ownsState) rmSync(this.persistTo, { recursive: true, force: true });
  }

  /** An HTTP request to the worker, with the bearer token when there is one (`body` sent as it is). */
  http(method, path, token, body, headers = {}) {
    return fetch(`${this.base}${path}`, {
      method, body,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    });
  }

  /** A WebSocket to `path`; `headers` are extra upgrade headers (e.g. Cloudflare Access's assertion). */
  ws(path, token, { protocols, headers } = {}) {
    const offered = protocols ?? ['earshot.v1', ...(token ? [`bearer.${token}`] : [])];
    const init = headers ? { protocols: offered, headers } : offered;
    return new Client(new WebSocket(`ws://127.0.0.1:${this.port}${path}`, init));
  }

  /** Raw upgrade request, to observe HTTP-level refusals (e.g. a foreign Origin). */
  upgradeStatus(path, headers) {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, path, headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from(randomUUID().slice(0, 16)).toString('base64'), ...headers } });
      req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
      req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
      req.on('error', reject);
      req.end();
    });
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Mints tokens like an identity provider would. */
export class Minter {
  constructor({ key } = {}) {
    const vars = devVars();
    if (key === 'foreign') {
      this.key = generateKeyPairSync('ed25519').privateKey;
    } else {
      this.key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: vars.EARSHOT_DEV_SIGNING_KEY,
        x: vars.EARSHOT_TOKEN_PUBLIC_KEY }, format: 'jwk' });
    }
  }

  token(claims, { ttl = 600, aud = 'earshot', issuedAt = Math.floor(Date.now() / 1000) } = {}) {
    const header = b64url(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' }));
    const body = { exp: issuedAt + ttl, iat: issuedAt, aud, ...claims };
    const payload = b64url(JSON.stringify(body));
    const signature = sign(null, Buffer.from(`${header}.${payload}`), this.key);
    return `${header}.${payload}.${b64url(signature)}`;
  }

  agent(sub, team, extra = {}, options = {}) { return this.token({ sub, name: `Agent ${sub}`, role: 'agent', team, ...extra }, options); }
  supervisor(sub, team, capabilities = ['monitor', 'whisper', 'barge', 'takeover'], extra = {}) {
    return this.token({ sub, name: `Sup ${sub}`, role: 'supervisor', team, capabilities, ...extra });
  }
  customer(sub, team, extra = {}) { return this.token({ sub, name: `Customer ${sub}`, role: 'customer', team, ...extra }); }
}

/** A WebSocket with an inbox: `next(pred)` waits for the next matching message. */
export class Client {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.all = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (e) => { this.closeEvent = { code: e.code, reason: e.reason }; resolve(this.closeEvent); this.#wake(); });
    });
    this.opened = new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(this));
      ws.addEventListener('error', () => reject(new Error('socket error before open')));
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(e.data);
      msg.receivedAt = performance.now();
      this.inbox.push(msg);
      this.all.push(msg);
      this.#wake();
    });
  }

  #wake() { for (const w of this.waiters.splice(0)) w(); }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

  /** Waits for the next message satisfying `pred` (type string or function); earlier ones are skipped. */
  async next(pred, timeout = 5000) {
    const test = typeof pred === 'string' ? (m) => m.type === pred : pred;
    const deadline = Date.now() + timeout;
    for (;;) {
      while (this.inbox.length) {
        const msg = this.inbox.shift();
        if (test(msg)) return msg;
      }
      if (this.closeEvent) throw new Error(`socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(this.all.slice(-5))}`);
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, left); });
    }
  }

  /** Sends `obj` with a fresh ref and waits for its ack or error. */
  async request(obj, timeout = 5000) {
    const ref = (this.refs = (this.refs ?? 0) + 1);
    this.send({ ...obj, ref });
    return this.next((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref, timeout);
  }

  /** The close event, or a rejection if the socket is still open after `timeout` ms. */
  closedWithin(timeout = 5000) {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeout} ms; got ${JSON.stringify(this.all.slice(-3))}`)), timeout);
    });
    return Promise.race([this.closed, expired]).finally(() => clearTimeout(timer));
  }

  /** Pings every `ms` until closed, as a live client does. */
  heartbeat(ms) {
    const timer = setInterval(() => { if (this.ws.readyState === 1) this.send({ type: 'ping' }); }, ms);
    this.closed.then(() => clearInterval(timer));
    this.stopHeartbeat = () => clearInterval(timer);
    return this;
  }

  close() { try { this.ws.close(1000); } catch { /* closed */ } return this.closed; }
}

/** Creates a call the way an agent with a link would; returns its id. */
export async function createCall(wrangler, agentToken, label = 'Caller') {
  const res = await fetch(`${wrangler.base}/api/calls`, {
    method: 'POST', headers: { Authorization: `Bearer ${agentToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ customer_label: label }) });
  if (res.status !== 201) throw new Error(`create call: ${res.status} ${await res.text()}`);
  return (await res.json()).call_id;
}

/**
 * Sets `team`'s settings as one of its supervisors would (the whole object; omitted fields take their
 * defaults). Suites about something else switch the early-barge guard off this way, so their
 * barges at a call's first second are not asked to confirm.
 */
export async function setTeamSettings(wrangler, mint, team, settings) {
  const client = await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(`settings-${team}`, team)).opened;
  await client.next('welcome');
  const reply = await client.request({ type: 'set_settings', settings });
  await client.close();
  if (reply.type !== 'ack') throw new Error(`set_settings for ${team}: ${JSON.stringify(reply)}`);
}
