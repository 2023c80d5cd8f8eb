// The end-to-end harness itself: a tone crosses a real RTCPeerConnection on loopback between two
// Chromium pages and the detector sees it arrive, change frequency and fall silent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { serveStatic } from './lib/static-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let server, browser;

before(async () => {
  server = await serveStatic(join(here, 'lib'));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens a page with the tone detector loaded and a peer connection ready. */
async function peerPage() {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.addScriptTag({ url: `${server.url}/tones.js` });
  await page.evaluate(async () => {
    // Granting a (fake) microphone lets Chrome expose plain host candidates instead of mDNS names.
    (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks().forEach((t) => t.stop());
    window.ctx = new AudioContext();
    await window.ctx.resume();
    window.pc = new RTCPeerConnection();
    window.gathered = () =>
      new Promise((resolve) => {
        if (window.pc.iceGatheringState === 'complete') return resolve();
        window.pc.addEventListener('icegatheringstatechange', () => {
          if (window.pc.iceGatheringState === 'complete') resolve();
        });
      });
  });
  return page;
}

test('a tone crosses a loopback peer connection and the detector follows it', async () => {
  const sender = await peerPage();
  const receiver = await peerPage();

  const offer = await sender.evaluate(async () => {
    window.osc = new OscillatorNode(window.ctx, { frequency: 440 });
    window.gain = new GainNode(window.ctx, { gain: 0.5 });
    const out = new MediaStreamAudioDestinationNode(window.ctx);
    window.osc.connect(window.gain).connect(out);
    window.osc.start();
    window.pc.addTrack(out.stream.getAudioTracks()[0], out.stream);
    await window.pc.setLocalDescription(await window.pc.createOffer());
    await window.gathered();
    return window.pc.localDescription.toJSON();
  });
  const answer = await receiver.evaluate(async (offer) => {
    window.pc.ontrack = ({ streams: [stream] }) => {
      // Chrome plays a remote WebRTC stream into Web Audio only if a media element also plays it.
      const audio = new Audio();
      audio.muted = true;
      audio.srcObject = stream;
      audio.play();
      const source = window.ctx.createMediaStreamSource(stream);
      window.detector = window.earshotTones.makeDetector(window.ctx, source);
    };
    await window.pc.setRemoteDescription(offer);
    await window.pc.setLocalDescription(await window.pc.createAnswer());
    await window.gathered();
    return window.pc.localDescription.toJSON();
  }, offer);
  await sender.evaluate((answer) => window.pc.setRemoteDescription(answer), answer);

  await receiver.waitForFunction(() => window.detector !== undefined);
  const arrivedMs = await receiver.evaluate(() => window.detector.waitFor(440, true, 5000));
  assert.ok(arrivedMs < 5000, `440 Hz arrived after ${arrivedMs} ms`);
  assert.equal(await receiver.evaluate(() => window.detector.present(660)), false, '660 Hz not sent yet');

  await sender.evaluate(() => window.osc.frequency.setValueAtTime(660, window.ctx.currentTime));
  await receiver.evaluate(() => window.detector.waitFor(660, true, 1000));
  await receiver.evaluate(() => window.detector.waitFor(440, false, 1000));

  await sender.evaluate(() => window.gain.gain.setValueAtTime(0, window.ctx.currentTime));
  await receiver.evaluate(() => window.detector.waitFor(660, false, 1000));

  const route = await receiver.evaluate(async () => {
    const stats = [...(await window.pc.getStats()).values()];
    const pair = stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
    const remote = stats.find((s) => s.id === pair.remoteCandidateId);
    return remote.address;
  });
  assert.equal(route, '127.0.0.1', 'media flowed over loopback only');
});
