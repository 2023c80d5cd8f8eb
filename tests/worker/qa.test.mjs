// Quality assurance against a real `wrangler dev` (edge and archive workers, D1): a team's scorecard
// versions (default form, a weighted form with N/A and auto-fail, every problem of a bad form named),
// weighted totals of reviews, review history, calibration of two reviewers, timeline comments, and the agent's side
// (own calls only, acknowledge, dispute) with the role limits of docs/PROTOCOL.md ("Quality assurance").
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, sleep } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
const TEAM = `qa-${process.pid}`;
const OTHER = `qa-other-${process.pid}`;
const id = (p) => `${p}-${process.pid}`;
const S1 = id('s1');
const S2 = id('s2');
const A1 = id('a1');
const A2 = id('a2');
const sup = (sub, team = TEAM) => mint.supervisor(sub, team);

const http = (method, path, token, body) => wrangler.http(method, path, token,
  body === undefined ? undefined : JSON.stringify(body), { 'Content-Type': 'application/json' });
async function json(method, path, token, body) {
  const res = await http(method, path, token, body);
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, data };
}

/** A call of TEAM by `agentId` that connects and ends; resolves once its summary is in the archive. */
async function endedCall(agentId, label, { monitoredBy } = {}) {
  const token = mint.agent(agentId, TEAM);
  const callId = await createCall(wrangler, token, label);
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, token).opened).heartbeat(1000);
  await agent.next('matrix');
  const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(id(`c-${label}`), TEAM, { call: callId })).opened).heartbeat(1000);
  await customer.next('status');
  const clients = [agent, customer];
  if (monitoredBy) {
    const supervisor = (await wrangler.ws(`/api/calls/${callId}/ws`, sup(monitoredBy)).opened).heartbeat(1000);
    await supervisor.next('welcome');
    const mode = await supervisor.request({ type: 'set_mode', mode: 'monitor' });
    assert.equal(mode.type, 'ack', JSON.stringify(mode));
    await sleep(300);
    clients.push(supervisor);
  }
  const ack = await agent.request({ type: 'end_call' });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  for (const c of clients) { await c.next('call_ended'); c.stopHeartbeat(); c.close(); }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await json('GET', `/api/calls/${callId}/review`, sup(S1));
    if (got.status === 200) return callId;
    assert.ok(Date.now() < deadline, `the summary of ${label} never reached the archive: ${got.status}`);
    await sleep(200);
  }
}

/** A weighted form: an auto-fail disclosure gate (0-1, weight 0), greeting (1-5, weight 1), accuracy
 * (1-5, weight 3, N/A allowed), empathy (0-10, weight 2). */
const WEIGHTED = {
  title: 'Collections QA',
  sections: [
    { title: 'Compliance', criteria: [{ key: 'disclosure', label: 'Read the mandatory disclosure', weight: 0, scale: { min: 0, max: 1 }, auto_fail: true }] },
    { title: 'Conversation', criteria: [
      { key: 'greeting', label: 'Greeting' },
      { key: 'accuracy', label: 'Accuracy', weight: 3, na_allowed: true },
      { key: 'empathy', label: 'Empathy', weight: 2, scale: { min: 0, max: 10 }, na_allowed: true },
    ] },
  ],
};

const calls = {};
before(async () => {
  await wrangler.start();
  calls.x = await endedCall(A1, 'X');
  calls.y = await endedCall(A1, 'Y');
  calls.z = await endedCall(A2, 'Z');
  calls.w = await endedCall(A2, 'W', { monitoredBy: S1 }); // never reviewed
});
after(async () => { await wrangler.stop(); });

describe('scorecards', () => {
  test('a team that saved none has the default form, version 1: the four original criteria', async () => {
    const got = await json('GET', '/api/reports/scorecard', sup(S1));
    assert.equal(got.status, 200, JSON.stringify(got.data));
    assert.equal(got.data.version, 1);
    assert.equal(got.data.created_by, null);
    const keys = got.data.form.sections.flatMap((s) => s.criteria.map((c) => [c.key, c.weight, c.scale.min, c.scale.max]));
    assert.deepEqual(keys, [['greeting', 1, 1, 5], ['empathy', 1, 1, 5], ['accuracy', 1, 1, 5], ['compliance', 1, 1, 5]]);
  });

  test('a bad form is refused with every problem named, and nothing is saved', async () => {
    const bad = { title: ' ', sections: [
      { title: 'A', criteria: [{ key: 'Bad Key', label: 'x' }, { key: 'dup', label: 'One', weight: 101 }, { key: 'dup', label: 'Two', scale: { min: 4, max: 2 } }] },
      { title: 'Empty', criteria: [] }] };
    const got = await json('PUT', '/api/reports/scorecard', sup(S1), bad);
    assert.equal(got.status, 400);
    assert.equal(got.data.error, 'bad_request');
    assert.deepEqual(got.data.problems, [
      "the form's title is empty",
      'criterion key "Bad Key" in section 1 must be 1-32 of a-z, 0-9 and _',
      '"One" has weight 101; weights are 0-100',
      '"Two" has scale 4-2; a scale runs from a lower to a higher whole number, at most 10',
      'criterion key "dup" is used twice',
      'section 2 has no criteria',
    ]);
    assert.match(got.data.message, /^6 problems: /);
    const notJson = await json('PUT', '/api/reports/scorecard', sup(S1), { title: 'x', sections: 'none' });
    assert.equal(notJson.status, 400);
    assert.equal((await json('GET', '/api/reports/scorecard', sup(S1))).data.version, 1, 'nothing saved');
  });

  test('saving a form adds version 2; the same form again adds nothing; old versions stay readable', async () => {
    const saved = await json('PUT', '/api/reports/scorecard', sup(S1), WEIGHTED);
    assert.equal(saved.status, 201, JSON.stringify(saved.data));
    assert.deepEqual([saved.data.version, saved.data.created_by, saved.data.created_by_name], [2, S1, `Sup ${S1}`]);
    const again = await json('PUT', '/api/reports/scorecard', sup(S2), WEIGHTED);
    assert.deepEqual([again.status, again.data.version], [200, 2]);
    const list = await json('GET', '/api/reports/scorecard/versions', sup(S2));
    assert.deepEqual(list.data.versions.map((v) => [v.version, v.criteria]), [[2, 4], [1, 4]]);
    const v1 = await json('GET', '/api/reports/scorecard?version=1', sup(S2));
    assert.equal(v1.data.form.sections[0].criteria[0].key, 'greeting');
    assert.equal((await json('GET', '/api/reports/scorecard?version=9', sup(S2))).status, 404);
    assert.equal((await json('GET', '/api/reports/scorecard?version=x', sup(S2))).status, 400);
    const other = await json('GET', '/api/reports/scorecard', sup(id('o'), OTHER));
    assert.equal(other.data.version, 1, "another team's scorecard is its own");
  });
});

describe('reviews on a scorecard', () => {
  test('weighted totals with N/A and auto-fail; an old form version still scores', async () => {
    // greeting 4 → 3/4 of 1; accuracy N/A; empathy 6 → 6/10 of 2: (0.75 + 1.2) / 3 = 65 %
    const x = await json('PUT', `/api/calls/${calls.x}/review`, sup(S1),
      { scores: { disclosure: 1, greeting: 4, accuracy: 'na', empathy: 6 }, notes: { accuracy: 'no facts given' }, comment: 'fine', resolved: true });
    assert.equal(x.status, 200, JSON.stringify(x.data));
    assert.deepEqual([x.data.total, x.data.form_version, x.data.version, x.data.auto_failed], [65, 2, 1, []]);
    assert.deepEqual(x.data.notes, { accuracy: 'no facts given' });
    const y = await json('PUT', `/api/calls/${calls.y}/review`, sup(S1),
      { scores: { disclosure: 0, greeting: 5, accuracy: 5, empathy: 10 }, resolved: false });
    assert.deepEqual([y.data.total, y.data.auto_failed], [0, ['disclosure']], 'a failed auto-fail item zeroes the total');
    const z = await json('PUT', `/api/calls/${calls.z}/review`, sup(S1),
      { form_version: 1, scores: { greeting: 4, empathy: 5, accuracy: 3, compliance: 4 }, resolved: true });
    assert.deepEqual([z.status, z.data.total, z.data.form_version], [200, 75, 1]);
    const review = await json('GET', `/api/calls/${calls.z}/review`, sup(S2));
    assert.equal(review.data.forms['1'].sections[0].criteria[0].key, 'greeting', 'the review carries the form it was scored on');
    assert.equal(review.data.scorecard.version, 2, 'and the current form to score on');
  });

  test('a bad review names every problem and stores nothing', async () => {
    const bad = await json('PUT', `/api/calls/${calls.x}/review`, sup(S2),
      { scores: { greeting: 'na', accuracy: 7, speed: 1 }, comment: 'x'.repeat(2001) });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.data.problems, [
      '"Read the mandatory disclosure" is not scored',
      '"Greeting" cannot be N/A: score it 1-5',
      '"Accuracy" must be scored 1-5, not 7',
      '"Empathy" is not scored',
      '"speed" is not a criterion of this form',
      'resolved (on first contact: true or false) is not answered',
      'the comment is 2001 characters; at most 2000',
    ]);
    const gone = await json('PUT', `/api/calls/${calls.x}/review`, sup(S2), { form_version: 7, scores: {}, resolved: true });
    assert.deepEqual(gone.data.problems, ['scorecard version 7 does not exist for this team']);
    const history = await json('GET', `/api/calls/${calls.x}/review/history`, sup(S2));
    assert.equal(history.data.versions.length, 1, 'only the one good save');
  });

  test('every save is a new version saying what changed; two reviewers calibrate side by side', async () => {
    const second = await json('PUT', `/api/calls/${calls.x}/review`, sup(S1),
      { scores: { disclosure: 1, greeting: 5, accuracy: 'na', empathy: 6 }, notes: { accuracy: 'no facts given' }, comment: 'fine', resolved: true });
    assert.deepEqual([second.data.version, second.data.changes], [2, ['Greeting: 4 → 5']]);
    // (1 + 1.2) / 3 = 73.3 %
    assert.equal(second.data.total, 73.3);
    const s2 = await json('PUT', `/api/calls/${calls.x}/review`, sup(S2),
      { scores: { disclosure: 1, greeting: 2, accuracy: 4, empathy: 9 }, comment: 'harsh on greeting', resolved: false });
    assert.deepEqual([s2.status, s2.data.version, s2.data.changes], [200, 1, []]);
    const history = await json('GET', `/api/calls/${calls.x}/review/history`, sup(S1));
    assert.deepEqual(history.data.versions.map((v) => [v.reviewer_id, v.version]), [[S1, 1], [S1, 2], [S2, 1]]);
    const review = await json('GET', `/api/calls/${calls.x}/review`, sup(S1));
    assert.deepEqual(review.data.reviews.map((r) => [r.reviewer_id, r.version]), [[S1, 2], [S2, 1]], 'each reviewer\'s latest');
    assert.equal(review.data.qa.reviewer_id, S2, 'qa is the call\'s latest save');
    const cal = await json('GET', `/api/calls/${calls.x}/review/calibration`, sup(S1));
    // s2: (0.25 + 2.25 + 1.8) / 6 = 71.7 %
    assert.deepEqual(cal.data.reviewers.map((r) => [r.id, r.total]), [[S1, 73.3], [S2, 71.7]]);
    const row = (key) => cal.data.criteria.find((c) => c.key === key);
    assert.deepEqual([row('greeting').scores, row('greeting').spread, row('greeting').mean], [[5, 2], 3, 3.5]);
    assert.deepEqual([row('accuracy').scores, row('accuracy').spread], [['na', 4], 0]);
    assert.equal(cal.data.total_spread, 1.6);
  });
});

describe('timeline comments', () => {
  test('a reviewer pins notes at a moment and over a span; the review lists them in timeline order', async () => {
    const { call } = (await json('GET', `/api/calls/${calls.y}/review`, sup(S1))).data;
    const path = `/api/calls/${calls.y}/review/comments`;
    const span = await json('POST', path, sup(S2), { at: call.started_at + 10, until: call.ended_at, text: ' hold too long ' });
    assert.equal(span.status, 201, JSON.stringify(span.data));
    assert.deepEqual([span.data.text, span.data.author_id, span.data.until], ['hold too long', S2, call.ended_at]);
    const moment = await json('POST', path, sup(S1), { at: call.started_at, text: 'no greeting' });
    assert.equal(moment.status, 201);
    const bad = await json('POST', path, sup(S1), { at: call.ended_at + 1, until: call.started_at, text: '' });
    assert.deepEqual([bad.status, bad.data.problems], [400,
      ['the note is empty', "the note's moment is outside the call", "the note's span must end after it starts"]]);
    const review = await json('GET', `/api/calls/${calls.y}/review`, sup(S2));
    assert.deepEqual(review.data.comments.map((c) => [c.author_id, c.at - call.started_at, c.text]),
      [[S1, 0, 'no greeting'], [S2, 10, 'hold too long']]);
    const agent = await json('POST', path, mint.agent(A1, TEAM), { at: call.started_at, text: 'mine' });
    assert.equal(agent.status, 403, 'agents do not pin notes');
    const outsider = await json('POST', path, sup(id('o'), OTHER), { at: call.started_at, text: 'x' });
    assert.equal(outsider.status, 404);
  });
});

describe("the agent's side", () => {
  test('an agent sees the reviews of their own calls only', async () => {
    const a1 = await json('GET', '/api/reports/my-reviews', mint.agent(A1, TEAM));
    assert.equal(a1.status, 200, JSON.stringify(a1.data));
    assert.deepEqual(a1.data.calls.map((c) => c.call_id).sort(), [calls.x, calls.y].sort());
    const x = a1.data.calls.find((c) => c.call_id === calls.x);
    assert.deepEqual(x.reviews.map((r) => r.reviewer_id), [S1, S2]);
    assert.ok(x.forms['2'], 'with the form they were scored on');
    const a2 = await json('GET', '/api/reports/my-reviews', mint.agent(A2, TEAM));
    assert.deepEqual(a2.data.calls.map((c) => c.call_id), [calls.z]);
    const stranger = await json('GET', '/api/reports/my-reviews', mint.agent(A1, OTHER));
    assert.deepEqual(stranger.data.calls, [], 'the same id in another team sees nothing');
  });

  test('the agent acknowledges one review and disputes another; the supervisor sees both', async () => {
    const agent = mint.agent(A1, TEAM);
    const path = `/api/calls/${calls.x}/review/response`;
    const ack = await json('POST', path, agent, { reviewer_id: S1, kind: 'acknowledged' });
    assert.equal(ack.status, 201, JSON.stringify(ack.data));
    assert.deepEqual([ack.data.kind, ack.data.review_version], ['acknowledged', 2]);
    const bare = await json('POST', path, agent, { reviewer_id: S2, kind: 'disputed', comment: '  ' });
    assert.deepEqual([bare.status, bare.data.problems], [400, ['a dispute needs a comment saying what is wrong']]);
    const nobody = await json('POST', path, agent, { reviewer_id: 'nobody', kind: 'disputed' });
    assert.equal(nobody.data.problems.length, 2, JSON.stringify(nobody.data));
    const dispute = await json('POST', path, agent, { reviewer_id: S2, kind: 'disputed', comment: 'I did greet by name' });
    assert.equal(dispute.status, 201);
    const review = await json('GET', `/api/calls/${calls.x}/review`, sup(S1));
    assert.deepEqual(review.data.responses.map((r) => [r.reviewer_id, r.kind, r.comment]),
      [[S1, 'acknowledged', ''], [S2, 'disputed', 'I did greet by name']]);
  });

  test('role limits: agents only their own calls, customers nothing, other teams nothing', async () => {
    const other = await json('POST', `/api/calls/${calls.x}/review/response`, mint.agent(A2, TEAM), { reviewer_id: S1, kind: 'acknowledged' });
    assert.equal(other.status, 404, "another agent's call is as good as none");
    const customer = mint.customer(id('cust'), TEAM, { call: calls.x });
    for (const [method, path, body] of [
      ['GET', '/api/reports/my-reviews'], ['GET', `/api/calls/${calls.x}/review`],
      ['POST', `/api/calls/${calls.x}/review/response`, { reviewer_id: S1, kind: 'acknowledged' }],
      ['GET', `/api/calls/${calls.x}/review/calibration`], ['GET', '/api/reports/scorecard'],
      ['PUT', '/api/reports/scorecard', WEIGHTED]]) {
      assert.equal((await json(method, path, customer, body)).status, 403, `customer ${method} ${path}`);
    }
    const agent = mint.agent(A1, TEAM);
    for (const [method, path, body] of [['GET', `/api/calls/${calls.x}/review`], ['GET', `/api/calls/${calls.x}/review/history`],
      ['GET', `/api/calls/${calls.x}/review/calibration`], ['PUT', '/api/reports/scorecard', WEIGHTED], ['GET', '/api/reports/my-reviews?x']]) {
      const got = await json(method, path, agent, body);
      assert.equal(got.status, path.includes('my-reviews') ? 200 : 403, `agent ${method} ${path}`);
    }
    const outsider = sup(id('o'), OTHER);
    for (const path of ['review', 'review/history', 'review/calibration']) {
      assert.equal((await json('GET', `/api/calls/${calls.x}/${path}`, outsider)).status, 404, `other team ${path}`);
    }
  });
});

describe('finding calls and the quality report', () => {
  const list = async (query) => {
    const got = await json('GET', `/api/reports/calls?${query}`, sup(S2));
    assert.equal(got.status, 200, `${query}: ${JSON.stringify(got.data)}`);
    return got.data.calls.map((c) => c.call_id);
  };

  test('filters: agent, supervisor, outcome, reviewed, modes, help, flags; every bad one named', async () => {
    assert.deepEqual(await list(`agent=${A2}`), [calls.w, calls.z]);
    assert.deepEqual(await list('reviewed=no'), [calls.w]);
    assert.deepEqual(await list('reviewed=yes'), [calls.z, calls.y, calls.x]);
    assert.deepEqual(await list(`supervisor=${S1}`), [calls.w], 'the supervisor who held a span, not the reviewer');
    assert.deepEqual(await list('mode=monitor'), [calls.w]);
    assert.deepEqual(await list('mode=barge'), []);
    assert.deepEqual(await list('resolved=no'), [calls.y, calls.x], "x's latest save (s2) says not resolved");
    assert.deepEqual(await list(`resolved=yes&agent=${A2}`), [calls.z]);
    assert.deepEqual(await list('help=yes'), []);
    assert.deepEqual(await list('help=no&reviewed=no'), [calls.w]);
    assert.deepEqual(await list('flag=customer_loud'), []);
    const bad = await json('GET', '/api/reports/calls?mode=shout&reviewed=maybe&agent=a%20b', sup(S2));
    assert.deepEqual([bad.status, bad.data.problems], [400,
      ['agent must be an id (letters, digits, - _ .)', 'mode must be one of monitor, whisper, barge, takeover', 'reviewed must be yes or no']]);
  });

  test('a random sample draws up to N unreviewed calls per agent', async () => {
    const sample = await json('GET', '/api/reports/calls/sample?n=2', sup(S2));
    assert.equal(sample.status, 200, JSON.stringify(sample.data));
    assert.deepEqual(sample.data.calls.map((c) => [c.agent_id, c.call_id]), [[A2, calls.w]], 'a1 has no unreviewed call');
    assert.equal((await json('GET', '/api/reports/calls/sample?n=21', sup(S2))).status, 400);
    assert.equal((await json('GET', '/api/reports/calls/sample', mint.agent(A1, TEAM))).status, 403);
  });

  test('the quality report: averages, distributions, criteria and weeks of the known scores; CSV the same', async () => {
    const q = await json('GET', '/api/reports/quality', sup(S2));
    assert.equal(q.status, 200, JSON.stringify(q.data));
    // x: s1 73.3, s2 71.7; y: s1 0 (auto-fail); z: s1 75 (default form)
    assert.equal(q.data.reviews, 4);
    const line = (lines, id) => lines.find((l) => l.id === id);
    assert.deepEqual(line(q.data.by_agent, A1), { id: A1, name: `Agent ${A1}`, reviews: 3, average: 48.3, distribution: [1, 0, 2, 0, 0] });
    assert.deepEqual([line(q.data.by_agent, A2).average, line(q.data.by_agent, A2).distribution], [75, [0, 0, 1, 0, 0]]);
    assert.deepEqual(q.data.by_reviewer.map((l) => [l.id, l.reviews, l.average]), [[S1, 3, 49.4], [S2, 1, 71.7]]);
    // greeting on its scale: 5, 2, 5, 4 of 1-5 → 100, 25, 100, 75
    assert.deepEqual([line(q.data.by_criterion, 'greeting').reviews, line(q.data.by_criterion, 'greeting').average], [4, 75]);
    assert.equal(q.data.by_week.reduce((n, w) => n + w.reviews, 0), 4);
    assert.match(q.data.by_week[0].name, /^\d{4}-\d{2}-\d{2}$/);
    const csv = await http('GET', '/api/reports/quality?format=csv', sup(S2));
    const text = await csv.text();
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    const lines = text.trim().split('\n');
    const jsonLines = q.data.by_agent.length + q.data.by_reviewer.length + q.data.by_criterion.length + q.data.by_week.length;
    assert.equal(lines.length, 1 + jsonLines, 'every JSON line is a CSV line');
    assert.ok(lines.includes(`agent,"${A1}","Agent ${A1}",3,48.3,1,0,2,0,0`), text);
    assert.equal((await json('GET', '/api/reports/quality', mint.agent(A1, TEAM))).status, 403);
    assert.equal((await json('GET', '/api/reports/quality', sup(id('o'), OTHER))).data.reviews, 0);
  });

  test('every report row links to the calls behind it', async () => {
    for (const by of ['agent', 'supervisor']) {
      const report = await json('GET', `/api/reports?by=${by}`, sup(S2));
      assert.equal(report.status, 200);
      for (const row of report.data.rows) {
        const behind = await json('GET', row.calls_path, sup(S2));
        assert.equal(behind.status, 200, row.calls_path);
        assert.equal(behind.data.calls.length, row.calls, `${by} ${row.id}: ${row.calls_path}`);
      }
    }
  });
});
