// The team object against a real `wrangler dev`: availability, queue with positions, longest-idle
// assignment, ringing, and the supervisors' live feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, setTeamSettings, sleep } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
const team = `team${process.pid}`;

before(async () => {
  await wrangler.start();
  // The barges below are not about the early-barge guard (health.test.mjs is).
  for (const name of [team, `${team}p`]) await setTeamSettings(wrangler, mint, name, { early_barge_minutes: 0 });
});
after(async () => { if (process.env.EARSHOT_SHOW_LOG) console.log(wrangler.log); await wrangler.stop(); });

async function member(token, name = team) {
  const client = await wrangler.ws(`/api/teams/${name}/ws`, token).opened;
  await client.next('welcome');
  return client.heartbeat(1000);
}

test('queued customers wait in order and go to the longest-idle agent; the feed follows', async () => {
  const supervisor = await member(mint.supervisor('lead', team));
  const a1 = await member(mint.agent('a1', team));
  const a2 = await member(mint.agent('a2', team));
  assert.equal((await a2.request({ type: 'set_available', available: true })).type, 'ack');
  await sleep(20);
  assert.equal((await a1.request({ type: 'set_available', available: true })).type, 'ack');

  const c1 = await member(mint.customer('c1', team));
  const assigned = await c1.next('assigned');
  // The server closes a handed-off queue socket on its next sweep; the client need not wait for it.
  c1.close();
  const ring = await a2.next('ring');
  assert.equal(ring.call_id, assigned.call_id, 'a2 was idle longest');
  assert.equal(ring.customer_label, 'Customer c1');

  const c2 = await member(mint.customer('c2', team));
  const ring2 = await a1.next('ring');
  assert.equal((await c2.next('assigned')).call_id, ring2.call_id);

  // Nobody free: the next customers queue, with positions.
  const c3 = await member(mint.customer('c3', team));
  assert.equal((await c3.next('queued')).position, 1);
  const c4 = await member(mint.customer('c4', team));
  assert.equal((await c4.next('queued')).position, 2);
  const feed = await supervisor.next((m) => m.type === 'feed' && m.queue.length === 2);
  assert.equal(feed.calls.length, 2);
  assert.deepEqual(feed.calls.map((c) => c.agent_id).sort(), ['a1', 'a2']);
  assert.ok(feed.longest_wait_ms >= 0);
  for (const key of ['customer_label', 'started_at', 'supervisors', 'help_raised', 'health_flags']) assert.ok(key in feed.calls[0], key);

  // The first in line leaving moves the second up.
  await c3.close();
  assert.equal((await c4.next('queued')).position, 1);

  // Help raised in a call shows on the feed; ending the call frees the agent, who takes c4.
  const agentCall = await wrangler.ws(`/api/calls/${ring.call_id}/ws`, mint.agent('a2', team)).opened;
  await agentCall.next('matrix');
  await agentCall.request({ type: 'raise_hand', raised: true });
  const raised = await supervisor.next((m) => m.type === 'feed' && m.calls.some((c) => c.help_raised));
  assert.equal(raised.calls.find((c) => c.help_raised).call_id, ring.call_id);
  await agentCall.request({ type: 'end_call' });
  const ring3 = await a2.next('ring');
  assert.equal((await c4.next('assigned')).call_id, ring3.call_id);
  for (const c of [supervisor, a1, a2]) await c.close();
});

test('team sockets: other teams are refused, customers cannot set availability', async () => {
  const stranger = wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor('s', 'elsewhere'));
  assert.equal((await stranger.closedWithin(10000)).code, 4403);
  const quiet = `${team}q`;
  const customer = await member(mint.customer('cx', quiet), quiet);
  assert.equal((await customer.request({ type: 'set_available', available: true })).code, 'not_allowed');
  const sup = await member(mint.supervisor('s2', quiet), quiet);
  assert.equal((await sup.request({ type: 'set_available', available: true })).code, 'not_allowed');
  const agent = await member(mint.agent('a9', quiet), quiet);
  assert.equal((await agent.request({ type: 'set_consent_required', required: true })).code, 'not_allowed');
  for (const c of [customer, sup, agent]) await c.close();
});

test("team sockets share the call sockets' shell: pings with a ref acked, bad frames answered, an older socket replaced (4409)", async () => {
  const name = `${team}s`;
  const first = await member(mint.agent('as', name), name);
  assert.equal((await first.request({ type: 'ping' })).type, 'ack');
  const acked = first.all.findIndex((m) => m.type === 'ack');
  await first.next('pong');
  assert.equal(first.all[acked + 1].type, 'pong', 'the pong follows the ack');
  first.send('{nope');
  assert.equal((await first.next('error')).code, 'malformed');
  first.send({ type: 'shout', ref: 7 });
  assert.deepEqual([(await first.next('error')).code, first.all.at(-1).ref], ['unknown_type', 7]);
  first.ws.send(new Uint8Array([1, 2, 3]));
  assert.equal((await first.next('error')).code, 'binary_unsupported');
  assert.equal(first.closeEvent, undefined, 'errors leave the socket open');
  const second = await member(mint.agent('as', name), name);
  assert.equal((await first.closedWithin(5000)).code, 4409);
  assert.equal((await second.request({ type: 'set_available', available: true })).type, 'ack');
  await second.next((m) => m.type === 'agent_status' && m.available); // the newer socket acts
  await second.close();
});

test('an agent can create a call and hand the customer a link', async () => {
  const res = await fetch(`${wrangler.base}/api/calls`, {
    method: 'POST', headers: { Authorization: `Bearer ${mint.agent('linker', team)}` }, body: '{"customer_label":"Mrs Lee"}' });
  assert.equal(res.status, 201);
  const { call_id: callId, customer_path: link } = await res.json();
  assert.equal(link, `/customer.html?call=${callId}`);
  const again = await fetch(`${wrangler.base}/api/calls`, { method: 'POST', headers: { Authorization: `Bearer ${mint.agent('linker', team)}` } });
  assert.equal(again.status, 409, 'one call at a time');
  const asSupervisor = await fetch(`${wrangler.base}/api/calls`, { method: 'POST', headers: { Authorization: `Bearer ${mint.supervisor('s', team)}` } });
  assert.equal(asSupervisor.status, 403);
  const customer = await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer('lee', team, { call: callId })).opened;
  assert.equal((await customer.next('status')).agent_connected, false);
  await customer.close();
});

test('the feed is paced: a burst of mode switches arrives as its last state, one push per 250 ms at most', async () => {
  const paced = `${team}p`;
  const console_ = await member(mint.supervisor('lead', paced), paced);
  const agentToken = mint.agent('ap', paced);
  const callId = await createCall(wrangler, agentToken);
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened).heartbeat(1000);
  await agent.next('matrix');
  const sup = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor('sp', paced)).opened).heartbeat(1000);
  await sup.next('roster');
  await console_.next((m) => m.type === 'feed' && m.calls.some((c) => c.supervisors.some((s) => s.id === 'sp')));
  const modes = ['monitor', 'whisper', 'barge', 'takeover', 'barge', 'whisper', 'monitor', 'whisper', 'barge', 'whisper'];
  const started = performance.now();
  const arrivals = [];
  console_.ws.addEventListener('message', (e) => { if (e.data.startsWith('{"type":"feed"')) arrivals.push(performance.now()); });
  for (const mode of modes) assert.equal((await sup.request({ type: 'set_mode', mode })).type, 'ack');
  await sleep(800); // longer than the interval: whatever was pending has gone out
  const last = console_.all.filter((m) => m.type === 'feed').at(-1);
  assert.deepEqual(last.calls[0].supervisors.map((s) => [s.id, s.mode]), [['sp', 'whisper']], 'the latest state arrived');
  assert.ok(arrivals.length >= 1 && arrivals[0] >= started);
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  assert.ok(gaps.every((gap) => gap >= 100), `pushes closer than the 250 ms interval allows, even with jitter: ${gaps.map(Math.round)}`);
  assert.ok(arrivals.length < modes.length, `${arrivals.length} pushes for ${modes.length} switches`);
  for (const c of [console_, agent, sup]) await c.close();
});
