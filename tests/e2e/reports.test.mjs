// The reports page in a browser against a real `wrangler dev`: two calls of team blue scripted over the
// API (s1 monitors, whispers and barges early after a raised hand; s2 takes over), reviewed; then
// reports.html as s1 shows each chart's bars with their titles, the table with every figure and the
// totals, switches to by-agent, downloads the CSV (named for the window, the worker's own bytes) and
// shows an empty window as empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, screenshot, sleep, until } from './lib/system.mjs';
import { Minter, createCall } from '../worker/harness.mjs';
import { assertAccessible } from './lib/a11y.mjs';

const mint = new Minter();
const ALL = ['monitor', 'whisper', 'barge', 'takeover'];
// The demo's own people (demo/js/users.js), so the page names them as the scripted tokens do.
const sup = (sub, name) => mint.token({ sub, name, role: 'supervisor', team: 'blue', capabilities: ALL });
const ana = () => mint.token({ sub: 'a1', name: 'Ana', role: 'agent', team: 'blue' });

let system;
before(async () => { system = await startSystem(); });
after(async () => { await system?.stop(); });

async function ack(client, frame) {
  const reply = await client.request(frame);
  assert.equal(reply.type, 'ack', JSON.stringify(reply));
}

/** A call of Ana's: `script` runs with her socket and a way to bring supervisors in; she hangs up. */
async function scriptedCall(script) {
  const w = system.worker;
  const callId = await createCall(w, ana(), 'Mrs Lee');
  const agent = (await w.ws(`/api/calls/${callId}/ws`, ana()).opened).heartbeat(1000);
  await agent.next('matrix');
  const present = [agent];
  const join = async (sub, name) => {
    const client = (await w.ws(`/api/calls/${callId}/ws`, sup(sub, name)).opened).heartbeat(1000);
    await client.next('welcome');
    present.push(client);
    return client;
  };
  await script(agent, join);
  await ack(agent, { type: 'end_call' });
  for (const client of present) { client.stopHeartbeat(); client.close(); }
  return callId;
}

async function api(path, token, init = {}) {
  return fetch(`${system.base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
}

test('reports.html draws the team\'s report, toggles to agents, downloads CSV, shows an empty window', async () => {
  const first = await scriptedCall(async (agent, join) => {
    await ack(agent, { type: 'raise_hand', raised: true });
    await sleep(500);
    const s1 = await join('s1', 'Dana');
    for (const mode of ['monitor', 'whisper']) { await ack(s1, { type: 'set_mode', mode }); await sleep(600); }
    await ack(s1, { type: 'set_mode', mode: 'barge', confirm: true });
    await sleep(600);
  });
  const second = await scriptedCall(async (agent, join) => {
    const s2 = await join('s2', 'Eli');
    await ack(s2, { type: 'set_mode', mode: 'takeover', confirm: true });
    await sleep(600);
  });
  const lead = sup('s1', 'Dana');
  await until('both calls archived', async () => {
    const { calls } = await (await api('/api/reports/calls', lead)).json();
    return [first, second].every((id) => calls.some((c) => c.call_id === id));
  }, 10_000);
  for (const [id, resolved] of [[first, true], [second, false]]) {
    const put = await api(`/api/calls/${id}/review`, lead, { method: 'PUT', body: JSON.stringify({ scores: { greeting: 4, empathy: 4, accuracy: 4, compliance: 4 }, resolved }) });
    assert.equal(put.status, 200);
  }

  const context = await system.browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(`${system.base}/reports.html?user=s1`);
  await tab.waitForFunction(() => window.earshotDemo?.report?.by === 'supervisor');
  await assertAccessible(tab, 'reports page, by supervisor');
  await screenshot(tab, 'reports-by-supervisor');
  const titles = (chart) => tab.locator(`#chart-${chart} rect title`).allTextContents();

  // Each chart: one bar (or part) per figure, its title saying whose and what.
  assert.deepEqual(await titles('interventions'), ['Dana: 1 monitor', 'Dana: 1 whisper', 'Dana: 1 barge', 'Eli: 1 takeover']);
  assert.equal((await titles('minutes')).length, 4);
  assert.deepEqual((await titles('answer')).map((t) => t.replace(/[\d.]+ s/, 'N s')), ['Dana: median N s, 1 answered', 'Whole team: median N s, 1 of 1 answered']);
  assert.match(await tab.locator('#chart-answer').textContent(), /Eli.*no answered requests/);
  assert.deepEqual(await titles('resolved'), [
    'Dana, with intervention: 1 of 1 reviewed calls resolved',
    'Whole team, with intervention: 1 of 2 reviewed calls resolved',
  ], 'a 0 % share draws no bar');
  const resolvedText = await tab.locator('#chart-resolved text.value').allTextContents();
  assert.deepEqual(resolvedText, ['1 of 1 resolved (100%)', 'none reviewed without intervention', '0 of 1 resolved (0%)',
    'none reviewed without intervention', '1 of 2 resolved (50%)', 'none reviewed without intervention']);
  assert.deepEqual(await titles('early'), ['Dana: 1 early barge', 'Eli: 1 early barge']);
  // The table: one row per supervisor, alphabetical, and the team's totals.
  const cells = (selector) => tab.locator(selector).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  const body = await cells('#figures tbody tr');
  assert.deepEqual(body.map((r) => [r[0], r[1], ...r.slice(2, 6), r[10], r[11], r[13], r[14], r[15]]), [
    ['Dana', '1', '1', '1', '1', '0', '1', '1', '1/1', '—', '1'],
    ['Eli', '1', '0', '0', '0', '1', '0', '0', '0/1', '—', '1'],
  ]);
  const [totals] = await cells('#figures tfoot tr');
  assert.deepEqual([totals[0], totals[1], totals[10], totals[11], totals[13], totals[15]], ['Whole team', '2', '1', '1', '1/2', '2']);

  // By agent: one row, Ana's.
  await tab.check('input[name="by"][value="agent"]');
  await tab.waitForFunction(() => window.earshotDemo.report?.by === 'agent');
  assert.deepEqual((await cells('#figures tbody tr')).map((r) => r[0]), ['Ana']);
  assert.match(tab.url(), /by=agent/);

  // CSV: saved under the window's name, exactly what the worker serves.
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.click('#download-csv')]);
  const from = await tab.inputValue('#from');
  const to = await tab.inputValue('#to');
  assert.equal(download.suggestedFilename(), `earshot-report-agent-${from}-to-${to}.csv`);
  const saved = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
  const { from: fromMs, to: toMs } = await tab.evaluate(() => window.earshotDemo.report);
  assert.equal(saved, await (await api(`/api/reports?from=${fromMs}&to=${toMs}&by=agent&format=csv`, lead)).text());
  assert.match(saved, /^id,name,calls,/);

  // A window without calls: every chart says so; the table holds only zero totals.
  await tab.fill('#from', '2020-01-01');
  await tab.fill('#to', '2020-01-07');
  await tab.dispatchEvent('#to', 'change');
  await tab.waitForFunction(() => window.earshotDemo.report?.calls === 0);
  assert.equal(await tab.locator('.charts rect').count(), 0);
  assert.equal(await tab.locator('.charts text.none').count(), 5);
  assert.deepEqual(errors, []);
  await context.close();
});
