// baresip (Debian's baresip-core) as the phone caller in tests: plays a WAV file as its microphone
// (aufile), records what it hears (sndfile), and is driven over its ctrl_tcp socket (netstring JSON:
// dial, hang up, send DTMF) whose events say when the call is ringing, established or closed.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpUdpPort } from './sip-stack.mjs';

const running = new Set();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/**
 * A running baresip whose microphone is `toneFile` (16-bit WAV), speaking only `codecs` (baresip's
 * names, e.g. 'pcmu', or with rate and channels, 'opus/48000/2' — what a phone line or trunk offers).
 */
export async function startBaresip({ toneFile, user = 'caller', codecs = 'pcmu,pcma' }) {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-baresip-'));
  const sipPort = await freeTcpUdpPort();
  const ctrlPort = await freeTcpUdpPort();
  writeFileSync(join(dir, 'config'), [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'sip_transports udp',
    `audio_source aufile,${toneFile}`,
    // Nothing is played aloud; what it hears is recorded by sndfile, which taps the decoder.
    'audio_player aubridge,earshot',
    'audio_alert aubridge,earshot',
    'ausrc_srate 8000',
    'auplay_srate 8000',
    // Mono at both ends, whatever the codec carries (Opus is stereo on the wire): baresip converts.
    'ausrc_channels 1',
    'auplay_channels 1',
    'rtp_ports 10000-10999',
    'net_interface 127.0.0.1',
    `snd_path ${dir}`,
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    // Other codecs' modules are named after them (opus.so, gsm.so, g722.so, …).
    ...codecs.split(',').map((c) => c.split('/')[0]).filter((c) => !['pcmu', 'pcma'].includes(c)).map((c) => `module ${c}.so`),
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_app account.so',
    'module_app menu.so',   // the dial, hangup and DTMF commands
    'module_app ctrl_tcp.so',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'accounts'), `<sip:${user}@127.0.0.1>;regint=0;audio_codecs=${codecs};answermode=manual\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const child = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const log = [];
  child.stdout.on('data', (c) => log.push(String(c)));
  child.stderr.on('data', (c) => log.push(String(c)));
  const exited = new Promise((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code); }));

  const socket = await connectWhenUp(ctrlPort, child, log);
  const events = [];
  const waiters = [];
  const pending = new Map();
  let buffer = '';
  let token = 0;
  socket.on('data', (chunk) => {
    buffer += String(chunk);
    for (;;) {   // netstrings: "<length>:<json>,"
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.slice(0, colon));
      if (buffer.length < colon + 1 + length + 1) return;
      const message = JSON.parse(buffer.slice(colon + 1, colon + 1 + length));
      buffer = buffer.slice(colon + 1 + length + 1);
      if (message.event) {
        const entry = { ...message, at: Date.now() };
        events.push(entry);
        for (const w of [...waiters]) if (w.test(entry)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(entry); }
      } else if (message.response) {
        pending.get(message.token)?.(message);
        pending.delete(message.token);
      }
    }
  });

  function command(name, params = '') {
    const id = String(++token);
    const body = JSON.stringify({ command: name, params, token: id });
    socket.write(`${Buffer.byteLength(body)}:${body},`);
    return new Promise((resolve, reject) => {
      pending.set(id, (m) => (m.ok ? resolve(m.data) : reject(new Error(`baresip ${name}: ${m.data}`))));
      setTimeout(() => reject(new Error(`baresip ${name}: no response`)), 5000).unref();
    });
  }

  /**
   * Resolves with the first event of `type` (e.g. CALL_ESTABLISHED) at index `from` or later in
   * `events`, past or future; its `at` says when it came (Date.now()).
   */
  function event(type, timeoutMs = 15_000, from = 0) {
    const seen = events.slice(from).find((e) => e.type === type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { test: (m) => m.type === type, resolve };
      waiters.push(w);
      setTimeout(() => reject(new Error(`baresip: no ${type} in ${timeoutMs} ms; events ${events.map((e) => e.type).join(', ')}\n${log.join('')}`)), timeoutMs).unref();
    });
  }

  return {
    dir,
    events,
    event,
    command,
    /** Calls `uri` (sip:user@host:port). */
    dial: (uri) => command('dial', uri),
    hangup: () => command('hangup'),
    log: () => log.join(''),
    /** The WAV sndfile wrote of what baresip heard (decoded from the far end) in its latest call. */
    heardFile() {
      const name = readdirSync(dir).filter((f) => f.startsWith('dump-') && f.endsWith('-dec.wav')).sort().at(-1);
      if (!name) throw new Error(`baresip recorded nothing in ${dir}: ${readdirSync(dir).join(', ')}`);
      return join(dir, name);
    },
    async stop() {
      socket.destroy();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function connectWhenUp(port, child, log) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket)).once('error', reject);
      });
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`baresip's control socket never opened (${error.message}):\n${log.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
