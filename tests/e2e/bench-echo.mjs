// Benchmark (not a test): what the agent's echo-referenced playback (demo/js/echo-path.js: a loopback
// peer connection into an <audio> element) adds to the agent's latency. In headless Chromium a gated
// tone plays into a node routed through that path; one detector listens to the node itself, another
// to the stream the <audio> element plays; the difference of their onsets is what the loopback adds
// (Opus encode and decode, packetisation, the jitter buffer). Both reach the speakers through the same
// output device, so its latency is common to both and not counted.
// Usage: unshare --net sh -c 'ip link set lo up && exec node tests/e2e/bench-echo.mjs [runs=30]';
// writes docs/bench/echo.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { launchChromium } from './lib/browser.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { ROOT } from './lib/system.mjs';

const RUNS = Math.min(Number(process.argv[2] ?? 30), 200);
const TONE_DETECTOR = readFileSync(join(ROOT, 'tests', 'e2e', 'lib', 'tones.js'), 'utf8');
const server = await serveStatic(join(ROOT, 'demo'));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  await page.addScriptTag({ content: TONE_DETECTOR });
  const onsets = await page.evaluate(async ([url, runs]) => {
    const { playEchoReferenced } = await import(url);
    const context = new AudioContext({ latencyHint: 'interactive' });
    await context.resume();
    const tone = new OscillatorNode(context, { frequency: 1000 });
    const gate = new GainNode(context, { gain: 0 });
    const ears = new GainNode(context);
    tone.connect(gate).connect(ears);
    tone.start();
    const playback = await playEchoReferenced(context, ears);
    if (!playback.referenced) throw new Error(`no echo-referenced path: ${playback.reason}`);
    const direct = earshotTones.makeDetector(context, ears);
    const looped = earshotTones.makeDetector(context, new MediaStreamAudioSourceNode(context, { mediaStream: playback.stream }));
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    await sleep(1000); // the loopback settles
    const results = [];
    for (let i = 0; i < runs; i++) {
      gate.gain.setValueAtTime(1, context.currentTime);
      const [atEars, atElement] = await Promise.all([direct.waitFor(1000, true, 3000), looped.waitFor(1000, true, 3000)]);
      results.push(atElement - atEars);
      gate.gain.setValueAtTime(0, context.currentTime);
      await Promise.all([direct.waitFor(1000, false, 3000), looped.waitFor(1000, false, 3000)]);
      await sleep(150);
    }
    const stats = { baseLatency_ms: Number((context.baseLatency * 1000).toFixed(1)), outputLatency_ms: Number(((context.outputLatency ?? 0) * 1000).toFixed(1)) };
    playback.close();
    return { results, stats };
  }, [`${server.url}/js/echo-path.js`, RUNS]);
  const sorted = [...onsets.results].sort((a, b) => a - b);
  const at = (p) => Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1));
  const report = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown'}`,
    browser: browser.version(),
    runs: RUNS,
    added_latency_ms: { median: at(50), p95: at(95), min: at(0), max: at(100) },
    context: onsets.stats,
  };
  writeFileSync(join(ROOT, 'docs', 'bench', 'echo.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report));
} finally {
  await browser.close();
  await server.close();
}
