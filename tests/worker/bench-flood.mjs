// Flood-fairness benchmark (not a test): how much one participant's flood delays another
// participant's requests on the same object, on one local `wrangler dev` (trace store off, as the
// harness starts it). For each object type and flood size, a victim sends one request every 200 ms
//  and times its ack, first alone (the baseline) and then while a flooder writes FLOOD frames at once,
// is closed for it (4429), reconnects and floods again, for the whole phase.
//   call object: a supervisor switching modes; the flooder a second supervisor (set_mode frames) or
//                the customer (consent frames)
//   team object: a console toggling the consent setting; the flooder another console
// Usage: node tests/worker/bench-flood.mjs [seconds_per_phase=15]; writes docs/bench/flood.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { Wrangler, Minter, ROOT, createCall, setTeamSettings, sleep } from './harness.mjs';

const SECONDS = Math.min(Number(process.argv[2] ?? 15), 300);
// Five changes a second: well over what a person clicks, under the sustained rate a socket may send.
const REQUEST_EVERY_MS = 200;
const FLOODS = [1_000, 10_000];
const wrangler = new Wrangler({ vars: { EARSHOT_HEARTBEAT_MS: '2000', EARSHOT_SILENCE_LIMIT_MS: '30000', EARSHOT_GRACE_MS: '60000' } });
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

function summary(latencies) {
  const s = [...latencies].sort((a, b) => a - b);
  const at = (p) => Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1));
  return { requests: s.length, p50_ms: at(50), p99_ms: at(99), max_ms: Number(s.at(-1).toFixed(1)) };
}

/** The victim's requests for `seconds`, one every REQUEST_EVERY_MS, each timed to its ack. */
async function victimRequests(client, nextRequest, seconds) {
  const latencies = [];
  const until = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < until; i++) {
    const t0 = performance.now();
    const reply = await client.request(nextRequest(i), 30_000);
    if (reply.type !== 'ack') throw new Error(`victim refused: ${JSON.stringify(reply)}`);
    latencies.push(performance.now() - t0);
    await sleep(Math.max(0, REQUEST_EVERY_MS - (performance.now() - t0)));
  }
  return latencies;
}

/** Floods until `stop()`: connect, write `size` frames at once, wait for the close, again. */
function floodLoop(connect, frame, size) {
  let running = true;
  const stats = { floods: 0, drain_ms: [] };
  const done = (async () => {
    while (running) {
      const client = await connect();
      const t0 = performance.now();
      for (let i = 0; i < size; i++) client.send(frame(i));
      const closed = await client.closedWithin(60_000);
      if (closed.code !== 4429) throw new Error(`flood closed with ${closed.code}, not 4429`);
      stats.floods++;
      stats.drain_ms.push(performance.now() - t0);
    }
  })();
  return { stats, stop: async () => { running = false; await done; } };
}

async function callScenario(flooderRole, size) {
  const agentToken = mint.agent(uid('agent'), 'blue');
  const callId = await createCall(wrangler, agentToken);
  const path = `/api/calls/${callId}/ws`;
  const agent = (await wrangler.ws(path, agentToken).opened).heartbeat(2000);
  await agent.next('matrix');
  const customerToken = mint.customer(uid('cust'), 'blue', { call: callId });
  let customer = (await wrangler.ws(path, customerToken).opened).heartbeat(2000);
  await customer.next('status');
  const victim = (await wrangler.ws(path, mint.supervisor(uid('victim'), 'blue')).opened).heartbeat(2000);
  await victim.next('welcome');
  const modes = ['monitor', 'whisper'];
  const switchMode = (i) => ({ type: 'set_mode', mode: modes[i % 2] });
  const baseline = await victimRequests(victim, switchMode, SECONDS);
  const flooderToken = flooderRole === 'customer' ? customerToken : mint.supervisor(uid('flooder'), 'blue');
  if (flooderRole === 'customer') await customer.close();
  const connect = async () => {
    const client = await wrangler.ws(path, flooderToken).opened;
    await client.next(flooderRole === 'customer' ? 'status' : 'welcome');
    return client;
  };
  const frame = flooderRole === 'customer' ? (i) => ({ type: 'consent', ref: i }) : (i) => ({ type: 'set_mode', mode: modes[i % 2], ref: i });
  const flood = floodLoop(connect, frame, size);
  const during = await victimRequests(victim, switchMode, SECONDS);
  await flood.stop();
  for (const c of [agent, victim]) await c.close();
  return { object: 'call', flooder: flooderRole === 'customer' ? 'customer (consent)' : 'supervisor (set_mode)', flood_frames: size,
    baseline: summary(baseline), during_flood: summary(during), floods: flood.stats.floods,
    drain_ms_median: Number([...flood.stats.drain_ms].sort((a, b) => a - b)[Math.floor(flood.stats.drain_ms.length / 2)].toFixed(0)) };
}

async function teamScenario(size) {
  const team = uid('bench-team');
  const path = `/api/teams/${team}/ws`;
  const victim = (await wrangler.ws(path, mint.supervisor(uid('victim'), team)).opened).heartbeat(2000);
  await victim.next('feed');
  const toggle = (i) => ({ type: 'set_consent_required', required: i % 2 === 0 });
  const baseline = await victimRequests(victim, toggle, SECONDS);
  const flooderToken = mint.supervisor(uid('flooder'), team);
  const connect = async () => {
    const client = await wrangler.ws(path, flooderToken).opened;
    await client.next('welcome');
    return client;
  };
  const flood = floodLoop(connect, (i) => ({ type: 'set_consent_required', required: i % 2 === 0, ref: i }), size);
  const during = await victimRequests(victim, toggle, SECONDS);
  await flood.stop();
  await victim.close();
  return { object: 'team', flooder: 'supervisor (set_consent_required)', flood_frames: size,
    baseline: summary(baseline), during_flood: summary(during), floods: flood.stats.floods,
    drain_ms_median: Number([...flood.stats.drain_ms].sort((a, b) => a - b)[Math.floor(flood.stats.drain_ms.length / 2)].toFixed(0)) };
}

await wrangler.start();
const results = [];
try {
  await setTeamSettings(wrangler, mint, 'blue', { early_barge_minutes: 0 });
  for (const size of FLOODS) {
    for (const run of [() => callScenario('supervisor', size), () => callScenario('customer', size), () => teamScenario(size)]) {
      const result = await run();
      console.log(JSON.stringify(result));
      results.push(result);
    }
  }
} finally {
  await wrangler.stop();
}
const report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}`,
  seconds_per_phase: SECONDS,
  request_every_ms: REQUEST_EVERY_MS,
  local_observability: 'off',
  results,
};
writeFileSync(join(ROOT, 'docs', 'bench', 'flood.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('wrote docs/bench/flood.json');
