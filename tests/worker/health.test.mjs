// Call health and the early-barge guard against a real `wrangler dev`: team settings, health samples
// raising and clearing flags on the console feed and in the audit trail, level relays to supervisors
// only, the context a supervisor gets on opening a call, and the confirm path of an early barge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, setTeamSettings } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

before(async () => { await wrangler.start(); });
after(async () => { await wrangler.stop(); });

/** A call in `team` with agent and customer connected and pinging. */
async function liveCall(team) {
  const agentToken = mint.agent(uid('agent'), team);
  const callId = await createCall(wrangler, agentToken);
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened).heartbeat(500);
  await agent.next('matrix');
  const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(uid('c'), team, { call: callId })).opened).heartbeat(500);
  await customer.next('status');
  return { callId, agent, customer };
}

async function consoleOf(team) {
  const client = (await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(uid('console'), team)).opened).heartbeat(500);
  await client.next('feed');
  return client;
}

async function supervisorIn(team, callId, sub = uid('s')) {
  const client = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(sub, team)).opened).heartbeat(500);
  await client.next('welcome');
  return client;
}

/** One second of a call as a hub reports it. */
function second({ talk = true, silenceMs = 0, customerDb = -30 } = {}) {
  return {
    type: 'health', window_ms: 1000,
    agent_talk_ms: talk ? 400 : 0, customer_talk_ms: talk ? 500 : 0, overtalk_ms: 0,
    silence_ms: silenceMs, customer_db: talk ? customerDb : null, customer_baseline_db: -30,
    agent_talk_total_ms: 20000, customer_talk_total_ms: 20000,
  };
}

const audit = async (callId, team) => (await (await fetch(`${wrangler.base}/api/calls/${callId}/audit`, {
  headers: { Authorization: `Bearer ${mint.supervisor(uid('auditor'), team)}` } })).json()).rows;

test('team settings: supervisors only, validated field by field, carried on the feed', async () => {
  const team = uid('settings');
  const feedClient = await consoleOf(team);
  assert.deepEqual(feedClient.all.find((m) => m.type === 'feed').settings.early_barge_minutes, 3, 'the default guard is three minutes');
  const agent = (await wrangler.ws(`/api/teams/${team}/ws`, mint.agent(uid('a'), team)).opened);
  await agent.next('welcome');
  assert.equal((await agent.request({ type: 'set_settings', settings: {} })).code, 'not_allowed');
  const bad = await feedClient.request({ type: 'set_settings', settings: { health: { loud_db: 100 } } });
  assert.equal(bad.code, 'invalid');
  assert.match(bad.message, /health\.loud_db must be 3-40/);
  const malformed = await feedClient.request({ type: 'set_settings', settings: { early_barge_minutes: 'soon' } });
  assert.equal(malformed.code, 'malformed');
  assert.equal((await feedClient.request({ type: 'set_settings', settings: { early_barge_minutes: 5, health: { dead_air_s: 7 } } })).type, 'ack');
  const feed = await feedClient.next((m) => m.type === 'feed' && m.settings.early_barge_minutes === 5);
  assert.equal(feed.settings.health.dead_air_s, 7);
  assert.equal(feed.settings.health.loud_db, 10, 'omitted thresholds take their defaults');
  await agent.close();
  await feedClient.close();
});

test('an early barge or takeover must be confirmed and is audited as early; monitor and whisper are not guarded', async () => {
  const team = uid('guard');
  const { callId, agent, customer } = await liveCall(team);
  const sup = await supervisorIn(team, callId);
  for (const mode of ['monitor', 'whisper']) assert.equal((await sup.request({ type: 'set_mode', mode })).type, 'ack', mode);
  for (const mode of ['barge', 'takeover']) {
    const refused = await sup.request({ type: 'set_mode', mode });
    assert.equal(refused.code, 'confirm_required', mode);
    assert.match(refused.message, new RegExp(`this call is 0:0\\d old; a ${mode} in its first 3 minutes needs confirming`));
    assert.equal(refused.guard_minutes, 3, 'the guard, as a field of the error frame');
    assert.ok(Number.isInteger(refused.call_age_ms) && refused.call_age_ms >= 0 && refused.call_age_ms < 10_000, `the call's age in ms: ${refused.call_age_ms}`);
  }
  assert.ok(!customer.all.some((m) => m.type === 'status' && m.speakers.length), 'an unconfirmed barge reached nobody');
  assert.equal((await sup.request({ type: 'set_mode', mode: 'barge', confirm: true })).type, 'ack');
  const heard = await customer.next((m) => m.type === 'status' && m.speakers.length === 1);
  assert.equal(heard.speakers.length, 1);
  const rows = await audit(callId, team);
  const early = rows.filter((r) => r.kind === 'mode_change' && r.to_mode === 'barge');
  assert.equal(early.length, 1);
  assert.match(early[0].detail, /^early barge confirmed at 0:0\d$/);
  // A team without the guard barges straight away.
  const open = uid('unguarded');
  await setTeamSettings(wrangler, mint, open, { early_barge_minutes: 0 });
  const other = await liveCall(open);
  const sup2 = await supervisorIn(open, other.callId);
  assert.equal((await sup2.request({ type: 'set_mode', mode: 'barge' })).type, 'ack');
  for (const c of [agent, customer, sup, other.agent, other.customer, sup2]) await c.close();
});

test('health samples raise and clear flags on the feed and in the audit trail; the customer hears of none', async () => {
  const team = uid('health');
  await setTeamSettings(wrangler, mint, team, { health: { dead_air_s: 2, raise_after_s: 1, clear_after_s: 2 } });
  const feedClient = await consoleOf(team);
  const { callId, agent, customer } = await liveCall(team);
  const customerFrames = customer.all.length;
  for (const s of [1, 2, 3]) assert.equal((await agent.request({ ...second({ talk: false, silenceMs: s * 1000 }) })).type, 'ack');
  const flagged = await feedClient.next((m) => m.type === 'feed' && m.calls.some((c) => c.health_flags.length));
  const [flag] = flagged.calls.find((c) => c.call_id === callId).health_flags;
  assert.equal(flag.kind, 'dead_air');
  assert.equal(flag.note, 'nobody speaking');
  assert.ok(Math.abs(Date.now() - 2000 - flag.since) < 1500, `dated from the silence's start: ${Date.now() - flag.since} ms ago`);
  // Shouting (15 dB over the baseline) for a second raises the loudness flag too (raise_after_s 1);
  // dead air stays raised until two seconds without it (clear_after_s 2).
  await agent.request(second({ customerDb: -15 }));
  const both = await feedClient.next((m) => m.type === 'feed' && m.calls[0]?.health_flags.length === 2);
  assert.deepEqual(both.calls[0].health_flags.map((f) => f.kind), ['customer_loud', 'dead_air']);
  for (let i = 0; i < 3; i++) await agent.request(second());
  await feedClient.next((m) => m.type === 'feed' && m.calls[0]?.health_flags.length === 0);
  const rows = (await audit(callId, team)).filter((r) => r.kind.startsWith('flag_'));
  assert.deepEqual(rows.map((r) => [r.kind, r.target]), [
    ['flag_raised', 'dead_air'], ['flag_raised', 'customer_loud'], ['flag_cleared', 'dead_air'], ['flag_cleared', 'customer_loud'],
  ]);
  assert.equal(rows[0].actor, 'earshot');
  // A sentinel: the customer's own ping is answered after anything the object sent them before it.
  assert.equal((await customer.request({ type: 'ping' })).type, 'ack');
  assert.ok(customer.all.slice(customerFrames).every((m) => m.type === 'pong' || m.type === 'ack'), 'the customer received nothing but pongs');
  // Bad samples and senders get clear errors; nothing changes.
  const nan = await agent.request({ ...second(), customer_db: 'loud' });
  assert.equal(nan.code, 'malformed');
  const impossible = await agent.request({ ...second(), agent_talk_ms: 5000 });
  assert.equal(impossible.code, 'invalid');
  assert.match(impossible.message, /agent_talk_ms exceeds window_ms/);
  assert.equal((await customer.request(second())).code, 'not_allowed');
  for (const c of [agent, customer, feedClient]) await c.close();
});

test('levels reach the supervisors in the call and nobody else', async () => {
  const team = uid('levels');
  const { callId, agent, customer } = await liveCall(team);
  const sup = await supervisorIn(team, callId, 'lv-sup');
  const levels = [{ party: 'agent', db: -18.5 }, { party: 'customer', db: -24 }, { party: { supervisor: 'lv-sup' }, db: -90 }];
  const hears = [{ party: 'agent', db: -24 }, { party: 'customer', db: -18.5 }, { party: { supervisor: 'lv-sup' }, db: -90 }];
  const customerFrames = customer.all.length;
  agent.send({ type: 'levels', levels, hears });
  const relayed = await sup.next('levels');
  assert.deepEqual([relayed.levels, relayed.hears], [levels, hears]);
  const bad = await agent.request({ type: 'levels', levels: [{ party: 'agent', db: 1e9 }] });
  assert.equal(bad.code, 'invalid');
  const loudHeard = await agent.request({ type: 'levels', levels, hears: [{ party: 'customer', db: 1e9 }] });
  assert.equal(loudHeard.code, 'invalid', 'an impossible level in what a party hears');
  const nanHeard = await agent.request({ type: 'levels', levels, hears: [{ party: 'customer', db: Number.NaN }] });
  assert.equal(nanHeard.code, 'malformed', 'NaN (JSON null) where a level belongs');
  assert.equal((await sup.request({ type: 'levels', levels })).code, 'not_allowed');
  assert.equal((await customer.request({ type: 'ping' })).type, 'ack'); // the sentinel, as above
  assert.ok(customer.all.slice(customerFrames).every((m) => m.type === 'pong' || m.type === 'ack'), 'the customer received nothing but pongs');
  for (const c of [agent, customer, sup]) await c.close();
});

test("opening a call gives the supervisor its last minute of help, coaching, flags and supervisors' mode entries, with their names", async () => {
  const team = uid('context');
  await setTeamSettings(wrangler, mint, team, { health: { dead_air_s: 1, raise_after_s: 1, clear_after_s: 5 } });
  const { callId, agent, customer } = await liveCall(team);
  assert.equal((await agent.request({ type: 'raise_hand', raised: true })).type, 'ack');
  const coachId = uid('coach');
  const coach = await supervisorIn(team, callId, coachId);
  assert.equal((await coach.request({ type: 'set_mode', mode: 'whisper' })).type, 'ack');
  assert.equal((await coach.request({ type: 'coach', text: 'slow down' })).type, 'ack');
  await coach.request({ type: 'leave' });
  await agent.request(second({ talk: false, silenceMs: 1500 }));
  const lateId = uid('late');
  const sup = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(lateId, team)).opened).heartbeat(500);
  const context = await sup.next('context');
  assert.ok(Date.now() - context.since >= 60000 - 2000 && Date.now() - context.since < 65000, 'the last minute');
  const rows = context.events.map((e) => [e.kind, e.actor_role === 'supervisor' ? e.actor : e.actor_role, e.from_mode, e.to_mode]);
  assert.deepEqual(rows, [
    ['help', 'agent', null, null],
    ['join', coachId, null, 'none'],
    ['mode_change', coachId, 'none', 'whisper'],
    ['coaching', coachId, null, null],
    ['leave', coachId, 'whisper', null],
    ['flag_raised', 'agent', null, null],
    ['join', lateId, null, 'none'], // its own arrival, written before its context was read
  ], JSON.stringify(context.events));
  assert.equal(context.events[3].detail, 'slow down');
  assert.deepEqual(context.flags.map((f) => f.kind), ['dead_air']);
  assert.equal(context.names[coachId], `Sup ${coachId}`, 'a supervisor who left is still named');
  for (const c of [agent, customer, sup, coach]) await c.close();
});

test('a supervisor on the call gets each context row as it is written; the agent and the customer never do', async () => {
  const team = uid('live');
  const { callId, agent, customer } = await liveCall(team);
  const watcher = await supervisorIn(team, callId);
  await watcher.next('context');
  const added = async (kind) => (await watcher.next((m) => m.type === 'context_added' && m.events.some((e) => e.kind === kind))).events;
  assert.equal((await agent.request({ type: 'raise_hand', raised: true })).type, 'ack');
  assert.deepEqual((await added('help')).map((e) => [e.kind, e.detail]), [['help', 'raised']]);
  const otherId = uid('other');
  const other = await supervisorIn(team, callId, otherId);
  assert.deepEqual((await added('join')).map((e) => [e.kind, e.actor, e.to_mode]), [['join', otherId, 'none']]);
  assert.equal((await other.request({ type: 'set_mode', mode: 'barge', confirm: true })).type, 'ack');
  const [change] = await added('mode_change');
  assert.deepEqual([change.actor, change.from_mode, change.to_mode], [otherId, 'none', 'barge']);
  assert.ok(Number.isInteger(change.seq) && change.seq > 0 && Math.abs(Date.now() - change.at) < 5000, JSON.stringify(change));
  assert.equal((await other.request({ type: 'coach', text: 'nearly there' })).type, 'ack');
  assert.deepEqual((await added('coaching')).map((e) => e.detail), ['nearly there']);
  // A sentinel: once the agent's ping is answered, everything before it was delivered.
  for (const party of [agent, customer]) await party.request({ type: 'ping' });
  for (const party of [agent, customer]) {
    assert.deepEqual(party.all.filter((m) => m.type === 'context_added' || m.type === 'context'), [], 'no context outside the supervisors');
  }
  for (const c of [agent, customer, watcher, other]) await c.close();
});
