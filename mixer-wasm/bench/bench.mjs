// The mixer benchmark in one headless Chromium run: kernel inside the worklet (SIMD wasm, scalar
// wasm, JavaScript) and whole-graph offline renders (native GainNodes, wasm worklet, JS worklet), for
// 3×4 and 32×32 dense matrices. Merges the native Rust figures, the wasm size and the limiter's
// figures (examples/limiter_thd.rs), writes docs/bench/mixer.json and docs/bench/mixer.md. If
// docs/bench/mixer-soft-clip.json exists (this script's output at the commit before the look-ahead
// limiter, fd02090, kept by hand), its figures are set beside the new ones.
//   node bench.mjs NATIVE_JSON WASM_GZIP_BYTES LIMITER_JSON
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openPage, serve } from '../tests/browser/harness.mjs';

const [nativeJson, wasmGzipBytes, limiterJson] = process.argv.slice(2);
const native = JSON.parse(nativeJson);
const limiter = JSON.parse(limiterJson);
const CASES = [
  [3, 4],
  [32, 32],
];
const root = fileURLToPath(new URL('..', import.meta.url));
const docs = fileURLToPath(new URL('../../docs/bench/', import.meta.url));

const server = await serve(root);
const { browser, page, errors } = await openPage(server.url);
const version = browser.version();
const measured = await page.evaluate(async (cases) => {
  const { compileMixer, createMixerNode } = await import('/npm/dist/index.js');
  const simdModule = await compileMixer('/npm/dist/earshot_mixer_bg.wasm');
  const scalarModule = await compileMixer('/npm/dist-scalar/earshot_mixer_bg.wasm');

  const kernelContext = new OfflineAudioContext(1, 512, 48000);
  await kernelContext.audioWorklet.addModule('/bench/kernel-processor.js');
  const bench = new AudioWorkletNode(kernelContext, 'earshot-kernel-bench', {
    processorOptions: { simdModule, scalarModule, cases, minMs: 300 },
  });
  const kernel = new Promise((resolve) => (bench.port.onmessage = (event) => resolve(event.data)));
  bench.connect(kernelContext.destination);
  await kernelContext.startRendering();

  const SECONDS = 2;
  const graph = async (kind, inputs, outputs) => {
    const context = new OfflineAudioContext(outputs, 48000 * SECONDS, 48000);
    const merger = new ChannelMergerNode(context, { numberOfInputs: outputs });
    merger.connect(context.destination);
    const sources = Array.from({ length: inputs }, (_, i) => {
      const oscillator = new OscillatorNode(context, { frequency: 100 + 37 * i });
      oscillator.start();
      return oscillator.connect(new GainNode(context, { gain: 0.02 }));
    });
    const rows = Array.from({ length: outputs }, () => new Array(inputs).fill(0.5));
    let mixer;
    if (kind === 'floor') {
      // The same sources wired straight to the outputs: what any mix costs on top of this is the mix.
      rows.forEach((_, o) => sources[o % inputs].connect(merger, 0, o));
    } else if (kind === 'native-gainnodes') {
      rows.forEach((row, o) => row.forEach((gain, i) => sources[i].connect(new GainNode(context, { gain })).connect(merger, 0, o)));
    } else if (kind === 'wasm-simd-worklet') {
      mixer = await createMixerNode(context, { numberOfInputs: inputs, numberOfOutputs: outputs, matrix: rows, meterHz: 0, module: simdModule });
    } else {
      await context.audioWorklet.addModule('/bench/js-mixer-processor.js');
      mixer = new AudioWorkletNode(context, 'earshot-js-mixer', {
        numberOfInputs: inputs,
        numberOfOutputs: outputs,
        outputChannelCount: new Array(outputs).fill(1),
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions: { gains: rows.flat() },
      });
    }
    if (mixer) {
      sources.forEach((source, i) => source.connect(mixer, 0, i));
      for (let o = 0; o < outputs; o++) mixer.connect(merger, o, o);
    }
    const start = performance.now();
    await context.startRendering();
    return ((performance.now() - start) * 1000) / ((48000 * SECONDS) / 128);
  };
  const whole = [];
  for (const [inputs, outputs] of cases) {
    const runs = { floor: [], 'native-gainnodes': [], 'wasm-simd-worklet': [], 'js-worklet': [] };
    for (let round = 0; round < 5; round++) {
      for (const kind of Object.keys(runs)) runs[kind].push(await graph(kind, inputs, outputs));
    }
    for (const [kind, times] of Object.entries(runs)) {
      const sorted = times.sort((a, b) => a - b);
      whole.push({ kind, size: `${inputs}x${outputs}`, us: sorted[Math.floor(sorted.length / 2)] });
    }
  }
  return { kernel: await kernel, whole };
}, CASES);
await browser.close();
await server.close();
if (errors.length) throw errors[0];

const pick = (list, kind, size) => list.find((row) => row.kind === kind && row.size === size).us;
const figures = CASES.map(([inputs, outputs]) => {
  const size = `${inputs}x${outputs}`;
  const kernel = Object.fromEntries(['wasm-simd', 'wasm-scalar', 'js'].map((kind) => [kind, pick(measured.kernel, kind, size)]));
  const whole = Object.fromEntries(['floor', 'native-gainnodes', 'wasm-simd-worklet', 'js-worklet'].map((kind) => [kind, pick(measured.whole, kind, size)]));
  const limiting = { 'wasm-simd': pick(measured.kernel, 'wasm-simd-limiting', size), 'wasm-scalar': pick(measured.kernel, 'wasm-scalar-limiting', size), js: pick(measured.kernel, 'js-limiting', size), 'native-rust': native[`${size}-limiting`] };
  return { size, kernel: { ...kernel, 'native-rust': native[size] }, kernelLimiting: limiting, wholeGraph: whole };
});
const result = { date: new Date().toISOString(), chromium: version, cores: (await import('node:os')).cpus().length, wasmGzipBytes: Number(wasmGzipBytes), figures, limiter };
const beforePath = `${docs}mixer-soft-clip.json`;
const before = existsSync(beforePath) ? JSON.parse(readFileSync(beforePath, 'utf8')) : null;
writeFileSync(`${docs}mixer.json`, `${JSON.stringify(result, null, 2)}\n`);

const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
const lines = [
  '# Mixer benchmark',
  '',
  `Written by \`scripts/bench-mixer.sh\` on ${result.date.slice(0, 10)}: Chromium ${version}, ${result.cores} cores, headless.`,
  'µs per 128-frame quantum (lower is better), dense matrices with every gain 0.5 (every cell multiplies,',
  'as a GainNode graph does). Kernel: `process()` alone, timed inside an AudioWorklet with Date.now() over',
  '≥ 300 ms (best of 3). Whole graph: an OfflineAudioContext rendering 2 s of oscillators through the mix',
  '(median of 5); "floor" is the same sources wired straight to the outputs, no mix. Native Rust: the same',
  '`Mixer::process`, release build on this machine. Kernel figures are the full `process()`: sanitising,',
  'metering, the ramped matrix and the limiter. On a shared 2-core machine, figures move by 20–30 % from',
  'run to run; compare ratios within one run.',
  '',
  '| size | kernel wasm SIMD | kernel wasm scalar | kernel JS | native Rust | graph floor | graph native GainNodes | graph wasm worklet | graph JS worklet |',
  '|---|---|---|---|---|---|---|---|---|',
  ...figures.map(({ size, kernel: k, wholeGraph: w }) =>
    `| ${size} | ${f(k['wasm-simd'])} | ${f(k['wasm-scalar'])} | ${f(k.js)} | ${f(k['native-rust'])} | ${f(w.floor)} | ${f(w['native-gainnodes'])} | ${f(w['wasm-simd-worklet'])} | ${f(w['js-worklet'])} |`,
  ),
  '',
  `Mixer wasm (SIMD, wasm-opt -O3): ${result.wasmGzipBytes} bytes gzipped (${(result.wasmGzipBytes / 1024).toFixed(1)} KiB; target ≤ 16 KiB).`,
  '',
  '## Against the targets',
  '',
  ...figures.flatMap(({ size, kernel: k, wholeGraph: w }) => [
    `- ${size}: whole graph, wasm worklet vs native GainNodes: ${ratio(w['native-gainnodes'], w['wasm-simd-worklet'])} faster (target ≥ 5× at 32×32), ` +
      `${ratio(w['native-gainnodes'] - w.floor, w['wasm-simd-worklet'] - w.floor)} above the floor; ` +
      `kernel SIMD vs JS: ${ratio(k.js, k['wasm-simd'])} faster (target ≥ 8×); SIMD / native Rust: ${(k['wasm-simd'] / k['native-rust']).toFixed(2)} (target ≤ 1.5); ` +
      `SIMD vs scalar: ${ratio(k['wasm-scalar'], k['wasm-simd'])}.`,
  ]),
  `- 3x4 kernel: ${f(figures[0].kernel['wasm-simd'])} µs (target ≤ 0.3 µs).`,
  '',
  ...limiterSection(result, before),
];
writeFileSync(`${docs}mixer.md`, lines.join('\n'));
console.log(lines.join('\n'));

function limiterSection(now, before) {
  const db = (x) => `${x.toFixed(1)} dB`;
  const dbfs = (x) => `${x.toFixed(1)} dBFS`;
  const signals = [
    ['one_at_minus_1_dbfs', 'one sine at −1 dBFS (440 Hz)'],
    ['one', 'one sine at 0 dBFS (440 Hz)'],
    ['two', 'two at 0 dBFS (440 + 554 Hz)'],
    ['three', 'three at 0 dBFS (440 + 554 + 659 Hz, near-harmonic)'],
    ['two_inharmonic', 'two at 0 dBFS (300 + 437 Hz)'],
    ['three_inharmonic', 'three at 0 dBFS (300 + 437 + 1013 Hz)'],
    ['three_at_minus_6_dbfs', 'three at −6 dBFS (440 + 554 + 659 Hz)'],
  ];
  const cell = (row) => {
    if (!row) return '– | – | –';
    const thd = row.bit_exact_delay === null ? db(row.thd_n_db) : `bit-exact, ${row.bit_exact_delay} frames late (${db(row.thd_n_db)})`;
    return `${thd} | ${dbfs(row.largest_product_dbfs)} | ${row.peak.toFixed(4)}`;
  };
  const kernelRow = (label, pickFigure) =>
    `| ${label} | ${now.figures.map((figure) => f2(pickFigure(figure))).join(' | ')} |`;
  const f2 = (x) => (x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
  const beforeFigure = (size) => before?.figures.find((figure) => figure.size === size);
  const lines = [
    '## Limiter',
    '',
    'Per output, a look-ahead peak limiter (`mixer-wasm/src/limiter.rs`): ceiling −1 dBFS, look-ahead 1.5 ms, which is',
    '**72 frames of added latency at 48 kHz** on every output, always; a linear attack over the look-ahead, 100 ms hold,',
    '150 ms release. Below the ceiling an output is its mix delayed by 72 frames, bit for bit. Figures from',
    '`examples/limiter_thd.rs`: full-scale tones summed at unity into one output; THD+N over one second after 0.5 s,',
    'everything but the fitted tones against the tones (a steady gain is not distortion, its wobble is); the largest',
    'single product is the largest 1 Hz bin of that rest. "Before" is the static soft clip from −6 dBFS it replaced',
    '(same example and scripts run on the earlier mixer source).',
    '',
    '| signal | THD+N | largest product | peak | before: THD+N | before: largest product | before: peak |',
    '|---|---|---|---|---|---|---|',
    ...signals.map(([key, label]) => `| ${label} | ${cell(now.limiter[key])} | ${cell(before?.limiter?.[key])} |`),
    '',
    `Kernel µs per 128-frame quantum (this run${before ? `; before: the run of ${before.date.slice(0, 10)} at the soft-clip source` : ''}).`,
    'Quiet: the figures of the table above (sums under the ceiling, the limiter only delays). Limiting: sources at 0.8, so',
    'every sum is over the ceiling and every sample goes through the gain computer.',
    '',
    `| kernel | ${now.figures.map((figure) => figure.size).join(' | ')} |`,
    `|---|${now.figures.map(() => '---').join('|')}|`,
    kernelRow('wasm SIMD, quiet', (figure) => figure.kernel['wasm-simd']),
    kernelRow('native Rust, quiet', (figure) => figure.kernel['native-rust']),
    kernelRow('SIMD / native, quiet', (figure) => figure.kernel['wasm-simd'] / figure.kernel['native-rust']),
    kernelRow('wasm SIMD, limiting', (figure) => figure.kernelLimiting['wasm-simd']),
    kernelRow('native Rust, limiting', (figure) => figure.kernelLimiting['native-rust']),
    kernelRow('SIMD / native, limiting', (figure) => figure.kernelLimiting['wasm-simd'] / figure.kernelLimiting['native-rust']),
    kernelRow('JS, limiting', (figure) => figure.kernelLimiting.js),
  ];
  if (before) {
    lines.push(
      kernelRow('before: wasm SIMD, quiet', (figure) => beforeFigure(figure.size)?.kernel['wasm-simd']),
      kernelRow('before: native Rust, quiet', (figure) => beforeFigure(figure.size)?.kernel['native-rust']),
      kernelRow('before: SIMD / native, quiet', (figure) => {
        const old = beforeFigure(figure.size)?.kernel;
        return old && old['wasm-simd'] / old['native-rust'];
      }),
      kernelRow('before: wasm SIMD, loud (soft clip)', (figure) => beforeFigure(figure.size)?.kernelLimiting?.['wasm-simd']),
      kernelRow('before: native Rust, loud (soft clip)', (figure) => beforeFigure(figure.size)?.kernelLimiting?.['native-rust']),
      '',
      `Mixer wasm before: ${before.wasmGzipBytes} bytes gzipped; now ${now.wasmGzipBytes}.`,
    );
  }
  lines.push('');
  return lines;
}
