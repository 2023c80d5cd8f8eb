// Supervisor-effectiveness reports against a real `wrangler dev` (edge and archive workers): four
// scripted calls on a fresh team reach D1 when they end; reviews are PUT on three of them; then the
// reports (by supervisor, by agent, JSON and CSV), the ended-calls list, date windows, another team,
// other roles and bad queries are checked against docs/PROTOCOL.md ("Post-call review and reports").
// Durations and answer times are measured around each step here and asserted as ranges.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Wrangler, Minter, createCall, setTeamSettings, sleep } from './harness.mjs';

const wrangler = new Wrangler();
const mint = new Minter();
const TEAM = `rep-${process.pid}`;
const OTHER = `rep-other-${process.pid}`;
const id = (p) => `${p}-${process.pid}`;

// The people of the scripted team (token names come from the Minter: "Sup …", "Agent …").
const S1 = id('s1');
const S2 = id('s2');
const A1 = id('a1');
const A2 = id('a2');
const LEAD = id('lead'); // reviews calls, never joins one: must not appear in any row
const sup = (sub) => mint.supervisor(sub, TEAM);
const agentToken = (sub) => mint.agent(sub, TEAM);

/** The server stamps its times somewhere inside our measured windows; this covers its clock and rounding. */
const SLACK_S = 0.25;
const PAUSE_MS = 900; // how long each scripted step lasts

/** `action()`, with the wall-clock window it ran in: the server's timestamp for it lies inside. */
async function timed(action) {
  const before = Date.now();
  const result = await action();
  return { before, after: Date.now(), result };
}

/** The duration (s) between two timed steps, as a range: [shortest, longest] the server can have seen. */
function between(start, end) {
  return [(end.before - start.after) / 1000 - SLACK_S, (end.after - start.before) / 1000 + SLACK_S];
}
const sum = (...ranges) => [ranges.reduce((s, r) => s + r[0], 0), ranges.reduce((s, r) => s + r[1], 0)];
const mean = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

function inRange(value, [lo, hi], what) {
  assert.equal(typeof value, 'number', `${what}: ${value}`);
  assert.ok(value >= lo && value <= hi, `${what}: ${value} not in [${lo.toFixed(2)}, ${hi.toFixed(2)}]`);
}

const http = (method, path, token, body) => wrangler.http(method, path, token,
  body === undefined ? undefined : JSON.stringify(body), { 'Content-Type': 'application/json' });
async function json(method, path, token, body) {
  const res = await http(method, path, token, body);
  const text = await res.text();
  let data;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, data, headers: res.headers };
}

/** A live call of TEAM: the agent and the customer connected and pinging. */
async function liveCall(agentId, label) {
  const token = agentToken(agentId);
  const created = await timed(() => createCall(wrangler, token, label));
  const callId = created.result;
  const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, token).opened).heartbeat(1000);
  await agent.next('matrix');
  const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(id(`c-${label}`), TEAM, { call: callId })).opened).heartbeat(1000);
  await customer.next('status');
  return { callId, agent, customer, created, label };
}

/** A supervisor's socket in the call (present, not listening). */
async function joinCall(callId, sub) {
  const client = (await wrangler.ws(`/api/calls/${callId}/ws`, sup(sub)).opened).heartbeat(1000);
  await client.next('welcome');
  return client;
}

/** A request that must be acknowledged, timed. */
async function step(client, frame) {
  const t = await timed(() => client.request(frame));
  assert.equal(t.result.type, 'ack', `${JSON.stringify(frame)}: ${JSON.stringify(t.result)}`);
  return t;
}

/**
 * Ends the call from `who` (agent or customer) and waits until everyone was told. Each socket gets
 * `call_ended` and the server's close frame at once, but under local workerd only the sender's TCP
 * connection goes promptly, so a client's `close` event can lag by seconds: the test hangs up itself.
 */
async function endCall(call, who, ...others) {
  const t = await step(who, { type: 'end_call' });
  for (const c of [call.agent, call.customer, ...others]) {
    await c.next('call_ended');
    c.stopHeartbeat?.();
    c.close();
  }
  return t;
}

const REVIEW = (resolved) => ({
  scores: { greeting: 4, empathy: 5, accuracy: 3, compliance: 4 }, comment: 'scripted review', resolved,
});

/** Everything the scripted calls did, with the measured windows. */
const run = {};

before(async () => { await wrangler.start(); });
after(async () => { await wrangler.stop(); });

describe('reports', () => {
  before(async () => {
    run.start = Date.now();
    // Call A (agent a1): the hand goes up before anyone is there; s1 joins, monitors (answering it),
    // whispers, then barges in the call's first seconds (an early barge, confirmed past the guard);
    // the agent hangs up.
    const a = await liveCall(A1, 'A');
    const handA = await step(a.agent, { type: 'raise_hand', raised: true });
    await sleep(PAUSE_MS);
    const s1a = await joinCall(a.callId, S1);
    await sleep(300); // present, not listening: no span, answers nothing
    const monA = await step(s1a, { type: 'set_mode', mode: 'monitor' });
    await sleep(PAUSE_MS);
    const whA = await step(s1a, { type: 'set_mode', mode: 'whisper' });
    await sleep(PAUSE_MS);
    const guarded = await s1a.request({ type: 'set_mode', mode: 'barge' });
    assert.equal(guarded.code, 'confirm_required', 'the team keeps the default early-barge guard');
    const bargeA = await step(s1a, { type: 'set_mode', mode: 'barge', confirm: true });
    await sleep(PAUSE_MS);
    run.liveReview = await json('GET', `/api/calls/${a.callId}/review`, sup(S1));
    const endA = await endCall(a, a.agent, s1a);
    run.A = { ...a, handA, monA, whA, bargeA, endA };

    // Call B (agent a1 again): s1 monitors throughout; the hand goes up; s2 joins and takes over
    // (answering it: the first to enter a listening mode after it went up); the customer hangs up.
    const b = await liveCall(A1, 'B');
    const s1b = await joinCall(b.callId, S1);
    const monB = await step(s1b, { type: 'set_mode', mode: 'monitor' });
    await sleep(PAUSE_MS / 2);
    const handB = await step(b.agent, { type: 'raise_hand', raised: true });
    await sleep(PAUSE_MS);
    const s2b = await joinCall(b.callId, S2);
    const takeB = await step(s2b, { type: 'set_mode', mode: 'takeover', confirm: true });
    await sleep(PAUSE_MS);
    const endB = await endCall(b, b.customer, s1b, s2b);
    run.B = { ...b, monB, handB, takeB, endB };

    // Call C (agent a2): nobody comes; the hand stays up unanswered; the agent hangs up.
    const c = await liveCall(A2, 'C');
    await step(c.agent, { type: 'raise_hand', raised: true });
    await sleep(PAUSE_MS / 2);
    const endC = await endCall(c, c.agent);
    run.C = { ...c, endC };

    // Call D (agent a2): s1 whispers briefly and leaves well before the end. Never reviewed.
    const d = await liveCall(A2, 'D');
    const s1d = await joinCall(d.callId, S1);
    const whD = await step(s1d, { type: 'set_mode', mode: 'whisper' });
    await sleep(PAUSE_MS);
    const leaveD = await timed(() => s1d.request({ type: 'leave' }).catch(() => null));
    await s1d.closedWithin(5000);
    await sleep(PAUSE_MS);
    const endD = await endCall(d, d.agent);
    run.D = { ...d, whD, leaveD, endD };
    run.end = Date.now();

    // Summaries reach D1 when a call ends, possibly a moment later: wait for all four, bounded. What
    // is still missing after that is the first test's failure (the others go on, to say what else holds).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const listed = await json('GET', '/api/reports/calls', sup(LEAD));
      assert.equal(listed.status, 200, JSON.stringify(listed.data));
      run.missing = [a, b, c, d].filter((x) => !listed.data.calls.some((line) => line.call_id === x.callId)).map((x) => x.label);
      if (!run.missing.length || Date.now() > deadline) break;
      await sleep(200);
    }

    // Reviews: A resolved, B first marked resolved then corrected (a later PUT replaces it), C
    // resolved; D never reviewed.
    run.reviews = {};
    for (const [call, resolved] of [[a, true], [b, true], [b, false], [c, true]]) {
      const put = await json('PUT', `/api/calls/${call.callId}/review`, sup(LEAD), REVIEW(resolved));
      run.reviews[call.label] = put;
    }
  });

  test('every ended call reaches the archive within 10 s, and takes its review', () => {
    const what = { A: 'supervised, hand answered', B: 'taken over, hand answered', C: 'unsupervised, hand never answered', D: 'a whisper, no hand' };
    assert.deepEqual(run.missing.map((l) => `${l} (${what[l]})`), [], 'calls not listed 10 s after they ended');
    for (const [label, put] of Object.entries(run.reviews)) assert.equal(put.status, 200, `review of ${label}: ${JSON.stringify(put.data)}`);
  });

  /** The expected figures, from the measured windows. */
  function expected() {
    const { A, B, D } = run;
    const secs = {
      s1Monitor: sum(between(A.monA, A.whA), between(B.monB, B.endB)),
      s1Whisper: sum(between(A.whA, A.bargeA), between(D.whD, D.leaveD)),
      s1Barge: between(A.bargeA, A.endA),
      s2Takeover: between(B.takeB, B.endB),
      a2Whisper: between(D.whD, D.leaveD),
    };
    const waitA = between(A.handA, A.monA);
    const waitB = between(B.handB, B.takeB);
    return { secs, waitA, waitB };
  }

  /** Asserts a row's counts exactly (seconds and medians are checked separately, as ranges). */
  function counts(row, want, what) {
    assert.ok(row, `${what}: no row`);
    assert.deepEqual(
      { calls: row.calls, entries: row.entries, help: { requests: row.help.requests, answered: row.help.answered }, resolved: row.resolved, early_barges: row.early_barges },
      want, what);
  }
  const modes = (monitor, whisper, barge, takeover) => ({ monitor, whisper, barge, takeover });
  const share = (wr, wd, or, od) => ({ with_intervention: { reviewed: wr, resolved: wd }, without_intervention: { reviewed: or, resolved: od } });
  const TEAM_COUNTS = { calls: 4, entries: modes(2, 2, 1, 1), help: { requests: 3, answered: 2 }, resolved: share(2, 1, 1, 1), early_barges: 2 };

  test('a live call has no review yet', () => {
    assert.equal(run.liveReview.status, 404, JSON.stringify(run.liveReview.data));
  });

  test('by supervisor: spans, seconds, answered help, outcomes and early barges per supervisor', async () => {
    const { status, data } = await json('GET', `/api/reports?by=supervisor&from=${run.start - 1000}&to=${run.end + 1000}`, sup(LEAD));
    assert.equal(status, 200, JSON.stringify(data));
    assert.deepEqual({ team: data.team, from: data.from, to: data.to, by: data.by, calls: data.calls },
      { team: TEAM, from: run.start - 1000, to: run.end + 1000, by: 'supervisor', calls: 4 });
    assert.deepEqual(data.rows.map((r) => r.id).sort(), [S1, S2].sort(), 'one row per supervisor who held a span; the reviewer is none');
    const s1 = data.rows.find((r) => r.id === S1);
    const s2 = data.rows.find((r) => r.id === S2);
    assert.equal(s1.name, `Sup ${S1}`);
    // s1: A (monitor, whisper, early barge), B (monitor only), D (whisper); answered A's hand.
    // Reviewed: A resolved with s1 intervening; B not resolved, s1 only monitored; D unreviewed.
    counts(s1, { calls: 3, entries: modes(2, 2, 1, 0), help: { requests: 1, answered: 1 }, resolved: share(1, 1, 1, 0), early_barges: 1 }, 's1');
    // s2: B (an early takeover), answering B's hand; B reviewed not resolved.
    counts(s2, { calls: 1, entries: modes(0, 0, 0, 1), help: { requests: 1, answered: 1 }, resolved: share(1, 0, 0, 0), early_barges: 1 }, 's2');
    counts(data.totals, TEAM_COUNTS, 'team totals');
    assert.deepEqual([data.totals.id, data.totals.name], ['team', 'whole team']);

    const { secs, waitA, waitB } = expected();
    inRange(s1.seconds.monitor, secs.s1Monitor, 's1 monitor s');
    inRange(s1.seconds.whisper, secs.s1Whisper, 's1 whisper s (D ends at the leave, not the call end)');
    inRange(s1.seconds.barge, secs.s1Barge, 's1 barge s');
    assert.equal(s1.seconds.takeover, 0);
    inRange(s2.seconds.takeover, secs.s2Takeover, 's2 takeover s');
    assert.deepEqual([s2.seconds.monitor, s2.seconds.whisper, s2.seconds.barge], [0, 0, 0]);
    inRange(s1.help.median_answer_s, waitA, 's1 median answer s');
    inRange(s2.help.median_answer_s, waitB, 's2 median answer s');
    inRange(data.totals.help.median_answer_s, mean(waitA, waitB), 'team median answer s (mean of the middle two)');
    inRange(data.totals.seconds.monitor, secs.s1Monitor, 'team monitor s');
    inRange(data.totals.seconds.takeover, secs.s2Takeover, 'team takeover s');
    run.figures = { s1, s2, totals: data.totals };
  });

  test('by agent: what happened on each agent\'s calls', async () => {
    const { status, data } = await json('GET', '/api/reports?by=agent', sup(S2));
    assert.equal(status, 200, JSON.stringify(data));
    assert.equal(data.by, 'agent');
    assert.equal(data.calls, 4);
    assert.deepEqual(data.rows.map((r) => r.id).sort(), [A1, A2].sort());
    const a1 = data.rows.find((r) => r.id === A1);
    const a2 = data.rows.find((r) => r.id === A2);
    assert.equal(a1.name, `Agent ${A1}`);
    // a1: A and B, both with intervention, A resolved, B not; two hands, both answered.
    counts(a1, { calls: 2, entries: modes(2, 1, 1, 1), help: { requests: 2, answered: 2 }, resolved: share(2, 1, 0, 0), early_barges: 2 }, 'a1');
    // a2: C (nobody came, resolved) and D (a whisper, unreviewed: in neither share); C's hand unanswered.
    counts(a2, { calls: 2, entries: modes(0, 1, 0, 0), help: { requests: 1, answered: 0 }, resolved: share(0, 0, 1, 1), early_barges: 0 }, 'a2');
    assert.equal(a2.help.median_answer_s, null, 'no answered requests');
    counts(data.totals, TEAM_COUNTS, 'team totals');
    const { secs, waitA, waitB } = expected();
    inRange(a1.help.median_answer_s, mean(waitA, waitB), 'a1 median answer s');
    inRange(a2.seconds.whisper, secs.a2Whisper, 'a2 whisper s');
    inRange(a1.seconds.takeover, secs.s2Takeover, 'a1 takeover s');
    assert.deepEqual(a2.seconds, { monitor: 0, whisper: a2.seconds.whisper, barge: 0, takeover: 0 });
  });

  test('CSV: the documented header, one line per row, the totals last; the same columns as the JSON, calls_path too', async () => {
    const HEADER = 'id,name,calls,monitor,whisper,barge,takeover,monitor_s,whisper_s,barge_s,takeover_s,help_requests,help_answered,median_answer_s,reviewed_with,resolved_with,reviewed_without,resolved_without,early_barges,paused_s,calls_path';
    const window = `from=0&to=${Date.now() + 60_000}`; // one window for both: the default "to" is each request's now
    for (const by of ['supervisor', 'agent']) {
      const report = (await json('GET', `/api/reports?by=${by}&format=json&${window}`, sup(LEAD))).data;
      const res = await http('GET', `/api/reports?by=${by}&format=csv&${window}`, sup(LEAD));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/csv/);
      const lines = (await res.text()).split(/\r?\n/).filter(Boolean);
      assert.equal(lines[0], HEADER);
      assert.equal(lines.length, 1 + report.rows.length + 1, `${by}: header, ${report.rows.length} rows, totals`);
      const rows = [...report.rows, report.totals];
      for (const [i, line] of lines.slice(1).entries()) {
        const r = rows[i];
        const want = [r.id, r.name, r.calls, ...Object.values(modes(r.entries.monitor, r.entries.whisper, r.entries.barge, r.entries.takeover)),
          r.seconds.monitor, r.seconds.whisper, r.seconds.barge, r.seconds.takeover, r.help.requests, r.help.answered,
          r.help.median_answer_s ?? '', r.resolved.with_intervention.reviewed, r.resolved.with_intervention.resolved,
          r.resolved.without_intervention.reviewed, r.resolved.without_intervention.resolved, r.early_barges, r.paused_s, r.calls_path];
        const got = line.split(',');
        assert.equal(got.length, 21, line);
        assert.deepEqual(got.map((v, k) => (k < 2 || k === 20 || v === '' ? v : Number(v))), want, `${by} line ${i + 1}: ${line}`);
      }
      assert.match(report.totals.calls_path, /^\/api\/reports\/calls\?from=\d+&to=\d+$/, "the totals' link is the whole window");
      assert.ok(!('interventions' in report.totals), 'mode entries are called entries: monitor is no intervention');
      assert.ok(lines.at(-1).startsWith('team,whole team,4,'), lines.at(-1));
    }
  });

  test('the ended-calls list: every scripted call with the documented fields, newest first', async () => {
    const { status, data } = await json('GET', `/api/reports/calls?from=${run.start - 1000}&to=${run.end + 1000}`, sup(LEAD));
    assert.equal(status, 200);
    assert.deepEqual([data.team, data.from, data.to], [TEAM, run.start - 1000, run.end + 1000]);
    const FIELDS = ['agent_id', 'agent_name', 'call_id', 'customer_label', 'ended_at', 'ended_reason', 'help_requests', 'modes', 'resolved', 'reviewed', 'started_at', 'supervisors', 'takes'];
    const { A, B, C, D } = run;
    assert.deepEqual(data.calls.map((c) => c.call_id), [D, C, B, A].map((c) => c.callId), 'newest first');
    const want = {
      A: { agent_id: A1, agent_name: `Agent ${A1}`, customer_label: 'A', ended_reason: 'ended by the agent', modes: ['monitor', 'whisper', 'barge'], supervisors: [`Sup ${S1}`], help_requests: 1, takes: 0, reviewed: true, resolved: true },
      B: { agent_id: A1, agent_name: `Agent ${A1}`, customer_label: 'B', ended_reason: 'ended by the customer', modes: ['monitor', 'takeover'], supervisors: [`Sup ${S1}`, `Sup ${S2}`], help_requests: 1, takes: 0, reviewed: true, resolved: false },
      C: { agent_id: A2, agent_name: `Agent ${A2}`, customer_label: 'C', ended_reason: 'ended by the agent', modes: [], supervisors: [], help_requests: 1, takes: 0, reviewed: true, resolved: true },
      D: { agent_id: A2, agent_name: `Agent ${A2}`, customer_label: 'D', ended_reason: 'ended by the agent', modes: ['whisper'], supervisors: [`Sup ${S1}`], help_requests: 0, takes: 0, reviewed: false, resolved: null },
    };
    for (const call of [A, B, C, D]) {
      const line = data.calls.find((c) => c.call_id === call.callId);
      assert.deepEqual(Object.keys(line).sort(), FIELDS, `call ${call.label}: the documented fields`);
      const { call_id: _id, started_at: started, ended_at: ended, ...rest } = line;
      assert.deepEqual(rest, want[call.label], `call ${call.label}`);
      const end = call.endA ?? call.endB ?? call.endC ?? call.endD;
      assert.ok(started >= call.created.before - 250 && started <= call.created.after + 250, `call ${call.label} started_at`);
      assert.ok(ended >= end.before - 250 && ended <= end.after + 250, `call ${call.label} ended_at`);
    }
  });

  test('a review: QA as PUT, replaced by a later PUT; a bad form names what is wrong', async () => {
    const b = await json('GET', `/api/calls/${run.B.callId}/review`, sup(S1));
    assert.equal(b.status, 200);
    assert.equal(b.data.qa.resolved, false, 'the later PUT replaced the first');
    assert.deepEqual({ ...b.data.qa, reviewed_at: 0 }, { ...run.reviews.B.data, reviewed_at: 0 });
    assert.deepEqual([b.data.qa.reviewer_id, b.data.qa.reviewer_name], [LEAD, `Sup ${LEAD}`]);
    const spans = b.data.spans.map((s) => [s.supervisor_id, s.mode]);
    assert.deepEqual(spans, [[S1, 'monitor'], [S2, 'takeover']]);
    const bad = await json('PUT', `/api/calls/${run.B.callId}/review`, sup(LEAD), { scores: { greeting: 4, empathy: 6, accuracy: 3, compliance: 4 }, resolved: true });
    assert.equal(bad.status, 400);
    assert.match(bad.data.message, /"Empathy and tone" must be scored 1-5, not 6/);
    assert.deepEqual(bad.data.problems, ['"Empathy and tone" must be scored 1-5, not 6']);
    assert.equal((await json('GET', `/api/calls/${run.D.callId}/review`, sup(LEAD))).data.qa, null, 'D was never reviewed');
  });

  test('a window that excludes the calls gives zero rows', async () => {
    for (const [from, to] of [[0, run.start - 1000], [run.end + 60_000, run.end + 120_000]]) {
      for (const by of ['supervisor', 'agent']) {
        const { status, data } = await json('GET', `/api/reports?by=${by}&from=${from}&to=${to}`, sup(LEAD));
        assert.equal(status, 200);
        assert.deepEqual([data.calls, data.rows, data.totals.calls, data.totals.help.median_answer_s], [0, [], 0, null], `${by} ${from}-${to}`);
      }
      const listed = await json('GET', `/api/reports/calls?from=${from}&to=${to}`, sup(LEAD));
      assert.deepEqual(listed.data.calls, []);
      const csv = await (await http('GET', `/api/reports?from=${from}&to=${to}&format=csv`, sup(LEAD))).text();
      assert.deepEqual(csv.split(/\r?\n/).filter(Boolean).slice(1).map((l) => l.split(',').slice(0, 3).join(',')), ['team,whole team,0'], 'CSV: the totals only');
    }
  });

  test('another team\'s supervisor: no rows, no calls, and 404 for the review of these calls', async () => {
    const other = mint.supervisor(id('hal'), OTHER);
    const report = await json('GET', '/api/reports?by=supervisor', other);
    assert.equal(report.status, 200);
    assert.deepEqual([report.data.team, report.data.calls, report.data.rows], [OTHER, 0, []]);
    const byAgent = await json('GET', '/api/reports?by=agent', other);
    assert.deepEqual(byAgent.data.rows, []);
    const listed = await json('GET', '/api/reports/calls', other);
    assert.deepEqual([listed.status, listed.data.team, listed.data.calls], [200, OTHER, []]);
    const unknown = await json('GET', `/api/calls/${'0'.repeat(64)}/review`, other);
    assert.equal(unknown.status, 404);
    for (const call of [run.A, run.B, run.C, run.D]) {
      const seen = await json('GET', `/api/calls/${call.callId}/review`, other);
      assert.equal(seen.status, 404, `GET review of ${call.label}`);
      assert.deepEqual(seen.data, unknown.data, 'the same answer as for no such call');
      const put = await json('PUT', `/api/calls/${call.callId}/review`, other, REVIEW(false));
      assert.equal(put.status, 404, `PUT review of ${call.label}`);
    }
    const a = await json('GET', `/api/calls/${run.A.callId}/review`, sup(LEAD));
    assert.equal(a.data.qa.resolved, true, 'the other team changed nothing');
  });

  test('agents and customers are refused (403), no token is 401', async () => {
    const refused = { agent: agentToken(A1), customer: mint.customer(id('c-x'), TEAM, { call: run.A.callId }) };
    for (const [who, token] of Object.entries(refused)) {
      for (const [method, path, body] of [
        ['GET', '/api/reports?by=supervisor'], ['GET', '/api/reports?by=agent&format=csv'], ['GET', '/api/reports/calls'],
        ['GET', `/api/calls/${run.A.callId}/review`], ['PUT', `/api/calls/${run.A.callId}/review`, REVIEW(false)],
      ]) {
        const res = await json(method, path, token, body);
        assert.equal(res.status, 403, `${who} ${method} ${path}: ${JSON.stringify(res.data)}`);
        assert.equal(res.data.error, 'forbidden');
      }
    }
    assert.equal((await json('GET', '/api/reports', null)).status, 401);
    assert.equal((await json('GET', '/api/reports/calls', null)).status, 401);
  });

  test('bad from, to, by or format: 400', async () => {
    for (const query of ['from=yesterday', 'to=-5', 'from=12.5', 'from=10&to=10', 'from=20&to=10', 'by=team', 'by=', 'format=xml', 'format=CSV']) {
      const res = await json('GET', `/api/reports?${query}`, sup(LEAD));
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.data)}`);
      assert.equal(res.data.error, 'bad_request', query);
    }
    for (const query of ['from=soon', 'to=x', 'from=5&to=1']) {
      assert.equal((await json('GET', `/api/reports/calls?${query}`, sup(LEAD))).status, 400, `calls ${query}`);
    }
  });
});

// Figures measured in the run above, for the report (printed once the suite ends).
after(() => {
  if (!run.figures) return;
  const { s1, s2, totals } = run.figures;
  console.log(`# measured: s1 seconds ${JSON.stringify(s1.seconds)} median ${s1.help.median_answer_s}; s2 takeover ${s2.seconds.takeover} median ${s2.help.median_answer_s}; team median ${totals.help.median_answer_s}`);
});

describe("early barges follow each call's own guard", () => {
  /**
   * A call of a fresh team whose early-barge guard is `minutes`, barged in its first seconds and
   * ended; returns the team's report once the call reached the archive.
   */
  async function bargedCall(minutes) {
    const team = `guard${minutes}-${process.pid}`;
    await setTeamSettings(wrangler, mint, team, { early_barge_minutes: minutes });
    const [agentId, supId] = [id(`ga${minutes}`), id(`gs${minutes}`)];
    const callId = await createCall(wrangler, mint.agent(agentId, team), 'guarded');
    const agent = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.agent(agentId, team)).opened).heartbeat(1000);
    await agent.next('matrix');
    const customer = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(id(`gc${minutes}`), team, { call: callId })).opened).heartbeat(1000);
    await customer.next('status');
    const supervisor = (await wrangler.ws(`/api/calls/${callId}/ws`, mint.supervisor(supId, team)).opened).heartbeat(1000);
    await supervisor.next('welcome');
    const barge = await supervisor.request({ type: 'set_mode', mode: 'barge' });
    if (minutes > 0) {
      assert.equal(barge.code, 'confirm_required', `a ${minutes}-minute guard asks to confirm`);
      assert.equal(barge.guard_minutes, minutes, "the error frame names the team's own guard");
      assert.ok(barge.call_age_ms < minutes * 60_000, `and the call's age: ${barge.call_age_ms} ms`);
      assert.equal((await supervisor.request({ type: 'set_mode', mode: 'barge', confirm: true })).type, 'ack');
    } else {
      assert.equal(barge.type, 'ack', 'no guard: the barge goes ahead');
    }
    await sleep(300);
    const call = { agent, customer };
    await endCall(call, agent, supervisor);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const report = await json('GET', '/api/reports?by=supervisor', mint.supervisor(id(`glead${minutes}`), team));
      assert.equal(report.status, 200, JSON.stringify(report.data));
      if (report.data.calls === 1 || Date.now() > deadline) return report.data;
      await sleep(200);
    }
  }

  test('a barge 1 s into a call counts as early under a 1-minute guard and not under none', async () => {
    const guarded = await bargedCall(1);
    const unguarded = await bargedCall(0);
    assert.equal(guarded.calls, 1, 'the guarded call reached the archive');
    assert.equal(unguarded.calls, 1, 'the unguarded call reached the archive');
    // The archive once counted any barge in a call's first three minutes, whatever the team's guard.
    assert.equal(guarded.totals.early_barges, 1, JSON.stringify(guarded.totals));
    assert.equal(unguarded.totals.early_barges, 0, JSON.stringify(unguarded.totals));
  });
});
