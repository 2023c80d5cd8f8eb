// A TypeScript app against earshot-mixer's .d.ts, checked with `tsc --noEmit --strict`: every call
// below must type-check, and the `@ts-expect-error` lines must be errors.
import { compileMixer, createMixerNode, dbToGain, MixerNode, type MeterReading } from 'earshot-mixer';
import { createHealthProbe } from 'earshot-mixer/health';

export async function start(context: AudioContext, sources: AudioNode[]): Promise<MixerNode> {
  const module: WebAssembly.Module = await compileMixer();
  const mixer = await createMixerNode(context, { inputs: 3, outputs: 2, matrix: [[1, 0.5, 0], [0, 0.25, 1]], module });
  sources.forEach((source, i) => source.connect(mixer, 0, i));
  mixer.setGain(0, 1, -6, 10);
  mixer.setMatrix({ gains: [[1, 1, 0], [0, 0, 1]] }, 20);
  mixer.playTone({ outputs: [0], gainDb: -20 });
  mixer.addEventListener('meter', (event) => {
    const readings: MeterReading[] = event.detail;
    console.log(readings[0].rms, readings[0].voice);
  });
  mixer.addEventListener('mixererror', (event) => console.error(event.detail.message));
  const probe = await createHealthProbe({ inputs: 3 });
  probe.levels();
  // @ts-expect-error: a gain is a number
  mixer.setGain(0, 0, '-6');
  // @ts-expect-error: the tone needs its outputs
  mixer.playTone({ frequency: 440 });
  const unity: number = dbToGain(0);
  console.log(unity);
  return mixer.ready;
}
