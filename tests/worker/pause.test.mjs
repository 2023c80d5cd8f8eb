// Secure pause against a real `wrangler dev`: the agent starts and ends it on its socket, the matrix
// cuts supervisors and the recording out, whisper/barge/takeover are refused with a reason, no health
// flag or level leaves the call, the console line says so, the audit trail has start and end, and a
// forgotten pause ends by itself at the team's limit (on the call's alarm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, setTeamSettings } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

before(async () => { await wrangler.start(); });
after(async () => { await wrangler.stop(); });

/** A call in `team` (early-barge guard off) with agent, customer and a barging supervisor. */
async function bargedCall(team) {
  await setTeamSettings(wrangler, mint, team, { early_barge_minutes: 0, secure_pause_limit_s: 3 });
  const agentToken = mint.agent(uid('agent'), team);
  const callId = await createCall(wrangler, agentToken);
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened).heartbeat(500);
  await agent.next('matrix');
  const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(uid('c'), team, { call: callId })).opened).heartbeat(500);
  await customer.next('status');
  const sup = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), team)).opened).heartbeat(500);
  await sup.next('welcome');
  assert.equal((await sup.request({ type: 'set_mode', mode: 'barge' })).type, 'ack');
  await customer.next((m) => m.type === 'status' && m.speakers.length === 1);
  return { callId, agent, customer, sup };
}

const consoleOf = async (team) => {
  const client = (await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('console'), team)).opened).heartbeat(500);
  await client.next('feed');
  return client;
};

const audit = async (callId, team) => (await (await fetch(`${wrangler.base}/api/calls/${callId}/audit`, {
  headers: { Authorization: `Bearer ${mint.supervisor(uid('reader'), team)}` } })).json()).rows;

/** Who `listener` hears in a matrix event, as party keys. */
function heardBy(event, listener) {
  const { sources, listeners, gains } = event.matrix;
  const key = (p) => (typeof p === 'string' ? p : `supervisor:${p.supervisor}`);
  const row = listeners.findIndex((l) => key(l) === listener);
  return sources.filter((_, s) => gains[row][s] > 0).map(key);
}

const second = { type: 'health', window_ms: 1000, agent_talk_ms: 400, customer_talk_ms: 500, overtalk_ms: 0,
  silence_ms: 0, customer_db: -5, customer_baseline_db: -30, agent_talk_total_ms: 20000, customer_talk_total_ms: 20000 };

test('a secure pause: two-party matrix, refusals with a reason, no health, the console and the audit trail; the end restores all', async () => {
  const team = uid('pause');
  const feed = await consoleOf(team);
  const { callId, agent, customer, sup } = await bargedCall(team);
  assert.equal((await agent.request({ type: 'set_recording', active: true })).type, 'ack');
  const recordingMatrix = await agent.next((m) => m.type === 'matrix' && heardBy(m, 'recording_customer').length === 1);
  const supKey = heardBy(recordingMatrix, 'customer').find((k) => k.startsWith('supervisor:'));

  // Neither a supervisor nor the customer may pause.
  for (const who of [sup, customer]) assert.equal((await who.request({ type: 'start_secure_pause' })).code, 'not_the_agent');
  const tooLong = await agent.request({ type: 'start_secure_pause', reason: 'x'.repeat(201) });
  assert.equal(tooLong.code, 'invalid');

  const startedAt = Date.now();
  assert.equal((await agent.request({ type: 'start_secure_pause', reason: 'card payment' })).type, 'ack');
  const paused = await agent.next((m) => m.type === 'matrix' && heardBy(m, supKey).length === 0);
  assert.deepEqual(heardBy(paused, 'customer'), ['agent'], 'the customer hears the agent only');
  assert.deepEqual(heardBy(paused, 'agent'), ['customer'], 'the agent hears the customer only');
  assert.deepEqual(heardBy(paused, 'recording_customer'), [], 'nothing recorded of the customer');
  assert.deepEqual(heardBy(paused, 'recording_agent'), [], 'nothing recorded of the agent');
  const status = await customer.next('status');
  assert.deepEqual(status.speakers, [], 'the barging supervisor fell silent for the customer');
  const roster = await sup.next((m) => m.type === 'roster' && m.secure_pause);
  assert.ok(roster.secure_pause.until - roster.secure_pause.since === 3000, 'ends by itself at the team limit');
  const line = await feed.next((m) => m.type === 'feed' && m.calls.some((c) => c.call_id === callId && c.secure_pause));
  assert.ok(Math.abs(line.calls.find((c) => c.call_id === callId).secure_pause.since - startedAt) < 2000);

  // While paused: nobody starts being heard; no flag, no level leaves the call.
  for (const mode of ['whisper', 'barge', 'takeover']) {
    const refused = await sup.request({ type: 'set_mode', mode, confirm: true });
    assert.equal(refused.code, 'secure_pause', mode);
    assert.match(refused.message, /secure pause is running/);
  }
  assert.equal((await sup.request({ type: 'end_secure_pause' })).code, 'not_the_agent', 'nor may a supervisor end it');
  const supFrames = sup.all.length;
  for (let i = 0; i < 3; i++) assert.equal((await agent.request(second)).type, 'ack');
  assert.equal((await agent.request({ type: 'levels', levels: [{ party: 'customer', db: -20 }] })).type, 'ack');
  assert.equal((await sup.request({ type: 'ping' })).type, 'ack', 'a sentinel: anything sent before it has arrived');
  assert.ok(!sup.all.slice(supFrames).some((m) => m.type === 'levels' || m.type === 'context_added'), 'no level, no flag reached the supervisor');

  assert.equal((await agent.request({ type: 'end_secure_pause' })).type, 'ack');
  const resumed = await agent.next((m) => m.type === 'matrix' && heardBy(m, 'customer').includes(supKey));
  assert.deepEqual(heardBy(resumed, supKey).sort(), ['agent', 'customer'], 'the supervisor hears both again');
  assert.deepEqual(heardBy(resumed, 'recording_customer'), ['customer'], 'the recording carries the customer again');
  await feed.next((m) => m.type === 'feed' && m.calls.some((c) => c.call_id === callId && !c.secure_pause));
  assert.equal((await sup.request({ type: 'set_mode', mode: 'whisper' })).type, 'ack', 'modes change again');

  const rows = (await audit(callId, team)).filter((r) => r.kind.startsWith('pause_'));
  assert.deepEqual(rows.map((r) => [r.kind, r.actor_role]), [['pause_started', 'agent'], ['pause_ended', 'agent']]);
  assert.equal(rows[0].detail, 'card payment (ends by itself after 3 s)');
  assert.match(rows[1].detail, /^ended by the agent after \d+ s$/);
  assert.ok(!rows.some((r) => r.kind.startsWith('flag_')), 'no flag raised during the pause');

  // The archive: the review's timeline has the pause; reports count its time apart.
  assert.equal((await agent.request({ type: 'end_call' })).type, 'ack');
  const reader = mint.supervisor(uid('reviewer'), team);
  const get = (path) => fetch(`${wrangler.base}${path}`, { headers: { Authorization: `Bearer ${reader}` } });
  let review;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const res = await get(`/api/calls/${callId}/review`);
    if (res.status === 200) { review = await res.json(); break; }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(review, 'the ended call reached the archive within 10 s');
  assert.equal(review.pauses.length, 1, JSON.stringify(review.pauses));
  const [pause] = review.pauses;
  assert.equal(pause.reason, 'card payment (ends by itself after 3 s)');
  assert.match(pause.ended, /^ended by the agent after \d+ s$/);
  assert.equal(pause.from, rows[0].at);
  assert.equal(pause.to, rows[1].at);
  const report = await (await get('/api/reports?by=supervisor&format=json')).json();
  const pausedS = (pause.to - pause.from) / 1000;
  assert.ok(Math.abs(report.totals.paused_s - pausedS) <= 0.05, `team paused_s ${report.totals.paused_s}, pause ${pausedS} s`);
  assert.ok(Math.abs(report.rows[0].paused_s - pausedS) <= 0.05, 'the barging supervisor span held the whole pause');
  for (const c of [customer, sup, feed]) await c.close();
});

test('a forgotten secure pause ends by itself at the team limit, audited as automatic', async () => {
  const team = uid('forgot');
  const { callId, agent, customer, sup } = await bargedCall(team);
  assert.equal((await agent.request({ type: 'start_secure_pause' })).type, 'ack');
  const started = Date.now();
  const roster = await sup.next((m) => m.type === 'roster' && m.secure_pause);
  const ended = await sup.next((m) => m.type === 'roster' && !m.secure_pause, 10_000);
  const took = Date.now() - started;
  assert.ok(took >= 2500 && took < 8000, `ended ${took} ms after it started (limit 3 s)`);
  assert.equal(ended.supervisors[0].mode, 'barge', 'the supervisor keeps their mode through the pause');
  await customer.next((m) => m.type === 'status' && m.speakers.length === 1);
  const rows = (await audit(callId, team)).filter((r) => r.kind.startsWith('pause_'));
  assert.deepEqual(rows.map((r) => [r.kind, r.actor]), [['pause_started', roster.agent.id], ['pause_ended', 'earshot']]);
  assert.match(rows[0].detail, /^payment details \(ends by itself after 3 s\)$/);
  assert.match(rows[1].detail, /^ended automatically at the team's 3 s limit after [34] s$/);
  for (const c of [agent, customer, sup]) await c.close();
});

test('the team limit is validated', async () => {
  const team = uid('limits');
  const client = (await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('s'), team)).opened);
  await client.next('welcome');
  for (const secure_pause_limit_s of [1, 901]) {
    const bad = await client.request({ type: 'set_settings', settings: { secure_pause_limit_s } });
    assert.equal(bad.code, 'invalid');
    assert.match(bad.message, /secure_pause_limit_s must be 2-900/);
  }
  assert.equal((await client.request({ type: 'set_settings', settings: { secure_pause_limit_s: 60 } })).type, 'ack');
  await client.close();
});
