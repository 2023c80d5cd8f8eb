// Load benchmark (not a test): many concurrent supervised calls on one local `wrangler dev`.
// Each call has an agent, a customer and a supervisor socket; every supervisor switches mode about once
// a second. Measures the calls held, the worker's mode-switch latency (supervisor sends set_mode →
// agent receives the matching matrix, on loopback) and lost or reordered messages.
// Usage: node tests/worker/bench.mjs [calls=1000] [seconds=30] [interval_ms=1000]; writes
// docs/bench/worker.json (the last run; scripts/bench-worker.sh runs the documented series).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { Wrangler, Minter, ROOT, sleep } from './harness.mjs';

const CALLS = Math.min(Number(process.argv[2] ?? 1000), 5000);
const SECONDS = Math.min(Number(process.argv[3] ?? 30), 600);
// Milliseconds between one supervisor's mode switches (the brief's scenario: about one a second).
const INTERVAL_MS = Math.max(Number(process.argv[4] ?? 1000), 100);
const CALLS_PER_TEAM = 20;
const RAMP_CONCURRENCY = 25;
// Consecutive modes always differ, so every request changes the matrix and must produce one.
const MODES = ['monitor', 'whisper', 'barge', 'takeover', 'barge', 'whisper'];

// Longer heartbeats than the default: at 3 sockets per call the default 2 s ping alone would be
// 1,500 frames/s on top of the mode switches being measured.
const wrangler = new Wrangler({ vars: { EARSHOT_HEARTBEAT_MS: '10000', EARSHOT_SILENCE_LIMIT_MS: '40000', EARSHOT_GRACE_MS: '60000' } });
const mint = new Minter();

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function openCall(i) {
  const team = `bench${Math.floor(i / CALLS_PER_TEAM)}`;
  const agentToken = mint.agent(`ba${i}`, team, {}, { ttl: 3600 });
  const res = await fetch(`${wrangler.base}/api/calls`, { method: 'POST', headers: { Authorization: `Bearer ${agentToken}` } });
  if (res.status !== 201) throw new Error(`create call ${i}: ${res.status}`);
  const { call_id: callId } = await res.json();
  const agent = await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened;
  await agent.next('matrix', 30000);
  const customer = await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(`bc${i}`, team, { call: callId })).opened;
  await customer.next('status', 30000);
  const supervisor = await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(`bs${i}`, team)).opened;
  await supervisor.next('roster', 30000);
  for (const c of [agent, customer, supervisor]) c.heartbeat(8000);
  return { i, callId, agent, customer, supervisor, sent: new Map(), lastRev: -1, lastRef: 0, latencies: [], reordered: 0 };
}

async function main() {
  await wrangler.start();
  const started = performance.now();
  const calls = [];
  let failedToOpen = 0;
  const openErrors = new Map();
  for (let next = 0; next < CALLS;) {
    const batch = [];
    for (let k = 0; k < RAMP_CONCURRENCY && next < CALLS; k++, next++) batch.push(openCall(next));
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') calls.push(result.value);
      else {
        failedToOpen++;
        const key = String(result.reason?.message ?? result.reason).slice(0, 80);
        openErrors.set(key, (openErrors.get(key) ?? 0) + 1);
      }
    }
  }
  const rampSeconds = (performance.now() - started) / 1000;
  console.log(`opened ${calls.length}/${CALLS} calls in ${rampSeconds.toFixed(1)} s`);

  // Agents: match each matrix to the supervisor request that caused it.
  for (const call of calls) {
    call.agent.ws.addEventListener('message', (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type !== 'matrix' || !msg.cause || msg.cause.ref === undefined) return;
      const at = performance.now();
      if (msg.rev <= call.lastRev || msg.cause.ref <= call.lastRef) call.reordered++;
      call.lastRev = msg.rev;
      call.lastRef = msg.cause.ref;
      const sentAt = call.sent.get(msg.cause.ref);
      if (sentAt !== undefined) { call.latencies.push(at - sentAt); call.sent.delete(msg.cause.ref); }
    });
  }

  // Each supervisor switches mode about once a second, phases spread over the second.
  let requests = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const loops = calls.map(async (call, index) => {
    await sleep((index * 997) % INTERVAL_MS);
    let ref = 0;
    while (performance.now() < deadline) {
      ref++;
      call.sent.set(ref, performance.now());
      call.supervisor.send({ type: 'set_mode', mode: MODES[ref % MODES.length], ref });
      requests++;
      await sleep(INTERVAL_MS);
    }
  });
  await Promise.all(loops);
  await sleep(5000); // let the last matrices arrive

  const held = calls.filter((c) => !c.agent.closeEvent && !c.customer.closeEvent && !c.supervisor.closeEvent).length;
  const latencies = calls.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const lost = calls.reduce((n, c) => n + c.sent.size, 0);
  const reordered = calls.reduce((n, c) => n + c.reordered, 0);
  const errors = calls.reduce((n, c) => n + c.supervisor.all.filter((m) => m.type === 'error').length, 0);
  const customerLeaks = calls.reduce((n, c) => n + c.customer.all.filter((m) => m.type === 'status' && m.speakers.length > 1).length, 0);
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    runtime: 'wrangler dev 4.164.0 (workerd), local, 127.0.0.1',
    calls_requested: CALLS,
    calls_opened: calls.length,
    calls_failed_to_open: failedToOpen,
    calls_held_to_the_end: held,
    sockets: calls.length * 3,
    ramp_seconds: Number(rampSeconds.toFixed(1)),
    switching_seconds: SECONDS,
    switch_interval_ms_per_supervisor: INTERVAL_MS,
    mode_switch_requests: requests,
    mode_switches_per_second: Number((requests / SECONDS).toFixed(0)),
    matrices_received: latencies.length,
    mode_switch_latency_ms: {
      p50: Number(percentile(latencies, 50)?.toFixed(2)),
      p90: Number(percentile(latencies, 90)?.toFixed(2)),
      p99: Number(percentile(latencies, 99)?.toFixed(2)),
      max: Number(latencies.at(-1)?.toFixed(2)),
    },
    close_codes: Object.fromEntries(calls.flatMap((c) => [c.agent, c.customer, c.supervisor])
      .filter((s) => s.closeEvent).reduce((m, s) => m.set(`${s.closeEvent.code} ${s.closeEvent.reason}`, (m.get(`${s.closeEvent.code} ${s.closeEvent.reason}`) ?? 0) + 1), new Map())),
    open_errors: Object.fromEntries(openErrors),
    lost_messages: lost,
    reordered_messages: reordered,
    error_replies: errors,
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.env.EARSHOT_BENCH_OUT) writeFileSync(process.env.EARSHOT_BENCH_OUT, `${JSON.stringify(result, null, 2)}\n`);
  for (const c of calls) for (const s of [c.agent, c.customer, c.supervisor]) { s.stopHeartbeat?.(); try { s.ws.close(1000); } catch { /* closed */ } }
  await wrangler.stop();
  if (customerLeaks) console.log(`unexpected: ${customerLeaks} customer statuses with more than one speaker`);
  process.exit(lost === 0 && reordered === 0 ? 0 : 1);
}

main().catch(async (err) => { console.error(err); await wrangler.stop(); process.exit(1); });
