// Floor benchmark (not a test): bench.mjs's scenario against tests/worker/floor/worker.js, a plain-JS
// worker doing a mode switch's I/O and nothing more, to see what one local `wrangler dev` (workerd, one
// thread for all the objects) can complete at best on this machine. N calls × 3 sockets, 20 calls per
// team, one console per team; every supervisor switches mode every INTERVAL_MS
// (monitor→whisper→barge→takeover→barge→whisper), clients ping every 8 s.
// Latency: set_mode sent → the agent's matrix with that ref. Lost: requests without a matrix 5 s after
// the end. Reordered: a matrix whose rev or ref is not above the previous one. workerd CPU: its
// threads' time from /proc over the switching window plus 5 s.
// Usage: node tests/worker/bench-floor.mjs CALLS SECONDS INTERVAL_MS [storage=1] [team_updates=1];
// storage=0 skips the call's record and audit writes, team_updates=0 the switch's /call-update (the
// feed then goes stale). Exits 1 on lost, reordered or stale (like bench.mjs). Env: EARSHOT_BENCH_OUT
// (JSON result path), EARSHOT_STATE_PARENT (where the state directory is made; default the OS temp
// dir), X_LOCAL_OBSERVABILITY=false (turns off wrangler's local trace of every invocation, on by
// default in wrangler dev). scripts/bench-floor.sh runs the documented series into docs/bench/floor.json.
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { Client, ROOT, sleep } from './harness.mjs';

const CALLS = Math.min(Number(process.argv[2] ?? 1000), 5000);
const SECONDS = Math.min(Number(process.argv[3] ?? 30), 120);
const INTERVAL_MS = Math.max(Number(process.argv[4] ?? 1000), 100);
const STORAGE = process.argv[5] === '0' ? '0' : '1';
const TEAM_UPDATES = process.argv[6] === '0' ? '0' : '1';
const CALLS_PER_TEAM = 20;
const RAMP_CONCURRENCY = 25;
const MODES = ['monitor', 'whisper', 'barge', 'takeover', 'barge', 'whisper'];
const CLOCK_TICK_MS = 1000 / Number(execSync('getconf CLK_TCK').toString().trim() || 100);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on('error', reject);
  });
}

/** Starts `wrangler dev` on the floor worker in its own process group; resolves when it answers. */
async function startWrangler() {
  const port = await freePort();
  const stateDir = mkdtempSync(join(process.env.EARSHOT_STATE_PARENT ?? os.tmpdir(), 'earshot-floor-'));
  const args = ['dev', '-c', 'tests/worker/floor/wrangler.toml', '--local', '--ip', '127.0.0.1', '--port', String(port),
    '--persist-to', stateDir, '--show-interactive-dev-session=false', '--var', `STORAGE:${STORAGE}`, '--var', `TEAM_UPDATES:${TEAM_UPDATES}`];
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  let log = '';
  const keep = (chunk) => { log = (log + chunk).slice(-20000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const w = { port, stateDir, child, base: `http://127.0.0.1:${port}`, log: () => log };
  process.on('exit', () => stopWrangler(w));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130)); // 'exit' stops it
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try { if ((await fetch(`${w.base}/healthz`)).ok) return w; } catch { /* not up yet */ }
    await sleep(200);
  }
  throw new Error(`wrangler dev did not become ready:\n${log}`);
}

/** Kills wrangler's process group (wrangler and workerd) and removes the state directory. */
function stopWrangler(w) {
  try { process.kill(-w.child.pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(w.stateDir, { recursive: true, force: true });
}

/** CPU time (ms) of each thread of the workerd processes in the process group, by pid/tid. */
function workerdThreadsCpu(processGroup) {
  const threads = new Map();
  const statOf = (path) => {
    try {
      const stat = readFileSync(path, 'utf8');
      return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), fields: stat.slice(stat.lastIndexOf(')') + 2).split(' ') };
    } catch { return null; }
  };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const proc = statOf(`/proc/${pid}/stat`);
    if (!proc || Number(proc.fields[2]) !== processGroup || !proc.comm.includes('workerd')) continue;
    let tids = [];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      const t = statOf(`/proc/${pid}/task/${tid}/stat`);
      if (t) threads.set(`${pid}/${tid}`, (Number(t.fields[11]) + Number(t.fields[12])) * CLOCK_TICK_MS);
    }
  }
  return threads;
}

function cpuBetween(before, after) {
  let total = 0, busiest = 0;
  for (const [tid, ms] of after) {
    const spent = ms - (before.get(tid) ?? 0);
    total += spent;
    busiest = Math.max(busiest, spent);
  }
  return { total, busiest };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);

async function main() {
  const w = await startWrangler();
  const socket = (path) => new Client(new WebSocket(`ws://127.0.0.1:${w.port}${path}`)).opened;
  const openCall = async (i) => {
    const team = `floor${Math.floor(i / CALLS_PER_TEAM)}`;
    const path = (role, sub) => `/calls/c${i}/ws?role=${role}&sub=${sub}&team=${team}`;
    const agent = await socket(path('agent', `ba${i}`));
    await agent.next('matrix', 30000);
    const customer = await socket(path('customer', `bc${i}`));
    await customer.next('status', 30000);
    const supervisor = await socket(path('supervisor', `bs${i}`));
    await supervisor.next('roster', 30000);
    for (const c of [agent, customer, supervisor]) c.heartbeat(8000);
    return { i, team, callId: `c${i}`, agent, customer, supervisor, supervisorId: `bs${i}`, sent: new Map(), lastRev: -1, lastRef: 0, lastMode: null, latencies: [], reordered: 0 };
  };
  const openConsole = async (team) => {
    const client = await socket(`/teams/${team}/ws?sub=console-${team}`);
    await client.next('welcome', 30000);
    client.heartbeat(8000);
    const c = { team, client, feeds: 0, last: null };
    client.ws.addEventListener('message', (e) => {
      if (!e.data.startsWith('{"type":"feed"')) return;
      c.feeds++;
      c.last = JSON.parse(e.data);
    });
    return c;
  };

  const started = performance.now();
  const calls = [];
  let failedToOpen = 0;
  for (let next = 0; next < CALLS;) {
    const batch = [];
    for (let k = 0; k < RAMP_CONCURRENCY && next < CALLS; k++, next++) batch.push(openCall(next));
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') calls.push(result.value);
      else { failedToOpen++; if (failedToOpen <= 3) console.error(result.reason); }
    }
  }
  const consoles = await Promise.all([...new Set(calls.map((c) => c.team))].map(openConsole));
  const rampSeconds = (performance.now() - started) / 1000;
  console.log(`opened ${calls.length}/${CALLS} calls and ${consoles.length} consoles in ${rampSeconds.toFixed(1)} s`);

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

  let requests = 0;
  const feedsBefore = consoles.reduce((n, c) => n + c.feeds, 0);
  const cpuBefore = workerdThreadsCpu(w.child.pid);
  const driverCpuBefore = process.cpuUsage();
  const switchingStarted = performance.now();
  const deadline = switchingStarted + SECONDS * 1000;
  switchingEnds = deadline;
  // Halfway through the switching: workerd's %CPU as ps reports it (over the process's lifetime, so
  // also a 5 s /proc sample of the busiest thread, which is what saturates).
  const midSample = (async () => {
    await sleep(SECONDS * 500);
    const before = workerdThreadsCpu(w.child.pid);
    const ps = execSync(`ps -o pid=,%cpu=,comm= -g ${w.child.pid}`).toString().trim().split('\n').filter((l) => l.includes('workerd')).join('; ');
    await sleep(5000);
    const spent = cpuBetween(before, workerdThreadsCpu(w.child.pid));
    return { ps, busiest_thread_percent: Math.round(spent.busiest / 50), all_threads_percent: Math.round(spent.total / 50) };
  })();
  const loops = calls.map(async (call, index) => {
    await sleep((index * 997) % INTERVAL_MS);
    let ref = 0, tick = 0;
    while (performance.now() < deadline) {
      const tickStart = performance.now();
      const mode = MODES[++tick % MODES.length];
      ref++;
      call.sent.set(ref, performance.now());
      call.lastMode = mode;
      requests++;
      call.supervisor.send({ type: 'set_mode', mode, ref, confirm: true });
      await sleep(Math.max(0, INTERVAL_MS - (performance.now() - tickStart)));
    }
  });
  await Promise.all(loops);
  const feedsDuring = consoles.reduce((n, c) => n + c.feeds, 0) - feedsBefore;
  const feedSeconds = (performance.now() - switchingStarted) / 1000;
  await sleep(5000); // let the last matrices and feeds arrive
  const cpu = cpuBetween(cpuBefore, workerdThreadsCpu(w.child.pid));
  const driverCpu = process.cpuUsage(driverCpuBefore);
  const cpuSeconds = (performance.now() - switchingStarted) / 1000;
  const mid = await midSample;

  const latencies = calls.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const lost = calls.reduce((n, c) => n + c.sent.size, 0);
  const reordered = calls.reduce((n, c) => n + c.reordered, 0);
  const errors = calls.reduce((n, c) => n + c.supervisor.all.filter((m) => m.type === 'error').length, 0);
  const held = calls.filter((c) => !c.agent.closeEvent && !c.customer.closeEvent && !c.supervisor.closeEvent).length;
  const consoleOf = new Map(consoles.map((c) => [c.team, c]));
  const staleLines = calls.filter((call) => {
    const line = consoleOf.get(call.team)?.last?.calls.find((l) => l.call_id === call.callId);
    return line?.supervisors.find((s) => s.id === call.supervisorId)?.mode !== call.lastMode;
  }).length;
  const ms = (x) => (x === null ? null : Number(x.toFixed(2)));
  const result = {
    date: new Date().toISOString(),
    worker: 'tests/worker/floor/worker.js (plain JS, no wasm)',
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    runtime: `wrangler dev ${execSync(`${join(ROOT, 'node_modules', '.bin', 'wrangler')} --version`).toString().trim()} (workerd), local, 127.0.0.1`,
    storage: STORAGE === '1' ? 'record + audit written per switch' : 'call writes skipped (storage=0)',
    team_updates: TEAM_UPDATES === '1' ? 'POST /call-update per switch' : 'none per switch (team_updates=0)',
    // wrangler's local observability (on unless X_LOCAL_OBSERVABILITY=false): every invocation traced
    // into a SQLite trace store by a collector worker in the same workerd.
    local_observability: process.env.X_LOCAL_OBSERVABILITY === 'false' ? 'off' : 'on (wrangler default)',
    state_directory_filesystem: execSync(`stat -f -c %T ${w.stateDir}`).toString().trim(),
    calls_requested: CALLS,
    calls_opened: calls.length,
    calls_failed_to_open: failedToOpen,
    calls_held_to_the_end: held,
    sockets: calls.length * 3,
    consoles: consoles.length,
    ramp_seconds: Number(rampSeconds.toFixed(1)),
    switching_seconds: SECONDS,
    switch_interval_ms_per_supervisor: INTERVAL_MS,
    mode_switch_requests: requests,
    mode_switches_per_second: Math.round(requests / SECONDS),
    matrices_per_second_while_switching: Math.round(matricesWhileSwitching / SECONDS),
    matrices_received: latencies.length,
    mode_switch_latency_ms: { p50: ms(percentile(latencies, 50)), p90: ms(percentile(latencies, 90)), p99: ms(percentile(latencies, 99)), max: ms(latencies.at(-1) ?? null) },
    lost_messages: lost,
    reordered_messages: reordered,
    error_replies: errors,
    feeds_per_console_per_second: Number((feedsDuring / Math.max(1, consoles.length) / feedSeconds).toFixed(2)),
    stale_feed_lines: staleLines,
    workerd_cpu: {
      window_seconds: Number(cpuSeconds.toFixed(1)),
      all_threads_ms: Math.round(cpu.total),
      busiest_thread_ms: Math.round(cpu.busiest),
      busiest_thread_load: Number((cpu.busiest / 1000 / cpuSeconds).toFixed(2)),
      busiest_thread_ms_per_completed_switch: latencies.length ? Number((cpu.busiest / latencies.length).toFixed(3)) : null,
      mid_run_5s: mid,
    },
    driver_cpu_load: Number(((driverCpu.user + driverCpu.system) / 1e6 / cpuSeconds).toFixed(2)),
  };
  if (process.env.EARSHOT_BENCH_OUT) writeFileSync(process.env.EARSHOT_BENCH_OUT, `${JSON.stringify(result, null, 2)}\n`);
  for (const s of [...calls.flatMap((c) => [c.agent, c.customer, c.supervisor]), ...consoles.map((c) => c.client)]) {
    s.stopHeartbeat?.();
    try { s.ws.close(1000); } catch { /* closed */ }
  }
  stopWrangler(w);
  const l = result.mode_switch_latency_ms;
  console.log(`floor ${CALLS}×${INTERVAL_MS}ms storage=${STORAGE} team_updates=${TEAM_UPDATES} (${result.state_directory_filesystem}, observability ${result.local_observability}): ${result.matrices_per_second_while_switching} switches/s completed`
    + ` of ${result.mode_switches_per_second} asked, p50 ${l.p50} ms p99 ${l.p99} ms, lost ${lost}, reordered ${reordered}, stale ${staleLines},`
    + ` workerd busiest thread ${Math.round(result.workerd_cpu.busiest_thread_load * 100)} % (mid-run ${mid.busiest_thread_percent} %),`
    + ` ${result.workerd_cpu.busiest_thread_ms_per_completed_switch} ms/switch, driver ${Math.round(result.driver_cpu_load * 100)} %`);
  process.exit(lost === 0 && reordered === 0 && staleLines === 0 ? 0 : 1);
}

main().catch((err) => { console.error(err); process.exit(1); });
