// What an attacker tries against a real `wrangler dev`: floods that must end with their socket and
// must not stall anyone else, frames that are not valid UTF-8, tokens not valid yet, and the close
// code of every refusal docs/PROTOCOL.md lists.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Wrangler, Minter, createCall, setTeamSettings, sleep } from './harness.mjs';

const TIMING = { EARSHOT_HEARTBEAT_MS: '300', EARSHOT_SILENCE_LIMIT_MS: '1500', EARSHOT_GRACE_MS: '2500' };
const wrangler = new Wrangler({ vars: TIMING });
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;
const FLOOD = 10_000;
/** What another participant's next request may take after a flood (the bound; baseline 2–13 ms). */
const FAIR_MS = 100;

before(async () => {
  await wrangler.start();
  await setTeamSettings(wrangler, mint, 'blue', { early_barge_minutes: 0 });
});
after(async () => { await wrangler.stop(); });

async function liveCall(team = 'blue') {
  const agentToken = mint.agent(uid('agent'), team);
  const callId = await createCall(wrangler, agentToken);
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened).heartbeat(300);
  await agent.next('matrix');
  const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(uid('cust'), team, { call: callId })).opened).heartbeat(300);
  await customer.next('status');
  return { callId, agent, customer };
}

async function supervisor(callId, team = 'blue') {
  const client = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), team)).opened).heartbeat(300);
  await client.next('welcome');
  return client;
}

/**
 * Writes `count` frames at once, as fast as the socket takes them, then waits for the close to
 * complete. The runtime delivers every frame the peer wrote, in order, before the peer's answer to
 * the close: only then is the flood over, and the other participant's request is timed from there.
 * (While the flood is still being delivered, each frame costs the runtime ~13–30 µs even though the
 * object drops it unread; docs/bench/worker.md has those figures.)
 */
async function flood(client, frame, count = FLOOD) {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) client.send(frame(i));
  const closed = await client.closedWithin(20_000);
  if (process.env.EARSHOT_TRACE) console.log(`flood: closed ${closed.code} after ${(performance.now() - t0).toFixed(0)} ms, ${client.all.length} replies`);
  return closed;
}

/** The error that closed a flood for abuse is the last thing its socket was told: no frame after it took effect. */
function assertNothingAfterTheClose(client) {
  const closing = client.all.findIndex((m) => m.type === 'error' && m.code === 'rate_limited' && /closing/.test(m.message));
  assert.ok(closing > 0, 'the abuse was reported before the close');
  assert.deepEqual(client.all.slice(closing + 1).filter((m) => m.type === 'ack' || m.type === 'error'), []);
}

/** How long one request takes to be acknowledged. */
async function timed(client, request) {
  const t0 = performance.now();
  const reply = await client.request(request, 10_000);
  const ms = performance.now() - t0;
  if (process.env.EARSHOT_TRACE) console.log(`request ${request.type}: ${reply.type} in ${ms.toFixed(1)} ms`);
  return { reply, ms };
}

describe('floods end with their socket', () => {
  test('a supervisor flooding set_mode is closed with 4429 and does not stall another supervisor', async () => {
    const { callId, agent } = await liveCall();
    const flooder = await supervisor(callId);
    const other = await supervisor(callId);
    const closed = await flood(flooder, (i) => ({ type: 'set_mode', mode: i % 2 ? 'monitor' : 'whisper', ref: i }));
    assert.equal(closed.code, 4429);
    const { reply, ms } = await timed(other, { type: 'set_mode', mode: 'monitor' });
    assert.equal(reply.type, 'ack');
    assert.ok(ms < FAIR_MS, `the other supervisor's switch took ${ms.toFixed(1)} ms`);
    assertNothingAfterTheClose(flooder);
    // The agent hub's matrices: one per accepted switch, the other's joins and switch, the departure.
    await sleep(500);
    const acks = flooder.all.filter((m) => m.type === 'ack').length;
    const matrices = agent.all.filter((m) => m.type === 'matrix').length;
    assert.ok(matrices <= acks + 6, `${matrices} matrices reached the agent for ${acks} accepted switches`);
  });

  test('a customer flooding consent frames does not stall the supervisor', async () => {
    const { callId, customer } = await liveCall();
    const sup = await supervisor(callId);
    const closed = await flood(customer, (i) => ({ type: 'consent', ref: i }));
    assert.equal(closed.code, 4429);
    assertNothingAfterTheClose(customer);
    const { reply, ms } = await timed(sup, { type: 'set_mode', mode: 'monitor' });
    assert.equal(reply.type, 'ack');
    assert.ok(ms < FAIR_MS, `the supervisor's switch took ${ms.toFixed(1)} ms`);
  });

  test('a team socket flooding settings: no effect after the limit, a new console is served at once', async () => {
    const team = uid('flood-team');
    const watcher = (await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('w'), team)).opened).heartbeat(300);
    await watcher.next('feed');
    const flooder = await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('f'), team)).opened;
    await flooder.next('welcome');
    const closed = await flood(flooder, (i) => ({ type: 'set_consent_required', required: i % 2 === 0, ref: i }));
    assert.equal(closed.code, 4429);
    assertNothingAfterTheClose(flooder);
    const accepted = flooder.all.filter((m) => m.type === 'ack').length;
    const t0 = performance.now();
    const newcomer = (await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('n'), team)).opened).heartbeat(300);
    await newcomer.next('feed', 10_000);
    const firstFeedMs = performance.now() - t0;
    assert.ok(firstFeedMs < FAIR_MS, `a new console waited ${firstFeedMs.toFixed(1)} ms for its first feed`);
    const feedsAtClose = watcher.all.filter((m) => m.type === 'feed').length;
    await sleep(1500);
    const feeds = watcher.all.filter((m) => m.type === 'feed');
    // The watcher's feeds: its first, one per accepted change and the two arrivals; none later.
    assert.ok(feeds.length <= accepted + 4, `${feeds.length} feeds for ${accepted} accepted frames`);
    const late = feeds.slice(feedsAtClose).filter((f) => f.receivedAt > t0 + FAIR_MS);
    assert.deepEqual(late.map((f) => f.consent_required), [], 'feeds pushed after the flood settled');
    // The setting is what the last accepted frame said (frames alternate, from `true`).
    assert.equal(feeds.at(-1).consent_required, accepted % 2 === 1);
  });
});

/** A socket from the `ws` package, which can send bytes that are not UTF-8 in a text frame. */
/** Resolves once `condition()` holds (checked every 10 ms), or fails after `timeout` ms. */
async function until(condition, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function rawSocket(path, token) {
  const ws = new WebSocket(`ws://127.0.0.1:${wrangler.port}${path}`, ['earshot.v1', `bearer.${token}`]);
  const received = [];
  ws.on('message', (data) => received.push(JSON.parse(data.toString())));
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  return { ws, received, closed, opened };
}

/** Upgrades by hand offering `protocols` and reads the server's (unmasked) frames until its close. */
function rawUpgrade(path, protocols) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: wrangler.port, path, headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocols } });
    // Bytes the server sent right behind its 101 arrive as `head`, not as 'data': a server that
    // answers and closes at once puts the frames there.
    req.on('upgrade', (res, socket, head) => {
      let buffer = Buffer.alloc(0);
      const frames = [];
      const done = () => { socket.destroy(); resolve({ status: res.statusCode, frames }); };
      const take = (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          if (buffer.length < 2) return;
          let length = buffer[1] & 0x7f;
          let offset = 2;
          if (length === 126) { length = buffer.readUInt16BE(2); offset = 4; }
          if (buffer.length < offset + length) return;
          const frame = { opcode: buffer[0] & 0x0f, payload: buffer.subarray(offset, offset + length) };
          frames.push(frame);
          buffer = buffer.subarray(offset + length);
          if (frame.opcode === 8) { done(); return; }
        }
      };
      socket.on('data', take);
      // A connection dropped without a close frame ends the read too: the assertions name what is missing.
      socket.on('close', done);
      take(head);
    });
    req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode, frames: [] }); });
    req.on('error', reject);
    req.end();
  });
}

describe('strict frames', () => {
  test('a text frame that is not UTF-8 closes the socket with 1007 and has no effect', async () => {
    const { callId, agent } = await liveCall();
    const sup = rawSocket(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), 'blue'));
    await sup.opened;
    await until(() => sup.received.some((m) => m.type === 'roster')); // joined
    const prefix = Buffer.from('{"type":"coach","text":"');
    const bytes = Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}')]);
    sup.ws.send(bytes, { binary: false });
    const closed = await sup.closed;
    assert.equal(closed.code, 1007);
    // A sentinel: the agent's own ping is answered after anything the object sent them before it.
    assert.equal((await agent.request({ type: 'ping' })).type, 'ack');
    assert.deepEqual(agent.all.filter((m) => m.type === 'coaching'), [], 'nothing reached the agent');
    const audit = await (await wrangler.http('GET', `/api/calls/${callId}/audit`, mint.supervisor(uid('s'), 'blue'))).json();
    assert.deepEqual(audit.rows.filter((r) => r.action === 'coach'), [], 'nothing entered the audit trail');
  });

  test('a team frame that is not UTF-8 closes with 1007 too', async () => {
    const team = uid('utf-team');
    const sup = rawSocket(`/api/teams/${team}/ws`, mint.supervisor(uid('s'), team));
    await sup.opened;
    sup.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), { binary: false });
    assert.equal((await sup.closed).code, 1007);
  });
});

describe('tokens', () => {
  test('a token whose nbf is an hour ahead is refused with 4401; one a few seconds ahead is accepted', async () => {
    const { callId } = await liveCall();
    const now = Math.floor(Date.now() / 1000);
    const early = mint.token({ sub: uid('s'), name: 'Early', role: 'supervisor', team: 'blue', capabilities: ['monitor'], nbf: now + 3600 }, { ttl: 7200 });
    const refused = wrangler.ws(`/api/calls/${callId}/ws`, early);
    const closed = await refused.closedWithin(5000);
    assert.equal(closed.code, 4401);
    assert.match(refused.all.find((m) => m.type === 'error').message, /not valid yet/);
    const skewed = mint.token({ sub: uid('s'), name: 'Skewed', role: 'supervisor', team: 'blue', capabilities: ['monitor'], nbf: now + 10 });
    const accepted = await wrangler.ws(`/api/calls/${callId}/ws`, skewed).opened;
    assert.equal((await accepted.next('welcome')).type, 'welcome');
    await accepted.close();
  });
});

describe('close codes, as docs/PROTOCOL.md lists them', () => {
  test('a fifth supervisor gets call_full and close 4412, not 4409', async () => {
    const { callId } = await liveCall();
    for (let i = 0; i < 4; i++) await supervisor(callId);
    const fifth = wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), 'blue'));
    const closed = await fifth.closedWithin(5000);
    assert.equal(closed.code, 4412);
    assert.equal(fifth.all.find((m) => m.type === 'error').code, 'call_full');
  });

  test('an upgrade that does not offer the earshot.v1 subprotocol is closed with 4400', { timeout: 20_000 }, async () => {
    // No WebSocket client finishes a handshake that answers a subprotocol it did not offer, so the
    // frames are read off the raw upgraded connection.
    const { status, frames } = await rawUpgrade(`/api/calls/${uid('c')}/ws`, `bearer.${mint.agent(uid('a'), 'blue')}`);
    assert.equal(status, 101);
    assert.equal(JSON.parse(frames.find((f) => f.opcode === 1).payload).code, 'bad_request');
    assert.equal(frames.find((f) => f.opcode === 8).payload.readUInt16BE(0), 4400);
  });
});

