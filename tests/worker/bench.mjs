// Load benchmark (not a test): many concurrent supervised calls on one local `wrangler dev`.
// Each call has an agent, a customer and a supervisor socket; every supervisor switches mode about once
// a second; each team (20 calls) has one console supervisor on the team socket, receiving the feed.
// Measures the calls held, the worker's mode-switch latency (supervisor sends set_mode → agent
// receives the matching matrix, on loopback), lost or reordered messages, whether every console's
// last feed shows every supervisor's last mode, and, when asked (probe_every > 0), the worker's own
// share of a switch: on every probe_every-th switch the supervisor first sends a `ping` with a ref
// and waits for its ack, then sends `set_mode`; set_mode→ack minus ping→ack on the same socket,
// moments apart, is what handling the switch added (workerd's clock does not advance while a
// request runs, so the worker cannot time itself). Probing waits for the ping, so it is meant for
// runs below saturation.
// Usage: node tests/worker/bench.mjs [calls=1000] [seconds=30] [interval_ms=1000] [probe_every=0];
// docs/bench/worker.json (the last run; scripts/bench-worker.sh runs the documented series).
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { Wrangler, Minter, ROOT, sleep } from './harness.mjs';

const CALLS = Math.min(Number(process.argv[2] ?? 1000), 5000);
const SECONDS = Math.min(Number(process.argv[3] ?? 30), 600);
// Milliseconds between one supervisor's mode switches (the brief's scenario: about one a second).
const INTERVAL_MS = Math.max(Number(process.argv[4] ?? 1000), 100);
const PROBE_EVERY = Math.max(Number(process.argv[5] ?? 0), 0);
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
  return { i, team, callId, agent, customer, supervisor, supervisorId: `bs${i}`, sent: new Map(), lastRev: -1, lastRef: 0, lastMode: null, latencies: [], reordered: 0 };
}

/** One console per team: a supervisor on the team socket, keeping the latest feed. */
async function openConsole(team) {
  const client = await wrangler.ws(`/api/teams/${team}/ws`, mint.supervisor(`console-${team}`, team)).opened;
  await client.next('welcome', 30000);
  client.heartbeat(8000);
  const console_ = { team, client, feeds: 0, last: null };
  client.ws.addEventListener('message', (e) => {
    if (!e.data.startsWith('{"type":"feed"')) return;
    console_.feeds++;
    console_.last = JSON.parse(e.data);
  });
  return console_;
}

const CLOCK_TICK_MS = 1000 / Number(execSync('getconf CLK_TCK').toString().trim() || 100);

/**
 * CPU time (ms) of each thread of the workerd processes in wrangler's process group, by thread id.
 * workerd runs every Durable Object on one thread, so its busiest thread's time per switch is what
 * bounds the switches one instance can complete per second (wall clock included queueing).
 */
function workerdThreadsCpu(processGroup) {
  const threads = new Map();
  const statOf = (path) => {
    try {
      const stat = readFileSync(path, 'utf8');
      return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), fields: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
    } catch { return null; } // the process or thread just ended
  };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const proc = statOf(`/proc/${pid}/stat`);
    if (!proc || Number(proc.fields[2]) !== processGroup || !proc.comm.includes('workerd')) continue;
    let tids = [];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      const thread = statOf(`/proc/${pid}/task/${tid}/stat`);
      // utime and stime are the 14th and 15th fields of stat, the 12th and 13th after the name.
      if (thread) threads.set(`${pid}/${tid}`, (Number(thread.fields[11]) + Number(thread.fields[12])) * CLOCK_TICK_MS);
    }
  }
  return threads;
}

/** What workerd's threads spent between two samples: all of them, and the busiest one. */
function cpuBetween(before, after) {
  let total = 0, busiest = 0;
  for (const [tid, ms] of after) {
    const spent = ms - (before.get(tid) ?? 0);
    total += spent;
    busiest = Math.max(busiest, spent);
  }
  return { total, busiest };
}

/** Sends `obj` with `ref` on `client` and resolves with the ack's arrival time (or null on error). */
function acked(client, obj) {
  return new Promise((resolve) => {
    const onMessage = (e) => {
      const msg = JSON.parse(e.data);
      if ((msg.type === 'ack' || msg.type === 'error') && msg.ref === obj.ref) {
        client.ws.removeEventListener('message', onMessage);
        resolve(msg.type === 'ack' ? performance.now() : null);
      }
    };
    client.ws.addEventListener('message', onMessage);
    client.send(obj);
  });
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
  const consoles = await Promise.all([...new Set(calls.map((c) => c.team))].map(openConsole));
  const rampSeconds = (performance.now() - started) / 1000;
  console.log(`opened ${calls.length}/${CALLS} calls and ${consoles.length} consoles in ${rampSeconds.toFixed(1)} s`);

  // Agents: match each matrix to the supervisor request that caused it.
  let matricesWhileSwitching = 0;
  let switchingEnds = Infinity;
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
      if (at <= switchingEnds) matricesWhileSwitching++;
    });
  }

  // Each supervisor switches mode about once a second, phases spread over the second.
  let requests = 0;
  const shares = [], pingRtts = [], switchRtts = [];
  const feedsBefore = consoles.reduce((n, c) => n + c.feeds, 0);
  const cpuBefore = workerdThreadsCpu(wrangler.child.pid);
  const switchingStarted = performance.now();
  const deadline = switchingStarted + SECONDS * 1000;
  switchingEnds = deadline;
  const loops = calls.map(async (call, index) => {
    await sleep((index * 997) % INTERVAL_MS);
    let ref = 0, tick = 0;
    while (performance.now() < deadline) {
      const tickStart = performance.now();
      const probe = ++tick % PROBE_EVERY === 0;
      let pingRtt = null;
      if (probe) {
        const pingRef = ++ref;
        const sentAt = performance.now();
        const at = await acked(call.supervisor, { type: 'ping', ref: pingRef });
        if (at !== null) pingRtt = at - sentAt;
      }
      ref++;
      const mode = MODES[tick % MODES.length];
      const sentAt = performance.now();
      call.sent.set(ref, sentAt);
      call.lastMode = mode;
      requests++;
      if (probe && pingRtt !== null) {
        acked(call.supervisor, { type: 'set_mode', mode, ref, confirm: true }).then((at) => {
          if (at === null) return;
          pingRtts.push(pingRtt);
          switchRtts.push(at - sentAt);
          shares.push(at - sentAt - pingRtt);
        });
      } else {
        call.supervisor.send({ type: 'set_mode', mode, ref, confirm: true });
      }
      await sleep(Math.max(0, INTERVAL_MS - (performance.now() - tickStart)));
    }
  });
  await Promise.all(loops);
  const feedsDuring = consoles.reduce((n, c) => n + c.feeds, 0) - feedsBefore;
  const feedSeconds = (performance.now() - switchingStarted) / 1000;
  await sleep(5000); // let the last matrices and feeds arrive
  const cpu = cpuBetween(cpuBefore, workerdThreadsCpu(wrangler.child.pid));
  const cpuSeconds = (performance.now() - switchingStarted) / 1000;

  const held = calls.filter((c) => !c.agent.closeEvent && !c.customer.closeEvent && !c.supervisor.closeEvent).length;
  const latencies = calls.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const lost = calls.reduce((n, c) => n + c.sent.size, 0);
  const reordered = calls.reduce((n, c) => n + c.reordered, 0);
  const errors = calls.reduce((n, c) => n + c.supervisor.all.filter((m) => m.type === 'error').length, 0);
  // The feed is paced, never lossy: each console's last feed shows every supervisor's last mode.
  const consoleOf = new Map(consoles.map((c) => [c.team, c]));
  const staleLines = calls.filter((call) => {
    const line = consoleOf.get(call.team)?.last?.calls.find((l) => l.call_id === call.callId);
    return line?.supervisors.find((s) => s.id === call.supervisorId)?.mode !== call.lastMode;
  }).length;
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const quantiles = (xs) => {
    const s = sorted(xs);
    return { samples: s.length, p50: Number(percentile(s, 50)?.toFixed(2)), p90: Number(percentile(s, 90)?.toFixed(2)), p99: Number(percentile(s, 99)?.toFixed(2)) };
  };
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
    matrices_per_second_while_switching: Number((matricesWhileSwitching / SECONDS).toFixed(0)),
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
    consoles: consoles.length,
    feeds_per_console_per_second: Number((feedsDuring / consoles.length / feedSeconds).toFixed(2)),
    stale_feed_lines: staleLines,
    // Over the switching and the 5 s after: CPU per completed switch includes the heartbeats, pacing
    // alarms and feeds the switches cause, so it is the whole cost of the scenario per switch.
    workerd_cpu: {
      window_seconds: Number(cpuSeconds.toFixed(1)),
      all_threads_ms: Math.round(cpu.total),
      busiest_thread_ms: Math.round(cpu.busiest),
      busiest_thread_load: Number((cpu.busiest / 1000 / cpuSeconds).toFixed(2)),
      busiest_thread_ms_per_completed_switch: latencies.length ? Number((cpu.busiest / latencies.length).toFixed(3)) : null,
    },
    state_directory_filesystem: execSync(`stat -f -c %T ${wrangler.persistTo}`).toString().trim(),
    // wrangler dev's own trace store in the same workerd (scripts/bench-worker.sh turns it off).
    local_observability: process.env.X_LOCAL_OBSERVABILITY === 'false' ? 'off' : 'on (wrangler default)',
    worker_share_ms: PROBE_EVERY === 0 ? null : {
      method: `set_mode→ack minus ping→ack, same socket, back to back, every ${PROBE_EVERY}th switch`,
      ping_rtt: quantiles(pingRtts),
      set_mode_rtt: quantiles(switchRtts),
      difference: quantiles(shares),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.env.EARSHOT_BENCH_OUT) writeFileSync(process.env.EARSHOT_BENCH_OUT, `${JSON.stringify(result, null, 2)}\n`);
  const sockets = [...calls.flatMap((c) => [c.agent, c.customer, c.supervisor]), ...consoles.map((c) => c.client)];
  for (const s of sockets) { s.stopHeartbeat?.(); try { s.ws.close(1000); } catch { /* closed */ } }
  await wrangler.stop();
  if (customerLeaks) console.log(`unexpected: ${customerLeaks} customer statuses with more than one speaker`);
  process.exit(lost === 0 && reordered === 0 && staleLines === 0 ? 0 : 1);
}

main().catch(async (err) => { console.error(err); await wrangler.stop(); process.exit(1); });
