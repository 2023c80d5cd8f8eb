// Benchmark (not a test): how fast a supervised call reacts, through the demo pages in headless
// Chromium over real WebRTC on loopback. Measures click → audible change at each listener for every
// switch between supervisor modes, and mouth-to-ear delay through the agent's hub (customer →
// supervisor, supervisor → customer; customer → agent for one hop). Writes docs/bench/call.{json,md}.
// Run with scripts/bench-call.sh (it sets up the loopback-only network namespace).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { startSystem, openParty, listen, hears, sleep, TONES, ROOT } from './lib/system.mjs';
import { agentReady, connectCall, clickMode, saveTeamSettings } from './lib/scenario.mjs';
import { HEARS, everySwitch } from './lib/hearing.mjs';

const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 5);
const MOUTH_TO_EAR_SAMPLES = Number(process.env.EARSHOT_BENCH_SAMPLES ?? 20);
const STATES = ['absent', 'monitor', 'whisper', 'barge', 'takeover'];

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x) => Math.round(x * 10) / 10;
  return { n: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0]), max: round(sorted.at(-1)) };
}

/** In-page helpers: arm a detector now (absolute ms clock shared by all pages), collect later. */
async function installProbes(page) {
  await page.evaluate(() => {
    const now = () => performance.timeOrigin + performance.now();
    window.probes = new Map();
    window.arm = (hz, wanted, timeoutMs) => {
      const start = now();
      window.probes.set(`${hz}:${wanted}`, window.detector.waitFor(hz, wanted, timeoutMs).then((ms) => start + ms));
    };
    window.collect = async () => {
      const out = {};
      for (const [key, promise] of window.probes) out[key] = await promise.catch((e) => `error: ${e.message}`);
      window.probes.clear();
      return out;
    };
    document.addEventListener('click', () => { window.lastClickAt = now(); }, true);
    window.nowAbs = now;
  });
}

/** The (listener, source, wanted) pairs whose audibility differs between two states. */
function changes(from, to) {
  const out = [];
  for (const listener of ['customer', 'agent', 's1']) {
    if (listener === 's1' && (from === 'absent' || to === 'absent')) continue; // joining includes link setup: reported apart
    for (const source of ['customer', 'agent', 's1']) {
      if (source === listener) continue;
      const before = HEARS[from][listener].includes(source);
      const after = HEARS[to][listener].includes(source);
      if (before !== after) out.push({ listener, source, wanted: after });
    }
  }
  return out;
}

async function main() {
  const system = await startSystem();
  try {
    // The bench times switches, not the early-barge guard's confirmation: the team turns it off first.
    const s1 = await openParty(system, 'console.html', 's1', TONES.s1);
    await s1.waitForFunction(() => window.earshotDemo.feed);
    await saveTeamSettings(s1, { early_barge_minutes: 0 });
    const agent = await agentReady(system);
    const customer = await connectCall(system, agent);
    await s1.locator('#calls tr[data-call]').first().waitFor();
    const pages = { customer, agent, s1 };
    await clickMode(s1, 'monitor');
    await hears(s1, TONES.customer, true, 10_000);
    await clickMode(s1, 'leave');
    for (const page of Object.values(pages)) await installProbes(page);

    // Detector's own delay: a local tone switched on straight into a detector in the same page.
    const detectorDelay = [];
    for (let i = 0; i < 20; i++) {
      detectorDelay.push(await customer.evaluate(async () => {
        const ctx = window.earshotDemo.audio.context;
        const osc = new OscillatorNode(ctx, { frequency: 3100 });
        const gate = new GainNode(ctx, { gain: 0 });
        const probe = earshotTones.makeDetector(ctx, osc.connect(gate));
        osc.start();
        await new Promise((r) => setTimeout(r, 100));
        gate.gain.setValueAtTime(0.25, ctx.currentTime);
        const ms = await probe.waitFor(3100, true, 1000);
        osc.stop();
        return ms;
      }));
    }

    // Switches: every ordered pair of states, ROUNDS times.
    const bySwitch = {};
    const [switches, joins, leaves] = [[], [], []];
    const walk = everySwitch(STATES, 'absent');
    let state = 'absent';
    for (let round = 0; round < ROUNDS; round++) {
      for (const next of walk.slice(1)) {
        const pairs = changes(state, next);
        for (const { listener, source, wanted } of pairs) {
          await pages[listener].evaluate(([hz, w]) => window.arm(hz, w, 3000), [TONES[source], wanted]);
        }
        await clickMode(s1, next === 'absent' ? 'leave' : next);
        const clickAt = await s1.evaluate(() => window.lastClickAt);
        const key = `${state} → ${next}`;
        for (const listener of new Set(pairs.map((p) => p.listener))) {
          const detected = await pages[listener].evaluate(() => window.collect());
          for (const [probe, at] of Object.entries(detected)) {
            if (typeof at !== 'number') throw new Error(`${key} at ${listener} (${probe}): ${at}`);
            (bySwitch[key] ??= []).push(at - clickAt);
            (state === 'absent' ? joins : next === 'absent' ? leaves : switches).push(at - clickAt);
          }
        }
        if (next !== 'absent' && state === 'absent') await hears(s1, TONES.customer, true, 10_000);
        await sleep(150); // let ramps and tails settle before the next click
        state = next;
      }
    }

    // Mouth to ear: gate a party's tone on, time until the listener detects it.
    async function mouthToEar(speaker, listener, hz) {
      const samples = [];
      for (let i = 0; i < MOUTH_TO_EAR_SAMPLES; i++) {
        await speaker.evaluate(() => window.earshotDemo.audio.voice.setSounding(false));
        await sleep(400); // well past the path's delay: the tone has drained from every buffer
        await hears(listener, hz, false, 3000);
        await listener.evaluate((f) => window.arm(f, true, 3000), hz);
        const start = await speaker.evaluate(() => {
          window.earshotDemo.audio.voice.setSounding(true);
          return window.nowAbs();
        });
        const detected = Object.values(await listener.evaluate(() => window.collect()))[0];
        if (typeof detected !== 'number' || detected < start) throw new Error(`mouth to ear: ${detected} (start ${start})`);
        samples.push(detected - start);
      }
      await speaker.evaluate(() => window.earshotDemo.audio.voice.setSounding(true));
      return samples;
    }
    await clickMode(s1, 'barge');
    await hears(customer, TONES.s1, true, 5000);
    const oneHop = await mouthToEar(customer, agent, TONES.customer);
    const customerToSupervisor = await mouthToEar(customer, s1, TONES.customer);
    const supervisorToCustomer = await mouthToEar(s1, customer, TONES.s1);
    await clickMode(s1, 'leave');

    const result = {
      measured_at: new Date().toISOString(),
      machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`,
      chromium: await system.browser.version(),
      rounds: ROUNDS,
      detector_delay_ms: stats(detectorDelay),
      switch_ms: { between_modes: stats(switches), joining: stats(joins), leaving: stats(leaves), by_switch: Object.fromEntries(Object.entries(bySwitch).map(([k, v]) => [k, stats(v)])) },
      mouth_to_ear_ms: {
        customer_to_agent_one_hop: stats(oneHop),
        customer_to_supervisor_two_hops: stats(customerToSupervisor),
        supervisor_to_customer_two_hops: stats(supervisorToCustomer),
      },
    };
    writeFileSync(join(ROOT, 'docs', 'bench', 'call.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(ROOT, 'docs', 'bench', 'call.md'), markdown(result));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await system.stop();
  }
}

function markdown(r) {
  const row = (name, s) => `| ${name} | ${s.n} | ${s.median} | ${s.p95} | ${s.min} | ${s.max} |`;
  const head = '| what | n | median ms | p95 ms | min | max |\n|---|---|---|---|---|---|';
  return `# Call benchmark: mode switches and mouth-to-ear through the hub

Measured by \`bash scripts/bench-call.sh\` (tests/e2e/bench-call.mjs) on ${r.measured_at.slice(0, 10)}: ${r.machine},
${r.chromium}, one \`wrangler dev\`, three demo pages (customer, agent hub, supervisor console) in one
headless Chromium, real WebRTC (Opus) on loopback inside a network namespace. Each party speaks a test tone;
an AnalyserNode detector (tests/e2e/lib/tones.js) decides when a tone is heard. Every figure includes the
detector's own delay (a tone switched on straight into it: median ${r.detector_delay_ms.median} ms), so the
true delays are that much shorter.

## Click → audible change at the listener

From the click event in the console to the moment the listener's detector sees the change (a tone
appearing or disappearing at the speakers), for every ordered switch between absent (not on the call),
monitor, whisper, barge and takeover, ${r.rounds} rounds. Each switch counts once per listener pair
whose hearing changes. Joining (absent → a mode) is measured at the customer and agent only; what the
supervisor hears on joining includes setting up their peer connection.

Target: median ≤ 120 ms on loopback, for switches between modes. Joining also connects the supervisor's
peer connection to the hub, so it is reported apart.

${head}
${row('**switch between modes** (on the call)', r.switch_ms.between_modes)}
${row('**joining** (absent → a mode)', r.switch_ms.joining)}
${row('**leaving** (a mode → absent)', r.switch_ms.leaving)}
${Object.entries(r.switch_ms.by_switch).map(([k, s]) => row(k, s)).join('\n')}

## Mouth to ear

From switching a party's tone on (in its page) to its detection at the listener.

Target: two hops through the hub, median ≤ 150 ms on loopback.

${head}
${row('customer → agent (one hop)', r.mouth_to_ear_ms.customer_to_agent_one_hop)}
${row('customer → supervisor (two hops)', r.mouth_to_ear_ms.customer_to_supervisor_two_hops)}
${row('supervisor → customer (two hops, barge)', r.mouth_to_ear_ms.supervisor_to_customer_two_hops)}
`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
