// Audit rows and call state survive stopping and restarting `wrangler dev` (Durable Object SQLite
// storage persisted under --persist-to).
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall } from './harness.mjs';

test('audit rows survive a wrangler dev restart', async () => {
  const mint = new Minter();
  const first = await new Wrangler({ keepState: true }).start();
  const supToken = mint.supervisor('s-restart', 'blue');
  let callId;
  let before;
  try {
    callId = await createCall(first, mint.agent('a-restart', 'blue'));
    const agent = await first.ws(`/api/calls/${callId}/ws`, mint.agent('a-restart', 'blue')).opened;
    await agent.next('matrix');
    const sup = await first.ws(`/api/calls/${callId}/ws`, supToken).opened;
    await sup.next('roster');
    for (const mode of ['monitor', 'whisper', 'barge']) assert.equal((await sup.request({ type: 'set_mode', mode, confirm: true })).type, 'ack');
    before = (await (await fetch(`${first.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${supToken}` } })).json()).rows;
    assert.equal(before.filter((r) => r.kind === 'mode_change').length, 3);
  } finally {
    await first.stop();
  }
  const second = await new Wrangler({ persistTo: first.persistTo }).start();
  try {
    const res = await fetch(`${second.base}/api/calls/${callId}/audit`, { headers: { Authorization: `Bearer ${supToken}` } });
    assert.equal(res.status, 200);
    const after = (await res.json()).rows;
    assert.deepEqual(after.slice(0, before.length), before, 'every row from before the restart, unchanged');
  } finally {
    await second.stop();
    rmSync(first.persistTo, { recursive: true, force: true });
  }
});
