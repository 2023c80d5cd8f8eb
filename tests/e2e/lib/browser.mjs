// Launches Debian's Chromium (playwright-core) and Firefox ESR (puppeteer-core over WebDriver BiDi:
// Playwright cannot drive a stock Firefox) for real-audio, real-WebRTC tests: headless, loopback only,
// fake devices.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

/** Chromium flags for audio and WebRTC tests; see BRIEF §7 and ARCHITECTURE.md. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  // Background tabs must keep their audio clocks running at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Firefox preferences for the same: fake devices without a prompt, Web Audio and media without a
 * click, and real host addresses in ICE candidates (Firefox hides them behind mDNS names by
 * default, and inside the tests' namespace nobody resolves those). Firefox gathers no candidate on
 * loopback alone, media.peerconnection.ice.loopback or not: scripts/test-e2e.sh gives its test a
 * private address and a default route that leads nowhere.
 */
export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
};

export async function launchFirefox(root) {
  // Its audio output: the silent PulseAudio of scripts/sound-server.sh (without one, every
  // AudioContext stays suspended), on a socket Chromium never looks for.
  const pulse = execFileSync('bash', [join(root, 'scripts', 'sound-server.sh')], { encoding: 'utf8' }).trim();
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_BIN || '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    env: { ...process.env, PULSE_SERVER: pulse },
  });
}
