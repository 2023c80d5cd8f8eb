// A TypeScript app against earshot-mixer's .d.ts, checked with `tsc --noEmit --strict`: every call
// below must type-check, and each `@ts-expect-error` line must be an error.
import {
  compileMixer,
  createMixerNode,
  dbToGain,
  loadMixer,
  MixerNode,
  type MeterDetail,
  type MeterReading,
  type MixerNodeOptions,
} from 'earshot-mixer';
import { createHealthProbe, type HealthSample } from 'earshot-mixer/health';

export async function start(context: AudioContext, sources: AudioNode[]): Promise<MixerNode> {
  const options: MixerNodeOptions = { numberOfInputs: 3, numberOfOutputs: 2, matrix: [[1, 0.5, 0], [0, 0.25, 1]] };
  const mixer = await createMixerNode(context, { ...options, channelInterpretation: 'discrete', wasmUrl: new URL('./m.wasm', location.href) });
  sources.forEach((source, i) => source.connect(mixer, 0, i));
  mixer.setGainDb(0, 1, -6, 10);
  mixer.setGainLinear(1, 2, 0.5, 10, context.currentTime + 1);
  mixer.setMatrix({ gains: [[1, 1, 0], [0, 0, 1]] }, 20, context.currentTime + 2);
  mixer.playTone({ outputs: [0], gainDb: -20 });
  await mixer.flush();
  const probe = await createHealthProbe({ inputs: 3 });
  mixer.addEventListener('meter', (event) => {
    const detail: MeterDetail = event.detail;
    const heard: MeterReading = detail.outputs[1];
    const sample: HealthSample | null = probe.push(event.detail, context.currentTime * 1000);
    // The generated declaration: a dBFS level or null, never undefined.
    const level: number | null = sample ? sample.customer_db : null;
    console.log(detail.inputs[0].rms, heard.voice, sample?.window_ms, level);
  });
  mixer.addEventListener('mixererror', (event) => console.error(event.detail.message));
  const onMeter = (event: CustomEvent<MeterDetail>) => console.log(event.detail.inputs.length);
  mixer.addEventListener('meter', onMeter);
  mixer.removeEventListener('meter', onMeter);

  // The Web Audio way: load once per context, then construct synchronously.
  const module: WebAssembly.Module = await loadMixer(context);
  const second = new MixerNode(context, { module, numberOfInputs: 1, numberOfOutputs: 1 });
  await second.ready;
  const compiled: Promise<WebAssembly.Module> = compileMixer();
  console.log(dbToGain(0), compiled);

  // @ts-expect-error: a gain is a number
  mixer.setGainDb(0, 0, '-6');
  // @ts-expect-error: the tone needs its outputs
  mixer.playTone({ frequency: 440 });
  // @ts-expect-error: the constructor needs the compiled module
  new MixerNode(context, { numberOfInputs: 1 });
  // @ts-expect-error: the mixer's inputs are mono
  new MixerNode(context, { module, channelCount: 2 });
  // @ts-expect-error: a meter event's detail is { inputs, outputs }, not an array
  mixer.addEventListener('meter', (event) => event.detail[0]);
  return mixer;
}
