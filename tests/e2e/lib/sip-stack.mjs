// The telephony stack for phone tests: scripts/sip-stack.sh (rtpengine + Kamailio on loopback) as a
// child process on free ports, stopped with the test (or when the test process exits).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { ROOT } from '../../worker/harness.mjs';

const running = new Set();
process.on('exit', () => { for (const child of running) child.kill('SIGTERM'); });

/** A port free for both TCP and UDP on 127.0.0.1 (SIP listens on UDP, its WebSocket on TCP). */
export async function freeTcpUdpPort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address();
        server.close(() => resolve(p));
      }).on('error', reject);
    });
    const udpFree = await new Promise((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/**
 * Starts Kamailio and rtpengine; resolves once both listen, with `{ sip, ws, domain, log, stop }`:
 * `sip` the UDP address phones dial (host:port), `ws` the WebSocket URL agent pages register on.
 */
export async function startSipStack() {
  const [sipPort, wsPort, ngPort] = [await freeTcpUdpPort(), await freeTcpUdpPort(), await freeTcpUdpPort()];
  const rtpFrom = 20000 + Math.floor(Math.random() * 200) * 100;
  const child = spawn('bash', [join(ROOT, 'scripts', 'sip-stack.sh')], {
    env: {
      ...process.env,
      EARSHOT_SIP_PORT: String(sipPort),
      EARSHOT_SIP_WS_PORT: String(wsPort),
      EARSHOT_RTPENGINE_PORT: String(ngPort),
      EARSHOT_RTP_PORTS: `${rtpFrom}-${rtpFrom + 99}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log = [];
  const exited = new Promise((resolve) => child.once('exit', (code) => { running.delete(child); resolve(code); }));
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      const text = String(chunk);
      log.push(text);
      if (text.includes('[sip-stack] ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => reject(new Error(`sip-stack.sh exited (${code}) before it was ready:\n${log.join('')}`)));
    setTimeout(() => reject(new Error(`sip-stack.sh not ready after 20 s:\n${log.join('')}`)), 20_000).unref();
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return {
    sip: `127.0.0.1:${sipPort}`,
    ws: `ws://127.0.0.1:${wsPort}`,
    domain: '127.0.0.1',
    /** Everything both processes logged so far (for failure messages). */
    log: () => log.join(''),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
