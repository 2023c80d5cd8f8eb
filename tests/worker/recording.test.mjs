// Call recordings against a real `wrangler dev` (local R2 and D1): the agent uploads chunks while the
// call records; supervisors of the team list, fetch and delete; everyone else is refused; bad chunks
// are refused with a clear error; the retention sweep (cron) deletes audio and index.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Wrangler, Minter, createCall, sleep, ROOT } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
let seq = 0;
const uid = (p) => `${p}${++seq}-${process.pid}`;

before(async () => { await wrangler.start(); });
after(async () => { await wrangler.stop(); });

const EBML = [0x1a, 0x45, 0xdf, 0xa3];
/** A chunk of `size` bytes; the first of a take starts like a WebM file. */
function chunk(n, size = 1000) {
  const bytes = new Uint8Array(size).map((_, i) => (i * 7 + n * 13) % 251);
  if (n === 0) bytes.set(EBML);
  return bytes;
}

/** A call whose agent turned recording on; returns ids, tokens and the agent's socket. */
async function recordingCall(w = wrangler, team = 'blue') {
  const agentId = uid('agent');
  const agentToken = mint.agent(agentId, team);
  const callId = await createCall(w, agentToken);
  const agent = await w.ws(`/api/calls/${callId}/ws`, agentToken).opened;
  agent.heartbeat(1000);
  await agent.next('matrix');
  assert.equal((await agent.request({ type: 'set_recording', active: true })).type, 'ack');
  return { callId, agentId, agentToken, agent, team };
}

async function startTake(w, call) {
  const res = await w.http('POST', `/api/calls/${call.callId}/recordings`, call.agentToken);
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).take;
}

async function put(w, call, take, n, bytes = chunk(n), token = call.agentToken) {
  return w.http('PUT', `/api/calls/${call.callId}/recordings/${take}/chunks/${n}`, token, bytes,
    { 'Content-Type': 'audio/webm' });
}

/** Runs the wrangler CLI on the test server's local state (what is really in R2 and D1): `{ok, stdout}`. */
async function cli(w, ...args) {
  const run = promisify(execFile);
  return run(join(ROOT, 'node_modules', '.bin', 'wrangler'),
    [...args, '--local', '--persist-to', w.persistTo, '-c', 'archive/wrangler.toml'], { cwd: join(ROOT, 'edge-worker'), env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } })
    .then(({ stdout }) => ({ ok: true, stdout }), (error) => ({ ok: false, stdout: error.stdout }));
}

/** Whether the bucket holds `key`. */
async function inBucket(w, key) {
  return (await cli(w, 'r2', 'object', 'get', `earshot-recordings/${key}`, '--pipe')).ok;
}

/** Rows of a D1 query on the index. */
async function query(w, sql) {
  const { ok, stdout } = await cli(w, 'd1', 'execute', 'earshot', '--json', '--command', sql);
  assert.ok(ok, stdout);
  return JSON.parse(stdout)[0].results;
}

const concat = (parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe('recording', () => {
  test('upload, list, fetch as one file, delete: audio and index both go', async () => {
    const call = await recordingCall();
    const supId = uid('s');
    const sup = mint.supervisor(supId, 'blue', ['monitor']);
    const take = await startTake(wrangler, call);
    assert.equal(take, 1);
    const parts = [chunk(0, 1200), chunk(1, 900), chunk(2, 1500)];
    for (const [n, bytes] of parts.entries()) {
      const res = await put(wrangler, call, take, n, bytes);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { take, seq: n, duplicate: false });
    }
    const done = await wrangler.http('POST', `/api/calls/${call.callId}/recordings/${take}/complete`, call.agentToken, JSON.stringify({ chunks: 3 }));
    assert.equal(done.status, 200, await done.clone().text());
    assert.equal((await done.json()).complete, true);

    const listed = await (await wrangler.http('GET', '/api/recordings', sup)).json();
    const row = listed.recordings.find((r) => r.call_id === call.callId);
    assert.ok(row, 'the take is listed for a supervisor of the team');
    assert.deepEqual({ take: row.take, team: row.team, agent: row.agent_id, chunks: row.chunks, bytes: row.bytes, complete: row.complete, whisper: row.include_whisper },
      { take: 1, team: 'blue', agent: call.agentId, chunks: 3, bytes: 3600, complete: true, whisper: false });
    assert.ok(row.expires_at - row.started_at === 90 * 86_400_000, 'default retention: 90 days');
    const window = await (await wrangler.http('GET', `/api/recordings?from=${row.started_at + 1}`, sup)).json();
    assert.ok(!window.recordings.some((r) => r.call_id === call.callId), 'outside the date range');

    const audio = await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup);
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/webm');
    assert.equal(audio.headers.get('x-earshot-complete'), 'true');
    assert.equal(audio.headers.get('content-length'), '3600', 'the length is known up front');
    assert.deepEqual(Buffer.from(await audio.arrayBuffer()), concat(parts), 'the chunks, in order, as one file');

    assert.equal(await inBucket(wrangler, `rec/blue/${call.callId}/1/000002`), true, 'chunks are where the key layout says');
    const gone = await wrangler.http('DELETE', `/api/calls/${call.callId}/recordings`, sup);
    assert.equal(gone.status, 200);
    assert.deepEqual((await gone.json()).deleted, { takes: 1, chunks: 3, bytes: 3600 });
    assert.equal((await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup)).status, 404);
    const after = await (await wrangler.http('GET', '/api/recordings', sup)).json();
    assert.ok(!after.recordings.some((r) => r.call_id === call.callId), 'the index row is gone');
    assert.equal((await wrangler.http('DELETE', `/api/calls/${call.callId}/recordings`, sup)).status, 404);
    // What is really left in R2 and D1: no chunk, no row, one audited deletion.
    for (const n of [0, 1, 2]) assert.equal(await inBucket(wrangler, `rec/blue/${call.callId}/1/00000${n}`), false, `chunk ${n}`);
    assert.deepEqual(await query(wrangler, `SELECT * FROM recordings WHERE call_id = '${call.callId}'`), []);
    const audit = await query(wrangler, `SELECT actor, reason, takes, chunks, bytes FROM recording_deletions WHERE call_id = '${call.callId}'`);
    assert.deepEqual(audit, [{ actor: supId, reason: 'deleted by a supervisor', takes: 1, chunks: 3, bytes: 3600 }]);
  });

  test('another team can neither list, fetch nor delete; learns nothing', async () => {
    const call = await recordingCall();
    const take = await startTake(wrangler, call);
    assert.equal((await put(wrangler, call, take, 0)).status, 200);
    const green = mint.supervisor(uid('hal'), 'green');
    const listed = await (await wrangler.http('GET', '/api/recordings', green)).json();
    assert.equal(listed.team, 'green');
    assert.ok(!listed.recordings.some((r) => r.call_id === call.callId));
    const fetched = await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, green);
    const unknown = await wrangler.http('GET', `/api/calls/${'0'.repeat(64)}/recordings/1/audio`, green);
    assert.equal(fetched.status, 404);
    assert.deepEqual(await fetched.json(), await unknown.json(), 'the same answer as for no such call');
    assert.equal((await wrangler.http('DELETE', `/api/calls/${call.callId}/recordings`, green)).status, 404);
    const blue = mint.supervisor(uid('s'), 'blue');
    assert.equal((await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, blue)).status, 200, 'still there');
  });

  test('only the call\'s agent uploads: customers, supervisors, other agents and nobody are refused', async () => {
    const call = await recordingCall();
    const take = await startTake(wrangler, call);
    const refused = {
      customer: [mint.customer(uid('c'), 'blue', { call: call.callId }), 403],
      supervisor: [mint.supervisor(uid('s'), 'blue'), 403],
      otherAgent: [mint.agent(uid('agent'), 'blue'), 403],
      otherTeamAgent: [mint.agent(call.agentId, 'green'), 403],
      forged: [new Minter({ key: 'foreign' }).agent(call.agentId, 'blue'), 401],
    };
    for (const [who, [token, status]] of Object.entries(refused)) {
      assert.equal((await put(wrangler, call, take, 0, chunk(0), token)).status, status, `${who} uploads`);
      assert.equal((await wrangler.http('POST', `/api/calls/${call.callId}/recordings`, token)).status, status, `${who} starts`);
    }
    assert.equal((await put(wrangler, call, take, 0, chunk(0), null)).status, 401);
    const sup = mint.supervisor(uid('s'), 'blue');
    const agentLists = await wrangler.http('GET', '/api/recordings', call.agentToken);
    assert.equal(agentLists.status, 403, 'agents do not list recordings');
    const listed = await (await wrangler.http('GET', '/api/recordings', sup)).json();
    assert.equal(listed.recordings.find((r) => r.call_id === call.callId).chunks, 0, 'nothing was stored');
  });

  test('recording must be on: no take before, uploads end a minute after it stops', async () => {
    const agentToken = mint.agent(uid('agent'), 'blue');
    const callId = await createCall(wrangler, agentToken);
    const agent = await wrangler.ws(`/api/calls/${callId}/ws`, agentToken).opened;
    await agent.next('matrix');
    const before = await wrangler.http('POST', `/api/calls/${callId}/recordings`, agentToken);
    assert.equal(before.status, 409);
    assert.match((await before.json()).message, /recording is not on/);
    assert.equal((await agent.request({ type: 'set_recording', active: true })).type, 'ack');
    const call = { callId, agentToken };
    const take = await startTake(wrangler, call);
    assert.equal((await put(wrangler, call, take, 0)).status, 200);
    assert.equal((await agent.request({ type: 'set_recording', active: false })).type, 'ack');
    assert.equal((await put(wrangler, call, take, 1)).status, 200, 'the tail after the stop is accepted');
    assert.equal((await wrangler.http('POST', `/api/calls/${callId}/recordings`, agentToken)).status, 409, 'no new take while off');
    agent.close();
  });

  test('malformed, oversize, out-of-order and repeated chunks', async () => {
    const call = await recordingCall();
    const take = await startTake(wrangler, call);
    const expect = async (res, status, pattern) => {
      const body = await res.json();
      assert.equal(res.status, status, JSON.stringify(body));
      if (pattern) assert.match(body.message, pattern);
      return body;
    };
    await expect(await put(wrangler, call, take, 0, new TextEncoder().encode('RIFF....WAVEfmt ')), 400, /WebM/);
    await expect(await put(wrangler, call, take, 0, new Uint8Array(0)), 400, /empty/);
    await expect(await wrangler.http('PUT', `/api/calls/${call.callId}/recordings/${take}/chunks/abc`, call.agentToken, chunk(1)), 400, /seq must be/);
    await expect(await wrangler.http('PUT', `/api/calls/${call.callId}/recordings/x/chunks/0`, call.agentToken, chunk(0)), 400, /take must be/);
    await expect(await put(wrangler, call, take, 0, chunk(0, 600 * 1024)), 400, /over the 524288-byte limit/);
    await expect(await put(wrangler, call, 99, 0), 404);
    await expect(await put(wrangler, call, take, 0), 200);
    await expect(await put(wrangler, call, take, 2), 409, /out of order: the next chunk is 1/);
    const again = await expect(await put(wrangler, call, take, 0), 200);
    assert.equal(again.duplicate, true, 'a retry is accepted and not counted twice');
    await expect(await put(wrangler, call, take, 1), 200);
    await expect(await wrangler.http('POST', `/api/calls/${call.callId}/recordings/${take}/complete`, call.agentToken, JSON.stringify({ chunks: 3 })), 409, /holds 2 chunks/);
    await expect(await wrangler.http('POST', `/api/calls/${call.callId}/recordings/${take}/complete`, call.agentToken, 'chunks=2'), 400);
    await expect(await wrangler.http('POST', `/api/calls/${call.callId}/recordings/${take}/complete`, call.agentToken, JSON.stringify({ chunks: 2 })), 200);
    await expect(await put(wrangler, call, take, 2), 409, /complete/);
    const sup = mint.supervisor(uid('s'), 'blue');
    const audio = await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup);
    assert.deepEqual(Buffer.from(await audio.arrayBuffer()), concat([chunk(0), chunk(1)]), 'nothing refused was stored');
  });

  test('an agent who never completes leaves a fetchable take marked incomplete', async () => {
    const call = await recordingCall();
    const take = await startTake(wrangler, call);
    for (const n of [0, 1]) assert.equal((await put(wrangler, call, take, n)).status, 200);
    call.agent.close(); // the tab dies: no completion ever arrives
    const sup = mint.supervisor(uid('s'), 'blue');
    const row = (await (await wrangler.http('GET', '/api/recordings', sup)).json()).recordings.find((r) => r.call_id === call.callId);
    assert.deepEqual({ complete: row.complete, chunks: row.chunks }, { complete: false, chunks: 2 });
    const audio = await wrangler.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup);
    assert.equal(audio.headers.get('x-earshot-complete'), 'false');
    assert.deepEqual(Buffer.from(await audio.arrayBuffer()), concat([chunk(0), chunk(1)]));
  });
});

test('the retention sweep deletes expired recordings, audio and index', async () => {
  // A "day" of 5 ms, so retention runs out within the test; the sweep is the cron handler.
  const fast = await new Wrangler({ vars: { EARSHOT_RETENTION_DAY_MS: '5' } }).start();
  try {
    const call = await recordingCall(fast);
    const take = await startTake(fast, call);
    assert.equal((await put(fast, call, take, 0)).status, 200);
    const sup = mint.supervisor(uid('s'), 'blue');
    const first = (await (await fast.http('GET', '/api/recordings', sup)).json()).recordings[0];
    assert.equal(first.expires_at - first.started_at, 90 * 5, 'the default: 90 days');
    // A supervisor shortens the team's retention: it applies to the recordings the team already has.
    const team = await fast.ws('/api/teams/blue/ws', sup).opened;
    await team.next('welcome');
    const set = await team.request({ type: 'set_settings', settings: { retention_days: 2 } });
    assert.equal(set.type, 'ack', JSON.stringify(set));
    const refused = await team.request({ type: 'set_settings', settings: { retention_days: 0 } });
    assert.equal(refused.code, 'invalid');
    team.close();
    const row = (await (await fast.http('GET', '/api/recordings', sup)).json()).recordings[0];
    assert.equal(row.expires_at - row.started_at, 2 * 5);
    await sleep(Math.max(0, row.expires_at - Date.now()) + 50);
    assert.equal((await fast.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup)).status, 200, 'expired but not yet swept');
    const swept = await fetch(`${fast.base}/__scheduled?cron=17+*+*+*+*`);
    assert.equal(swept.status, 200);
    await sleep(100);
    assert.match(fast.log, /retention sweep: 1 recordings deleted/);
    assert.equal((await fast.http('GET', `/api/calls/${call.callId}/recordings/${take}/audio`, sup)).status, 404);
    assert.deepEqual((await (await fast.http('GET', '/api/recordings', sup)).json()).recordings, []);
    assert.equal(await inBucket(fast, `rec/blue/${call.callId}/1/000000`), false, 'the chunk left the bucket');
    const audit = await query(fast, `SELECT actor, reason FROM recording_deletions WHERE call_id = '${call.callId}'`);
    assert.deepEqual(audit, [{ actor: 'retention', reason: 'retention period over' }]);
  } finally {
    await fast.stop();
  }
});
