// The post-call review page end to end: a real call through the demo pages, recorded, in which the
// agent raises a hand and supervisor s1 monitors, whispers (with a coaching message) and barges; then
// review.html as a supervisor: the call is listed, the timeline shows s1's spans by mode with the help
// and coaching markers, the waveform is drawn from the decoded take, clicking the coaching marker
// seeks the player to the coaching's place in the take, and the QA form round-trips through the
// worker (its refusal shown in the worker's words). Another team's supervisor gets 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, until, openParty, screenshot, sleep, TONES } from './lib/system.mjs';
import { agentReady, connectCall, clickMode } from './lib/scenario.mjs';
import { Minter } from '../worker/harness.mjs';
import { assertAccessible } from './lib/a11y.mjs';

const COACHING = 'Offer the refund, then confirm the address';
const SCORES = { greeting: 4, empathy: 5, accuracy: 3, compliance: 2 };
const COMMENT = 'Good save after the barge; confirm the address earlier next time.';

let system;
const blue = () => new Minter().supervisor('qa-check', 'blue', ['monitor']);
const green = () => new Minter().supervisor('s3', 'green');

before(async () => { system = await startSystem(); });
after(async () => { await system?.stop(); });

/** A worker API call as a supervisor: `{ status, data }`. */
async function api(path, token, { method = 'GET', body } = {}) {
  const res = await fetch(`${system.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, data: await res.json().catch(() => null) };
}


/** Waits until the agent's recorder has uploaded `n` more chunks (about a second each). */
async function recordMore(agent, n) {
  const now = await agent.evaluate(() => window.earshotDemo.call.recorder.stats.chunks);
  await agent.waitForFunction((k) => window.earshotDemo.call.recorder.stats.chunks >= k, now + n, { timeout: 20_000 });
}

/** The x (page px) of an element's centre. */
const centreX = (tab, selector) => tab.locator(selector).first().evaluate((node) => {
  const box = node.getBoundingClientRect();
  return box.left + box.width / 2;
});

test('a recorded, supervised call reviewed: listed, timeline, waveform, seek, QA; another team learns nothing', async () => {
  const pages = [];
  try {
    const s1 = await openParty(system, 'console.html', 's1', TONES.s1);
    pages.push(s1);
    const agent = await agentReady(system);
    pages.push(agent);
    pages.push(await connectCall(system, agent));
    await agent.click('#record');
    await agent.locator('#recording-state', { hasText: 'Recording.' }).waitFor();
    const callId = await agent.evaluate(() => window.earshotDemo.call.id);

    // While the call is live there is no review, and the page says why.
    assert.equal((await api(`/api/calls/${callId}/review`, blue())).status, 404, 'no review while live');
    const early = await openParty(system, 'review.html', 's1', 0, { call: callId });
    pages.push(early);
    await early.locator('#call-missing:not([hidden])', { hasText: 'No review until the call ends' }).waitFor();

    // The call: a hand goes up; s1 monitors, whispers and coaches, then barges.
    await recordMore(agent, 1);
    await agent.click('#raise-hand');
    await agent.locator('#raise-hand', { hasText: 'Lower hand' }).waitFor();
    await s1.locator('#calls tr[data-call]').first().waitFor();
    await clickMode(s1, 'monitor');
    await recordMore(agent, 2);
    await clickMode(s1, 'whisper');
    await recordMore(agent, 1);
    await s1.fill('#coach-text', COACHING);
    await s1.click('#coach-form button[type="submit"]');
    await agent.locator('#coaching li', { hasText: COACHING }).waitFor();
    await recordMore(agent, 2);
    await clickMode(s1, 'barge');
    await recordMore(agent, 2);
    await agent.click('#hang-up');

    // The archive has the call's summary and the completed take.
    const review = await until('the review with a complete take', async () => {
      const { status, data } = await api(`/api/calls/${callId}/review`, blue());
      return status === 200 && data.takes.length === 1 && data.takes[0].complete ? data : null;
    }, 30_000);
    const take = review.takes[0];
    const coaching = review.events.find((e) => e.kind === 'coaching' && e.text === COACHING);
    assert.ok(coaching, `the coaching is on the timeline: ${JSON.stringify(review.events)}`);
    assert.ok(coaching.at > take.started_at, 'coached after the recording started');

    // The review page lists the call.
    const reviewer = await openParty(system, 'review.html', 's1', 0);
    pages.push(reviewer);
    const row = reviewer.locator(`#calls tr[data-call="${callId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[1], 'Ana');
    assert.deepEqual(await row.locator('.badge').allTextContents(), ['monitor', 'whisper', 'barge']);
    assert.equal(cells[5], '1 raised');
    assert.equal(cells[6], '1 take');
    assert.equal(cells[7], '—', 'not reviewed yet');

    // Opening it: the player is ready once the take is fetched, decoded and drawn.
    await row.click();
    await reviewer.locator('#audio[data-take="1"]').waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await reviewer.locator('#call-title').textContent(), "Ana's call with Mrs Lee");

    // The timeline: s1's spans by mode, exactly the review's, in s1's row; the help and coaching markers.
    const drawnSpans = await reviewer.$$eval('#timeline rect.span', (rects) =>
      rects.map((r) => ({ supervisor: r.dataset.supervisor, mode: r.dataset.mode, from: Number(r.dataset.from), to: Number(r.dataset.to) })));
    const sort = (list) => [...list].sort((a, b) => a.from - b.from || a.mode.localeCompare(b.mode));
    assert.deepEqual(sort(drawnSpans), sort(review.spans.map((s) => ({ supervisor: s.supervisor_id, mode: s.mode, from: s.from, to: s.to }))));
    for (const mode of ['monitor', 'whisper', 'barge']) {
      assert.ok(drawnSpans.some((s) => s.supervisor === 's1' && s.mode === mode), `a ${mode} span by s1`);
    }
    const order = drawnSpans.filter((s) => s.supervisor === 's1').sort((a, b) => a.from - b.from).map((s) => s.mode);
    assert.deepEqual(order, ['monitor', 'whisper', 'barge'], 'in the order they happened');
    assert.ok((await reviewer.locator('#timeline text.row-label').allTextContents()).includes('Dana'), "s1's row is labelled with their name");
    assert.ok(await reviewer.locator('#timeline .event[data-kind="help"][data-text="raised"]').count() >= 1, 'a help marker');
    const coachingMark = reviewer.locator('#timeline .event[data-kind="coaching"]');
    assert.equal(await coachingMark.count(), 1, 'one coaching marker');
    assert.equal(await coachingMark.getAttribute('data-text'), COACHING);
    await coachingMark.hover();
    const tip = await reviewer.locator('#tip:not([hidden])').textContent();
    const clock = Math.floor((coaching.at - review.call.started_at) / 1000);
    assert.equal(tip, `Dana · coaching: ${COACHING}${Math.floor(clock / 60)}:${String(clock % 60).padStart(2, '0')}`);

    // The waveform: both channels drawn from the decoded take (the canvas is transparent elsewhere).
    const ink = await reviewer.evaluate(() => {
      const canvas = document.querySelector('#waveform');
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const half = [0, 0];
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (data[(y * width + x) * 4 + 3] > 0) half[y < height / 2 ? 0 : 1]++;
      return half.map((n) => n / ((width * height) / 2));
    });
    assert.ok(ink[0] > 0.05, `the customer channel is drawn (${ink[0]} of its pixels)`);
    assert.ok(ink[1] > 0.05, `the agent side is drawn (${ink[1]} of its pixels)`);

    // Clicking the coaching marker plays from the coaching's place in the take; the playhead goes there.
    const expected = (coaching.at - take.started_at) / 1000;
    await coachingMark.click();
    await reviewer.waitForFunction(() => !document.querySelector('#audio').seeking);
    const position = await reviewer.evaluate(() => document.querySelector('#audio').currentTime);
    assert.ok(Math.abs(position - expected) < 0.5, `seeked to ${position} s, the coaching is at ${expected} s`);
    const markX = await centreX(reviewer, '#timeline .event[data-kind="coaching"] path');
    assert.ok(Math.abs((await centreX(reviewer, '#playhead')) - markX) < 3, 'the playhead stands on the coaching marker');
    // Clicking the waveform seeks too: the playhead lands where it was clicked, inside the take's
    // drawn span and well away from the coaching marker.
    const inked = await reviewer.evaluate(() => {
      const canvas = document.querySelector('#waveform');
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const columns = [];
      for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) if (data[(y * width + x) * 4 + 3] > 0) { columns.push(x); break; }
      const box = canvas.getBoundingClientRect();
      const px = (column) => box.left + (column / width) * box.width;
      return { first: px(columns[0]), last: px(columns.at(-1)), y: box.top + box.height / 2 };
    });
    const share = markX > (inked.first + inked.last) / 2 ? 0.15 : 0.85;
    const clickX = inked.first + share * (inked.last - inked.first);
    await reviewer.mouse.click(clickX, inked.y);
    await reviewer.waitForFunction(() => !document.querySelector('#audio').seeking);
    assert.ok(Math.abs((await centreX(reviewer, '#playhead')) - clickX) < 3, 'the playhead follows a click on the waveform');
    assert.ok(Math.abs((await reviewer.evaluate(() => document.querySelector('#audio').currentTime)) - position) > 1, 'and the player moved');
    await screenshot(reviewer, 'review');
    await assertAccessible(reviewer, 'review page, a take playing');

    // QA: an incomplete form is refused by the worker, in its words.
    await reviewer.check('input[name="score-greeting"][value="4"]');
    await reviewer.check('input[name="resolved"][value="yes"]');
    await reviewer.click('#qa-form button[type="submit"]');
    const refusal = await api(`/api/calls/${callId}/review`, blue(), { method: 'PUT', body: { scores: { greeting: 4 }, comment: '', resolved: true } });
    assert.equal(refusal.status, 400);
    await reviewer.locator('#qa-error', { hasText: /\S/ }).waitFor();
    assert.deepEqual(await reviewer.locator('#qa-error li').allTextContents(), refusal.data.problems, 'every problem the worker named is listed');
    assert.equal(refusal.data.problems.length, 3, 'three criteria unscored');
    // The comment box counts characters and says how far over the limit a comment is (never cut).
    await reviewer.fill('#qa-comment', 'x'.repeat(2005));
    assert.equal(await reviewer.locator('#qa-comment-count').textContent(), '2,005 / 2,000 characters: 5 over, shorten it to save');
    assert.equal((await reviewer.inputValue('#qa-comment')).length, 2005, 'nothing is cut');
    // The whole form is saved.
    for (const [key, score] of Object.entries(SCORES)) await reviewer.check(`input[name="score-${key}"][value="${score}"]`);
    await reviewer.fill('#qa-comment', COMMENT);
    await reviewer.click('#qa-form button[type="submit"]');
    await reviewer.locator('#qa-saved', { hasText: 'Reviewed by Dana' }).waitFor();
    assert.equal(await reviewer.locator('#qa-error').textContent(), '');
    const saved = await api(`/api/calls/${callId}/review`, blue());
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.data.qa.scores, SCORES);
    assert.equal(saved.data.qa.comment, COMMENT);
    assert.equal(saved.data.qa.resolved, true);
    assert.equal(saved.data.qa.reviewer_id, 's1');
    await row.locator('td.outcome', { hasText: /^resolved$/ }).waitFor();

    // Opened again by its link, the saved review fills the form.
    await reviewer.goto(`${system.base}/review.html?user=s1&call=${callId}`);
    await reviewer.locator('#qa-saved', { hasText: 'Reviewed by Dana' }).waitFor();
    const filled = await reviewer.evaluate(() => ({
      scores: Object.fromEntries([...document.querySelectorAll('#qa-criteria input:checked')].map((i) => [i.name.replace('score-', ''), Number(i.value)])),
      resolved: document.querySelector('input[name="resolved"]:checked')?.value,
      comment: document.querySelector('#qa-comment').value,
    }));
    assert.deepEqual(filled, { scores: SCORES, resolved: 'yes', comment: COMMENT });

    // No calls in a range without any.
    await reviewer.fill('#from', '2001-01-01');
    await reviewer.fill('#to', '2001-01-07');
    await reviewer.locator('#calls tr.empty', { hasText: 'No ended calls' }).waitFor();

    // Another team: its supervisor gets 404 for the review and never sees the call listed.
    assert.equal((await api(`/api/calls/${callId}/review`, green())).status, 404);
    const theirs = await api('/api/reports/calls', green());
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.data.calls.some((c) => c.call_id === callId), "not in the other team's list");
    const other = await openParty(system, 'review.html', 's3', 0, { call: callId });
    pages.push(other);
    await other.locator('#call-missing:not([hidden])').waitFor();

    for (const page of pages) assert.deepEqual(page.errors, [], `no uncaught errors on ${page.user}'s page`);
  } finally {
    for (const page of pages) await page.context().close().catch(() => {});
  }
});
