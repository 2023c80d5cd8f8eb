// The call room against a real `wrangler dev`: authorization matrix, tokens, the customer invariant,
// bad input, rate limit, reconnect, presence, consent, help and coaching.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, setTeamSettings, sleep } from './harness.mjs';

const TIMING = { EARSHOT_HEARTBEAT_MS: '300', EARSHOT_SILENCE_LIMIT_MS: '1500', EARSHOT_GRACE_MS: '2500' };
const wrangler = new Wrangler({ vars: TIMING });
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

before(async () => {
  await wrangler.start();
  // This suite barges in calls a second old; the early-barge guard has its own suite (health.test.mjs).
  for (const team of ['blue', 'green']) await setTeamSettings(wrangler, mint, team, { early_barge_minutes: 0 });
});
after(async () => { await wrangler.stop(); });

/** A call with a connected agent and customer; both keep pinging. */
async function liveCall({ team = 'blue', exemptions = [] } = {}) {
  const agentId = uid('agent');
  const agentToken = mint.agent(agentId, team, exemptions.length ? { exemptions } : {});
  const callId = await createCall(wrangler, agentToken);
  const agent = await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened;
  agent.heartbeat(300);
  await agent.next('matrix');
  const customer = await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(uid('cust'), team, { call: callId })).opened;
  customer.heartbeat(300);
  await customer.next('status');
  return { callId, agent, customer, agentId, team };
}

async function join(callId, token, { silent = false } = {}) {
  const client = await wrangler.ws(`/api/calls/${callId}/ws`, token).opened;
  if (!silent) client.heartbeat(300);
  const first = await client.next(() => true);
  return { client, first };
}

describe('tokens', () => {
  test('forged, expired, wrong-audience and missing tokens are closed with 4401', async () => {
    const { callId } = await liveCall();
    const foreign = new Minter({ key: 'foreign' });
    const cases = {
      forged: foreign.supervisor('s', 'blue'),
      // A genuine agent token whose claims were swapped for a supervisor's: the signature no longer fits.
      altered: (() => {
        const [header, , signature] = mint.agent('s', 'blue').split('.');
        return [header, mint.supervisor('s', 'blue').split('.')[1], signature].join('.');
      })(),
      expired: mint.token({ sub: 's', name: 'S', role: 'supervisor', team: 'blue', capabilities: ['monitor'] }, { issuedAt: Math.floor(Date.now() / 1000) - 7200, ttl: 600 }),
      wrongAudience: mint.token({ sub: 's', name: 'S', role: 'supervisor', team: 'blue', capabilities: ['monitor'] }, { aud: 'someone-else' }),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(cases)) {
      const client = wrangler.ws(`/api/calls/${callId}/ws`, token);
      const closed = await client.closedWithin(10000);
      assert.equal(closed.code, 4401, `${name}: ${JSON.stringify(closed)}`);
      assert.equal(client.all[0]?.code, 'unauthenticated', name);
    }
    const anonymous = wrangler.ws(`/api/calls/${callId}/ws`, null);
    assert.equal((await anonymous.closedWithin(10000)).code, 4401);
  });

  test('HTTP endpoints refuse bad tokens with 401', async () => {
    const res = await fetch(`${wrangler.base}/api/calls`, { method: 'POST', headers: { Authorization: `Bearer ${new Minter({ key: 'foreign' }).agent('a', 'blue')}` } });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'unauthenticated');
    assert.equal((await fetch(`${wrangler.base}/api/calls`, { method: 'POST' })).status, 401);
  });

  test('a token never appears in the worker log', async () => {
    const token = mint.agent(uid('agent'), 'blue');
    await createCall(wrangler, token);
    await sleep(200);
    assert.ok(!wrangler.log.includes(token.split('.')[2]), 'signature found in the log');
  });

  test('upgrades from a foreign Origin are refused with 403; own origin is accepted', async () => {
    const { callId } = await liveCall();
    const protocols = `earshot.v1, bearer.${mint.supervisor(uid('s'), 'blue')}`;
    const path = `/api/calls/${callId}/ws`;
    assert.equal(await wrangler.upgradeStatus(path, { Origin: 'https://evil.example', 'Sec-WebSocket-Protocol': protocols }), 403);
    assert.equal(await wrangler.upgradeStatus(path, { Origin: wrangler.base, 'Sec-WebSocket-Protocol': protocols }), 101);
  });
});

describe('authorization matrix', () => {
  const MODES = ['monitor', 'whisper', 'barge', 'takeover'];
  const actors = [
    { label: 'full supervisor, own team', role: 'supervisor', team: 'blue', caps: MODES },
    { label: 'monitor-only lead, own team', role: 'supervisor', team: 'blue', caps: ['monitor'] },
    { label: 'full supervisor, other team', role: 'supervisor', team: 'green', caps: MODES },
    { label: 'another agent, own team', role: 'agent', team: 'blue' },
    { label: 'agent, other team', role: 'agent', team: 'green' },
    { label: 'invited customer', role: 'customer', team: 'blue', invited: true },
    { label: 'uninvited customer, own team', role: 'customer', team: 'blue' },
    { label: 'customer, other team', role: 'customer', team: 'green', invited: true },
  ];

  for (const exempt of [false, true]) {
    test(`role × action × team, agent ${exempt ? 'exempt from barge' : 'not exempt'}`, async () => {
      const call = await liveCall({ exemptions: exempt ? ['barge'] : [] });
      let cases = 0;
      for (const actor of actors) {
        const sub = uid(actor.role);
        const claims = { sub, name: sub, role: actor.role, team: actor.team };
        if (actor.caps) claims.capabilities = actor.caps;
        if (actor.invited) claims.call = call.callId;
        const token = mint.token(claims);
        const client = wrangler.ws(`/api/calls/${call.callId}/ws`, token);
        // Join: supervisors of the team; the invited customer (already present: replaces the socket).
        const mayJoin = actor.team === 'blue' && (actor.role === 'supervisor' || (actor.role === 'customer' && actor.invited));
        const first = await client.next(() => true);
        cases++;
        if (!mayJoin) {
          assert.equal((await client.closedWithin(10000)).code, 4403, `${actor.label} join`);
          assert.equal(first.type, 'error', actor.label);
        } else {
          assert.equal(first.type, 'welcome', `${actor.label} join`);
          for (const mode of MODES) {
            const reply = await client.request({ type: 'set_mode', mode });
            const allowed = actor.role === 'supervisor' && actor.caps.includes(mode) && !(exempt && mode === 'barge');
            const expected = allowed ? 'ack'
              : actor.role !== 'supervisor' ? 'not_a_supervisor'
                : !actor.caps.includes(mode) ? 'missing_capability' : 'agent_exempt';
            assert.equal(reply.type === 'ack' ? 'ack' : reply.code, expected, `${actor.label} ${mode}`);
            cases++;
          }
          if (actor.role === 'supervisor') assert.equal((await client.request({ type: 'set_mode', mode: 'none' })).type, 'ack');
          const coach = await client.request({ type: 'coach', text: 'slow down' });
          assert.equal(coach.type === 'ack' ? 'ack' : coach.code, actor.role === 'supervisor' ? 'ack' : 'not_allowed', `${actor.label} coach`);
          const hand = await client.request({ type: 'raise_hand', raised: true });
          assert.equal(hand.code, 'not_allowed', `${actor.label} raise_hand`);
          const signal = await client.request({ type: 'signal', to: 'customer', data: {} });
          assert.equal(signal.code, 'not_allowed', `${actor.label} signal to customer`);
          cases += 3;
        }
        const audit = await fetch(`${wrangler.base}/api/calls/${call.callId}/audit`, { headers: { Authorization: `Bearer ${token}` } });
        const mayRead = actor.role === 'supervisor' && actor.team === 'blue';
        assert.equal(audit.status, mayRead ? 200 : 403, `${actor.label} audit`);
        cases++;
        await client.close();
      }
      // 3 admitted actors × (join, 4 modes, coach, hand, signal, audit) + 5 refused × (join, audit).
      assert.equal(cases, 3 * 9 + 5 * 2);
    });
  }

  test('an agent may not join another agent\'s call, nor a customer another call', async () => {
    const a = await liveCall();
    const b = await liveCall();
    const intruder = wrangler.ws(`/api/calls/${a.callId}/ws`, mint.customer(uid('c'), 'blue', { call: b.callId }));
    assert.equal((await intruder.closedWithin(10000)).code, 4403);
    const otherAgent = wrangler.ws(`/api/calls/${a.callId}/ws`, mint.agent(b.agentId, 'blue'));
    assert.equal((await otherAgent.closedWithin(10000)).code, 4403);
    const nowhere = wrangler.ws(`/api/calls/${'0'.repeat(64)}/ws`, mint.supervisor(uid('s'), 'blue'));
    assert.equal((await nowhere.closedWithin(10000)).code, 4404);
  });
});

describe('the customer invariant', () => {
  test('monitor and whisper reveal nothing to the customer; barge and takeover show only a name (takeover: and that the agent is not heard)', async () => {
    const { callId, agent, customer } = await liveCall();
    customer.inbox.length = 0;
    const lead = (await join(callId, mint.supervisor(uid('lead'), 'blue'))).client.heartbeat(300);
    const trainee = (await join(callId, mint.supervisor(uid('trainee'), 'blue', ['monitor']))).client.heartbeat(300);
    for (const mode of ['monitor', 'whisper', 'none', 'whisper']) assert.equal((await lead.request({ type: 'set_mode', mode })).type, 'ack');
    assert.equal((await trainee.request({ type: 'set_mode', mode: 'monitor' })).type, 'ack');
    assert.equal((await lead.request({ type: 'coach', text: 'ask for the order number' })).type, 'ack');
    assert.equal((await agent.next('coaching')).text, 'ask for the order number');
    assert.equal((await agent.request({ type: 'raise_hand', raised: true })).type, 'ack');
    assert.equal((await agent.request({ type: 'signal', to: { supervisor: lead.all[0].you }, data: { sdp: 'offer' } })).type, 'ack');
    assert.deepEqual((await lead.next('signal')).from, 'agent');
    await trainee.request({ type: 'leave' });
    // Sentinel: the agent's signal is the next thing the customer receives.
    assert.equal((await agent.request({ type: 'signal', to: 'customer', data: { sdp: 'sentinel' } })).type, 'ack');
    const sentinel = await customer.next((m) => m.type !== 'pong');
    assert.equal(sentinel.type, 'signal', `customer got ${JSON.stringify(sentinel)} before the sentinel`);
    assert.deepEqual(sentinel.data, { sdp: 'sentinel' });
    const leaked = customer.all.filter((m) => JSON.stringify(m).match(/lead|trainee|supervisor|whisper|monitor|coach/i));
    assert.deepEqual(leaked, []);

    assert.equal((await lead.request({ type: 'set_mode', mode: 'barge' })).type, 'ack');
    const barged = await customer.next('status');
    assert.deepEqual(barged.speakers, [`Sup ${lead.all[0].you}`]);
    assert.deepEqual(Object.keys(barged).sort(), ['agent_connected', 'consent_given', 'disclosure_required', 'hears_agent', 'receivedAt', 'recording', 'speakers', 'type']);
    assert.equal(barged.hears_agent, true, 'in barge the customer still hears the agent');
    assert.equal((await lead.request({ type: 'set_mode', mode: 'takeover' })).type, 'ack');
    const takenOver = await customer.next('status');
    assert.deepEqual([takenOver.speakers, takenOver.hears_agent], [[`Sup ${lead.all[0].you}`], false], 'takeover: the supervisor, not the agent');
    await lead.request({ type: 'set_mode', mode: 'whisper' });
    assert.deepEqual((await customer.next('status')).speakers, [], 'back to whisper: nobody audible');
    // A customer cannot signal a supervisor, and a supervisor cannot signal the customer.
    assert.equal((await customer.request({ type: 'signal', to: { supervisor: lead.all[0].you }, data: {} })).code, 'not_allowed');
    assert.equal((await lead.request({ type: 'signal', to: 'customer', data: {} })).code, 'not_allowed');
  });

  test('a join tone asked for reaches the agent hub only; the customer is named only on barge', async () => {
    const { callId, agent, customer } = await liveCall();
    const { client: sup } = await join(callId, mint.supervisor(uid('s'), 'blue'));
    const step = async (mode, tone) => {
      const reply = await sup.request({ type: 'set_mode', mode, tone });
      assert.equal(reply.type, 'ack', mode);
      return agent.next((m) => m.type === 'matrix' && m.cause?.ref === reply.ref);
    };
    customer.inbox.length = 0;
    const monitor = await step('monitor', true);
    assert.deepEqual(monitor.tone, ['agent']);
    assert.ok(monitor.tone.every((l) => monitor.matrix.listeners.includes(l)));
    assert.equal((await step('none', false)).tone, undefined, 'leaving monitor: no tone');
    assert.equal((await step('monitor', false)).tone, undefined, 'not asked for: no tone');
    // Sentinel: nothing about the tone (or the supervisor) reached the customer before it.
    assert.equal((await agent.request({ type: 'signal', to: 'customer', data: { sdp: 'sentinel' } })).type, 'ack');
    const sentinel = await customer.next((m) => m.type !== 'pong');
    assert.deepEqual([sentinel.type, sentinel.data], ['signal', { sdp: 'sentinel' }], JSON.stringify(sentinel));
    const barge = await step('barge', true);
    assert.deepEqual(barge.tone, ['agent', 'customer']);
    const status = await customer.next((m) => m.type !== 'pong');
    assert.equal(status.type, 'status', 'the customer learns of the barge by its status, never a tone frame');
    assert.ok(!customer.all.some((m) => 'tone' in m || m.type === 'matrix'));
  });

  test('the agent hub gets a matrix for every change, revisions strictly increasing', async () => {
    const { callId, agent } = await liveCall();
    const { client: sup } = await join(callId, mint.supervisor(uid('s'), 'blue'));
    const modes = ['monitor', 'whisper', 'barge', 'takeover', 'monitor'];
    let last = -1;
    for (const mode of modes) {
      const reply = await sup.request({ type: 'set_mode', mode });
      const matrix = await agent.next((m) => m.type === 'matrix' && m.cause?.ref === reply.ref);
      assert.equal(matrix.cause.to, mode);
      assert.ok(matrix.rev > last);
      last = matrix.rev;
      const customerRow = matrix.matrix.listeners.findIndex((l) => l === 'customer');
      const supColumn = matrix.matrix.sources.findIndex((s) => s.supervisor);
      assert.equal(matrix.matrix.gains[customerRow][supColumn] > 0, mode === 'barge' || mode === 'takeover', mode);
    }
  });
});

describe('names', () => {
  test('display names in any script reach the roster, the feed and the audit trail intact', async () => {
    const names = { agent: 'Zoë Ångström', supervisor: '王伟 (Wáng Wěi) 🎧' };
    const agentId = uid('agent');
    const agentToken = mint.agent(agentId, 'blue', { name: names.agent });
    const callId = await createCall(wrangler, agentToken);
    const agent = await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened;
    agent.heartbeat(300);
    await agent.next('matrix');
    const supId = uid('s');
    const supToken = mint.supervisor(supId, 'blue', undefined, { name: names.supervisor });
    const team = await wrangler.ws('/api/teams/blue/ws', supToken).opened;
    team.heartbeat(300);
    await team.next('welcome');
    const { client: sup, first } = await join(callId, supToken);
    assert.equal(first.type, 'welcome', JSON.stringify(first));
    const roster = await agent.next((m) => m.type === 'roster' && m.supervisors.length === 1);
    assert.equal(roster.supervisors[0].name, names.supervisor);
    const feed = await team.next((m) => m.type === 'feed' && m.calls.some((c) => c.call_id === callId && c.supervisors.length === 1));
    const line = feed.calls.find((c) => c.call_id === callId);
    assert.deepEqual([line.agent_name, line.supervisors[0].name], [names.agent, names.supervisor]);
    const res = await fetch(`${wrangler.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${supToken}` } });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).rows.some((r) => r.kind === 'join' && r.actor === supId));
    await sup.close();
    await team.close();
  });
});

describe('bad input', () => {
  test('malformed, unknown, oversize and binary frames get errors and the socket stays usable', async () => {
    const { agent } = await liveCall();
    agent.send('{nope');
    assert.equal((await agent.next('error')).code, 'malformed');
    agent.send({ type: 'shout', ref: 7 });
    assert.deepEqual([(await agent.next('error')).code, agent.all.at(-1).ref], ['unknown_type', 7]);
    agent.send({ type: 'set_mode', mode: 'scream', ref: 8 });
    assert.equal((await agent.next('error')).code, 'malformed');
    agent.send(JSON.stringify({ type: 'coach', text: 'x'.repeat(40_000) }));
    assert.equal((await agent.next('error')).code, 'oversize');
    agent.ws.send(new Uint8Array([1, 2, 3]));
    assert.equal((await agent.next('error')).code, 'binary_unsupported');
    agent.send({ type: 'ping' });
    await agent.next('pong');
    // A ping with a ref reaches the object, which acknowledges it, then answers it.
    assert.equal((await agent.request({ type: 'ping' })).type, 'ack');
    const acked = agent.all.findLastIndex((m) => m.type === 'ack');
    await agent.next('pong');
    assert.equal(agent.all[acked + 1].type, 'pong', 'the pong follows the ack');
    assert.equal(agent.closeEvent, undefined);
  });

  test('a flood is rate limited, then closed with 4429', async () => {
    const { callId } = await liveCall();
    const { client } = await join(callId, mint.supervisor(uid('s'), 'blue'), { silent: true });
    // Pings with a ref: the object handles those (a plain heartbeat is answered by the runtime and
    // never reaches the limiter, see the presence tests).
    for (let i = 0; i < 300 && client.ws.readyState === 1; i++) client.send({ type: 'ping', ref: i });
    const closed = await client.closedWithin(10000);
    assert.equal(closed.code, 4429);
    assert.ok(client.all.some((m) => m.code === 'rate_limited'));
    // The burst is 40 frames; opening the socket counted as the first sign of life (one token).
    assert.ok(client.all.filter((m) => m.type === 'pong').length >= 39, 'the burst itself was served');
  });
});

describe('presence', () => {
  test('an agent who reconnects gets the call back; the older socket is replaced (4409)', async () => {
    const { callId, agentId, customer } = await liveCall();
    const token = mint.agent(agentId, 'blue');
    const second = await wrangler.ws(`/api/calls/${callId}/ws`, token).opened;
    await second.next('matrix');
    second.heartbeat(300);
    const roster = second.all.find((m) => m.type === 'roster');
    assert.equal(roster.customer.connected, true);
    await second.close();
    assert.equal((await customer.next('status')).agent_connected, false);
    const third = await wrangler.ws(`/api/calls/${callId}/ws`, token).opened;
    third.heartbeat(300);
    assert.equal((await third.next('roster')).call_id, callId);
    assert.equal((await customer.next('status')).agent_connected, true);
  });

  test('a supervisor who reconnects during barge arrives present and not listening; the older socket is replaced (4409)', async () => {
    const { callId, agent, customer } = await liveCall();
    const token = mint.supervisor(uid('s'), 'blue');
    const { client: first } = await join(callId, token);
    assert.equal((await first.request({ type: 'set_mode', mode: 'barge' })).type, 'ack');
    assert.equal((await customer.next('status')).speakers.length, 1);
    const { client: second } = await join(callId, token);
    assert.equal((await first.closedWithin(5000)).code, 4409);
    // The arrival admission decided, applied as decided: from barge to present in no mode.
    const arrival = await agent.next((m) => m.type === 'matrix' && m.cause?.from === 'barge');
    assert.equal(arrival.cause.to, 'none');
    assert.deepEqual((await customer.next('status')).speakers, [], 'the customer no longer hears them');
    const roster = await second.next('roster');
    assert.deepEqual(roster.supervisors.map((s) => s.mode), ['none']);
    assert.equal((await second.request({ type: 'set_mode', mode: 'monitor' })).type, 'ack', 'the newer socket acts');
    await second.close();
  });

  test('a supervisor who goes silent during barge is dropped and the call handed back', async () => {
    const { callId, agent, customer } = await liveCall();
    const { client: sup } = await join(callId, mint.supervisor(uid('s'), 'blue'), { silent: true });
    await sup.request({ type: 'set_mode', mode: 'barge' });
    assert.equal((await customer.next('status')).speakers.length, 1);
    // No heartbeat from `sup`: within silence limit + a sweep it is closed and removed.
    const closed = await sup.closedWithin(10000);
    assert.equal(closed.code, 4408);
    const matrix = await agent.next((m) => m.type === 'matrix' && m.cause?.to === null, 6000);
    assert.deepEqual(matrix.matrix.sources, ['agent', 'customer']);
    assert.deepEqual((await customer.next('status')).speakers, []);
  });

  test('plain heartbeats, answered by the runtime, keep a participant present past the silence limit', async () => {
    const { callId, agent } = await liveCall();
    const { client: sup } = await join(callId, mint.supervisor(uid('s'), 'blue'));
    assert.equal((await sup.request({ type: 'set_mode', mode: 'monitor' })).type, 'ack');
    await sup.next('roster'); // the switch's own news
    const frames = sup.all.length;
    await sleep(4000); // over twice the 1.5 s silence limit, with only `{"type":"ping"}` sent
    assert.equal(sup.closeEvent, undefined, 'still connected');
    const since = sup.all.slice(frames);
    assert.ok(since.length >= 8 && since.every((m) => m.type === 'pong'), `only pongs came back: ${since.map((m) => m.type)}`);
    // ...and the object still counts the supervisor in: a mode change goes through.
    assert.equal((await sup.request({ type: 'set_mode', mode: 'whisper' })).type, 'ack');
    assert.equal((await agent.next((m) => m.type === 'matrix' && m.cause?.to === 'whisper')).type, 'matrix');
  });

  test('an agent who does not come back within the grace period ends the call', async () => {
    const { callId, agent, customer } = await liveCall();
    agent.stopHeartbeat();
    await agent.close();
    const ended = await customer.next('call_ended', 8000);
    assert.match(ended.reason, /agent/);
    assert.equal((await customer.closedWithin(10000)).code, 1000);
    const late = wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(uid('s'), 'blue'));
    assert.equal((await late.closedWithin(10000)).code, 4410);
  });
});

describe('consent, recording, audit', () => {
  test('all-party consent: listening and recording wait for the customer\'s acknowledgement', async () => {
    const supToken = mint.supervisor(uid('s'), 'amber');
    const team = await wrangler.ws('/api/teams/amber/ws', supToken).opened;
    await team.next('welcome');
    assert.equal((await team.request({ type: 'set_consent_required', required: true })).type, 'ack');
    const { callId, agent, customer } = await liveCall({ team: 'amber' });
    assert.equal(customer.all.find((m) => m.type === 'status').disclosure_required, true);
    const { client: sup } = await join(callId, supToken);
    assert.equal((await sup.request({ type: 'set_mode', mode: 'monitor' })).code, 'awaiting_consent');
    assert.equal((await agent.request({ type: 'set_recording', active: true })).code, 'awaiting_consent');
    assert.equal((await customer.request({ type: 'consent' })).type, 'ack');
    assert.equal((await sup.request({ type: 'set_mode', mode: 'monitor' })).type, 'ack');
    assert.equal((await agent.request({ type: 'set_recording', active: true })).type, 'ack');
    const res = await fetch(`${wrangler.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${supToken}` } });
    const kinds = (await res.json()).rows.map((r) => r.kind);
    for (const kind of ['join', 'consent', 'mode_change', 'recording']) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
    await team.close();
  });

  test('the audit trail has who, target, previous and new mode, and time', async () => {
    const { callId, agent } = await liveCall();
    const supId = uid('s');
    const supToken = mint.supervisor(supId, 'blue');
    const { client: sup } = await join(callId, supToken);
    await sup.request({ type: 'set_mode', mode: 'whisper' });
    await sup.request({ type: 'coach', text: 'breathe' });
    await agent.request({ type: 'raise_hand', raised: true });
    await sup.request({ type: 'leave' });
    const before = Date.now();
    const { rows } = await (await fetch(`${wrangler.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${supToken}` } })).json();
    const change = rows.find((r) => r.kind === 'mode_change');
    assert.deepEqual([change.actor, change.target, change.from_mode, change.to_mode], [supId, supId, 'none', 'whisper']);
    assert.ok(change.at <= before && change.at > before - 60_000);
    assert.equal(rows.find((r) => r.kind === 'coaching').detail, 'breathe');
    assert.equal(rows.find((r) => r.kind === 'help').detail, 'raised');
    const leave = rows.find((r) => r.kind === 'leave' && r.actor === supId);
    assert.equal(leave.from_mode, 'whisper');
    assert.deepEqual(rows.map((r) => r.seq), [...rows.keys()].map((i) => i + 1));
  });
});
