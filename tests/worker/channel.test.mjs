// The pages' WebSocket client (demo/js/channel.js) against a real `wrangler dev`, in Node (whose
// WebSocket is the browsers' API): the token in Sec-WebSocket-Protocol, requests answered by their
// own `ack` or rejected with the worker's error code, frames dispatched by type, heartbeats that keep
// a participant present, a refusal's reason on open, and pending requests failed when the socket goes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, sleep } from './harness.mjs';

const wrangler = new Wrangler({ vars: { EARSHOT_SILENCE_LIMIT_MS: '3000' } });
const mint = new Minter();
let Channel, WorkerError;
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

before(async () => {
  await wrangler.start();
  globalThis.location = new URL(`${wrangler.base}/console.html`); // channel.js resolves paths against the page
  ({ Channel, WorkerError } = await import('../../demo/js/channel.js'));
});
after(async () => { await wrangler.stop(); });

/** A live call in a fresh team, the agent and a supervisor each on a Channel. */
async function call() {
  const team = uid('chan');
  const agentToken = mint.agent(uid('a'), team);
  const callId = await createCall(wrangler, agentToken);
  const agent = new Channel(`/api/calls/${callId}/ws`, agentToken);
  const supervisor = new Channel(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), team));
  return { team, callId, agent, supervisor };
}

test('requests resolve on their own ack; refusals reject with the worker error code; frames reach handlers by type', async () => {
  const { agent, supervisor } = await call();
  const welcome = await agent.open();
  assert.equal(welcome.type, 'welcome');
  assert.equal(welcome.role, 'agent');
  const monitored = new Promise((resolve) => agent.on('roster', (roster) => roster.supervisors.some((s) => s.mode === 'monitor') && resolve(roster)));
  await supervisor.open();
  // Two requests in flight at once: each resolves with the ack carrying its own ref.
  const [monitor, coach] = await Promise.all([
    supervisor.request({ type: 'set_mode', mode: 'monitor' }),
    supervisor.request({ type: 'coach', text: 'hello' }),
  ]);
  assert.deepEqual([monitor.type, coach.type], ['ack', 'ack']);
  assert.notEqual(monitor.ref, coach.ref);
  const refused = await supervisor.request({ type: 'set_recording', active: true }).catch((error) => error);
  assert.ok(refused instanceof WorkerError, String(refused));
  assert.equal(refused.code, 'not_allowed');
  assert.match(refused.message, /./);
  assert.equal((await monitored).supervisors.length, 1, 'the agent saw the supervisor monitoring');
  agent.close();
  supervisor.close();
});

test('a refusal on open rejects with the worker reason and close code; a request after close fails at once', async () => {
  const { callId } = await call();
  const other = new Channel(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), uid('other-team')));
  const refusal = await other.open().catch((error) => error);
  assert.ok(refusal instanceof Error);
  assert.equal(refusal.closeCode, 4403, refusal.message);
  await assert.rejects(other.request({ type: 'ping' }), /not connected/);
});

test('heartbeats keep a quiet participant present past the silence limit; a request pending when the socket goes is rejected', async () => {
  const { agent, supervisor } = await call();
  await agent.open();
  await supervisor.open();
  const closes = [];
  supervisor.on('close', (event) => closes.push(event));
  await sleep(4500); // longer than the 3 s silence limit: only the heartbeats speak
  assert.equal(closes.length, 0, 'still present');
  assert.equal((await supervisor.request({ type: 'ping' })).type, 'ack');
  const pending = supervisor.request({ type: 'set_mode', mode: 'whisper' });
  supervisor.socket.close(); // the socket goes before any answer can arrive
  await assert.rejects(pending);
  await sleep(100);
  assert.equal(closes.length, 1);
  assert.match(closes[0].reason, /./);
  agent.close();
});
