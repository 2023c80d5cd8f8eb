// The telephony stack on its own, before any Earshot logic: real Kamailio and rtpengine on loopback
// (scripts/sip-stack.sh), a headless Chromium page registered over SIP-over-WebSocket with the
// demo's phone line (demo/js/sip-line.js, SIP.js), and baresip as the phone, speaking G.711 only.
// baresip calls the page through Kamailio; rtpengine bridges plain RTP to ICE + DTLS-SRTP. The
// phone's tone must be heard in the browser, and the browser's tone found in baresip's recording.
// Bad input (an unreachable server, a bad address, a call to nobody) is refused in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './lib/browser.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { startSipStack } from './lib/sip-stack.mjs';
import { startBaresip } from './lib/baresip.mjs';
import { writeToneWav, readWav, toneWindows } from './lib/wav.mjs';
import { until, ROOT, ARTIFACTS, TONES } from './lib/system.mjs';

const TONE_DETECTOR = readFileSync(join(ROOT, 'tests', 'e2e', 'lib', 'tones.js'), 'utf8');
let stack, site, browser, page, phone;

before(async () => {
  stack = await startSipStack();
  site = await serveStatic(ROOT);
  browser = await launchChromium(['--disable-features=WebRtcHideLocalIpsWithMdns']);
  page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(`${site.url}/`);
  await page.addScriptTag({ content: TONE_DETECTOR });
  mkdirSync(ARTIFACTS, { recursive: true });
  const toneFile = join(ARTIFACTS, 'phone-stack-caller.wav');
  writeToneWav(toneFile, { hz: TONES.customer, seconds: 60 });
  phone = await startBaresip({ toneFile, codecs: 'pcmu' });
});

after(async () => {
  await phone?.stop();
  await browser?.close();
  await site?.close();
  await stack?.stop();
});

/** Registers the page as `user`; each call it gets is answered with an `hz` tone as the agent's voice. */
async function registerAnsweringPage(user, hz) {
  await page.evaluate(async ([server, aor, f]) => {
    const { openPhoneLine } = await import('/demo/js/sip-line.js');
    const context = new AudioContext();
    const voice = context.createOscillator();
    voice.frequency.value = f;
    const mouth = context.createMediaStreamDestination();
    voice.connect(mouth);
    voice.start();
    window.calls = [];
    window.line = await openPhoneLine({
      server,
      aor,
      onCall: async (call) => {
        window.calls.push(call);
        const heard = await call.accept(mouth.stream);
        // Chromium delivers a remote WebRTC track to Web Audio only while a media element plays it.
        const element = new Audio();
        element.srcObject = heard;
        element.muted = true;
        await element.play();
        window.detector = earshotTones.makeDetector(context, context.createMediaStreamSource(heard));
        call.ended.then((by) => { window.endedBy = by; });
      },
    });
  }, [stack.ws, `sip:${user}@${stack.domain}`, hz]);
}

test('baresip calls a browser registered over WebSocket: each hears the other by tone', async () => {
  const started = Date.now();
  await registerAnsweringPage('agent-ada', TONES.agent);
  await phone.dial(`sip:agent-ada@${stack.sip}`);
  await phone.event('CALL_ESTABLISHED');
  await until('the page answered', () => page.evaluate(() => Boolean(window.detector)), 10_000);
  const heardAfterMs = await page.evaluate((f) => window.detector.waitFor(f, true, 5000), TONES.customer);
  const link = await page.evaluate(() => {
    const pc = window.calls[0].peerConnection();
    const sdp = pc.remoteDescription.sdp;
    return { ice: pc.iceConnectionState, dtls: /a=fingerprint:/.test(sdp), codec: sdp.match(/^m=audio \d+ (\S+) (\d+)/m).slice(1) };
  });
  assert.ok(link.dtls && link.codec[0].endsWith('RTP/SAVPF'), `rtpengine offers the browser DTLS-SRTP: ${JSON.stringify(link)}`);
  assert.ok(['connected', 'completed'].includes(link.ice), `ICE ${link.ice}`);
  // Two seconds of the browser's tone at the phone, then the phone hangs up (BYE through Kamailio).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await phone.hangup();
  await phone.event('CALL_CLOSED');
  await until('the page saw the BYE', () => page.evaluate(() => window.endedBy), 5000);
  assert.equal(await page.evaluate(() => window.endedBy), 'caller');

  const heard = readWav(phone.heardFile());
  const agentWindows = toneWindows(heard, TONES.agent).length;
  const ownWindows = toneWindows(heard, TONES.customer).length;
  assert.ok(agentWindows >= 50, `the browser's ${TONES.agent} Hz tone in baresip's recording: ${agentWindows} windows of 20 ms (want ≥ 50)`);
  assert.equal(ownWindows, 0, 'the phone does not hear itself');
  console.log(`phone → browser tone heard ${Math.round(heardAfterMs)} ms after waiting began; browser → phone ${agentWindows * 20} ms of tone recorded; codec ${link.codec[1]}; ${Date.now() - started} ms`);
});

test('bad input: an unreachable SIP server, a bad address, a call to nobody — each a clear refusal', async () => {
  const failures = await page.evaluate(async ([domain]) => {
    const { openPhoneLine } = await import('/demo/js/sip-line.js');
    const attempt = (options) => openPhoneLine({ onCall: () => {}, ...options }).then(() => 'opened', (error) => error.message);
    return {
      unreachable: await attempt({ server: 'ws://127.0.0.1:9', aor: `sip:agent-x@${domain}` }),
      badAddress: await attempt({ server: 'ws://127.0.0.1:9', aor: 'agent x' }),
    };
  }, [stack.domain]);
  assert.match(failures.unreachable, /^cannot reach the SIP server at ws:\/\/127\.0\.0\.1:9/);
  assert.equal(failures.badAddress, 'not a SIP address: agent x');
  const from = phone.events.length;
  await phone.dial(`sip:agent-nobody@${stack.sip}`);
  const closed = await phone.event('CALL_CLOSED', 10_000, from);
  assert.equal(closed.param, '480 Temporarily Unavailable', 'Kamailio says nobody is available under that name');
});
