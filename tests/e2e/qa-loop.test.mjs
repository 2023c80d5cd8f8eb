// The QA loop end to end in headless Chromium against a real `wrangler dev`: a recorded call that s1
// monitors; s1 builds the team's scorecard in the editor (a refused form first, every problem listed),
// scores the call on it (a refused save shown by field), pins a note on the timeline and saves again
// (the history says what changed); s2 scores the same call and the calibration view shows both side
// by side with their spread; the agent signs in to the review page, sees only that review and
// acknowledges one and disputes the other; s1 sees both answers; the report shows the score and links
// back to the call, and the list's filters and sample find (or leave out) the call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSystem, until, openParty, screenshot, TONES } from './lib/system.mjs';
import { agentReady, connectCall, clickMode } from './lib/scenario.mjs';
import { Minter } from '../worker/harness.mjs';
import { assertAccessible } from './lib/a11y.mjs';

const NOTE = 'Customer explains the missing refund';
const DISPUTE = 'I did read the disclosure at the start';

let system;
const dana = () => new Minter().supervisor('s1', 'blue');
const ana = () => new Minter().agent('a1', 'blue');

before(async () => { system = await startSystem(); });
after(async () => { await system?.stop(); });

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

/** Scores the open review form: `scores` by criterion key (a number or 'na'), then resolved and saves. */
async function score(tab, scores, resolved) {
  for (const [key, value] of Object.entries(scores)) await tab.check(`input[name="score-${key}"][value="${value}"]`);
  if (resolved !== undefined) await tab.check(`input[name="resolved"][value="${resolved ? 'yes' : 'no'}"]`);
  await tab.click('#qa-form button[type="submit"]');
}

test('the QA loop: a form built, a call scored twice with a note, calibrated, answered by the agent, reported', async () => {
  const pages = [];
  const open = async (...args) => { const tab = await openParty(system, ...args); pages.push(tab); return tab; };
  try {
    // A recorded call of Ana's that Dana monitors.
    const console = await open('console.html', 's1', TONES.s1);
    const agent = await agentReady(system);
    pages.push(agent);
    pages.push(await connectCall(system, agent));
    await agent.click('#record');
    await agent.locator('#recording-state', { hasText: 'Recording.' }).waitFor();
    const callId = await agent.evaluate(() => window.earshotDemo.call.id);
    await console.locator('#calls tr[data-call]').first().waitFor();
    await clickMode(console, 'monitor');
    await recordMore(agent, 5);
    await agent.click('#hang-up');
    const call = await until('the archived review with its take', async () => {
      const { status, data } = await api(`/api/calls/${callId}/review`, dana());
      return status === 200 && data.takes.length === 1 && data.takes[0].complete ? data : null;
    }, 30_000);
    assert.equal(call.scorecard.version, 1, 'the default form until the team saves one');

    // The form editor: a form with an empty label is refused with the archive's words; then saved.
    const editor = await open('scorecard.html', 's1', 0);
    const criterion = (key) => editor.locator(`.edit-section tr[data-key="${key}"]`);
    await criterion('greeting').waitFor();
    await editor.fill('#form-title', 'Collections QA');
    await criterion('greeting').locator('input.label').fill('');
    await editor.click('#add-section');
    const added = editor.locator('.edit-section').nth(1);
    await added.locator('input.section-title').fill('Compliance');
    await added.locator('input.label').fill('Read the mandatory disclosure');
    await added.locator('input.key').fill('disclosure');
    await added.locator('input.weight').fill('0');
    await added.locator('input.min').fill('0');
    await added.locator('input.max').fill('1');
    await added.getByLabel('auto-fail').check();
    await criterion('accuracy').locator('input.weight').fill('3');
    await criterion('accuracy').getByLabel('N/A allowed').check();
    await editor.click('#editor button[type="submit"]');
    await editor.locator('#editor-error', { hasText: 'The form was not saved' }).waitFor();
    assert.match(await editor.locator('#editor-error').textContent(), /the label of criterion "greeting" is empty/);
    assert.equal((await api('/api/reports/scorecard', dana())).data.version, 1, 'nothing saved');
    await criterion('greeting').locator('input.label').fill('Greeting and identification');
    await editor.click('#editor button[type="submit"]');
    await editor.locator('#status-line', { hasText: 'Saved as version 2' }).waitFor();
    await editor.locator('#versions li[data-version="2"]', { hasText: 'Collections QA, 5 criteria' }).waitFor();
    const v2 = (await api('/api/reports/scorecard', dana())).data;
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.form.sections.map((s) => s.title), ['Call handling', 'Compliance']);
    const disclosure = v2.form.sections[1].criteria[0];
    assert.deepEqual([disclosure.key, disclosure.weight, disclosure.scale, disclosure.auto_fail], ['disclosure', 0, { min: 0, max: 1 }, true]);
    await screenshot(editor, 'qa-scorecard-editor');
    await assertAccessible(editor, 'scorecard editor');

    // Dana scores the call on version 2: a save missing answers is refused, each problem by its field.
    const reviewer = await open('review.html', 's1', 0, { call: callId });
    await reviewer.locator('#audio[data-take="1"]').waitFor({ state: 'attached', timeout: 30_000 });
    await reviewer.locator('#qa-criteria .form-name', { hasText: 'Collections QA · form version 2' }).waitFor();
    assert.equal(await reviewer.locator('#qa-criteria .criterion[data-key="disclosure"] .badge.auto-fail').count(), 1, 'the auto-fail item says so');
    assert.equal(await reviewer.locator('input[name="score-accuracy"][value="na"]').count(), 1, 'N/A where allowed');
    assert.equal(await reviewer.locator('input[name="score-greeting"][value="na"]').count(), 0, 'and only there');
    await score(reviewer, { empathy: 5, accuracy: 'na', compliance: 4, disclosure: 1 });
    await reviewer.locator('.field-error[data-for="greeting"]', { hasText: '"Greeting and identification" is not scored' }).waitFor();
    assert.match(await reviewer.locator('#qa-resolved-error').textContent(), /^resolved/);
    assert.equal(await reviewer.locator('#qa-error li').count(), 2, 'the full list too');
    await reviewer.fill('input[name="note-empathy"]', 'Calm with an upset customer');
    await score(reviewer, { greeting: 4 }, true);
    await reviewer.locator('#qa-saved', { hasText: 'Reviewed by Dana' }).waitFor();
    // (0.75 + 1 + 0.75) / 3 with accuracy N/A and the disclosure weighing nothing.
    assert.equal(await reviewer.locator('#qa-total').textContent(), 'Total so far: 83.3%');
    let saved = (await api(`/api/calls/${callId}/review`, dana())).data;
    assert.equal(saved.qa.total, 83.3);
    assert.deepEqual(saved.qa.notes, { empathy: 'Calm with an upset customer' });
    await reviewer.locator('.saved-review[data-reviewer="s1"]', { hasText: 'on form version 2 (Collections QA)' }).waitFor();

    // A note on the timeline: a typo is refused on the page, a span is pinned and drawn.
    await reviewer.fill('#note-at', '0:75');
    await reviewer.fill('#note-text', NOTE);
    await reviewer.click('#note-form button[type="submit"]');
    await reviewer.locator('#note-error', { hasText: "the moment must be m:ss" }).waitFor();
    await reviewer.fill('#note-at', '0:01');
    await reviewer.fill('#note-until', '0:03');
    await reviewer.click('#note-form button[type="submit"]');
    await reviewer.locator('#notes li', { hasText: `0:01.0–0:03.0 Dana: ${NOTE}` }).waitFor();
    assert.equal(await reviewer.locator('#timeline rect.note-span').count(), 1, 'drawn on the timeline');
    saved = (await api(`/api/calls/${callId}/review`, dana())).data;
    assert.deepEqual(saved.comments.map((c) => [c.text, c.at - call.call.started_at, c.until - call.call.started_at]), [[NOTE, 1000, 3000]]);
    assert.ok((await reviewer.locator('#timeline-legend li').allTextContents()).some((t) => t.includes("reviewer's note over a span")), 'the legend says what it is');

    // Dana changes her mind: version 2 of her review, and the history says what changed.
    await score(reviewer, { greeting: 5 });
    await reviewer.locator('#qa-history li[data-reviewer="s1"][data-version="2"]', { hasText: 'Greeting and identification: 4 → 5' }).waitFor();

    // Eli scores the same call on an empty form (Dana's answers are hers), then calibration shows both.
    const second = await open('review.html', 's2', 0, { call: callId });
    await second.locator('#qa-criteria .form-name').waitFor();
    assert.equal(await second.locator('#qa-criteria input:checked').count(), 0, "Eli starts from a blank form");
    await score(second, { greeting: 2, empathy: 3, accuracy: 4, compliance: 4, disclosure: 1 }, false);
    await second.locator('#qa-saved', { hasText: 'Reviewed by Eli' }).waitFor();
    await second.locator('#calibration table').waitFor();
    const calibration = (await api(`/api/calls/${callId}/review/calibration`, dana())).data;
    const rows = await second.locator('#calibration table tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows[0], ['Criterion', 'Dana', 'Eli', 'Spread', 'Mean']);
    assert.deepEqual(rows.find((r) => r[0] === 'Greeting and identification'), ['Greeting and identification', '5', '2', '3', '3.5']);
    assert.deepEqual(rows.find((r) => r[0] === 'Accuracy of information'), ['Accuracy of information', 'N/A', '4', '0', '4']);
    assert.deepEqual(rows.at(-1), ['Total', '91.7%', '62.5%', String(calibration.total_spread), '']);
    assert.equal(calibration.total_spread, 29.2);
    await screenshot(second, 'qa-review-calibration');
    await assertAccessible(second, 'review page with two reviews and calibration');

    // Ana signs in to the review page: her reviewed call only, both reviews; she answers each.
    const mine = await open('review.html', 'a1', 0);
    const card = mine.locator(`.my-call[data-call="${callId}"]`);
    await card.waitFor();
    assert.equal(await mine.locator('.my-call').count(), 1, 'only her reviewed call');
    assert.ok(await mine.locator('#calls').isHidden(), "the team's call list is not hers to see");
    assert.equal(await card.locator('.saved-review').count(), 2);
    const answerTo = (reviewer) => card.locator('.my-review', { has: mine.locator(`.saved-review[data-reviewer="${reviewer}"]`) });
    await answerTo('s1').locator('button.acknowledge').click();
    await mine.locator('.my-review .saved-review[data-reviewer="s1"] .response.acknowledged').waitFor();
    await answerTo('s2').locator('button.dispute').click();
    await answerTo('s2').locator('.error', { hasText: 'a dispute needs a comment' }).waitFor();
    await answerTo('s2').locator('textarea').fill(DISPUTE);
    await answerTo('s2').locator('button.dispute').click();
    await mine.locator('.saved-review[data-reviewer="s2"] .response.disputed', { hasText: DISPUTE }).waitFor();
    const answers = (await api('/api/reports/my-reviews', ana())).data.calls[0].responses;
    assert.deepEqual(answers.map((r) => [r.reviewer_id, r.kind]).sort(), [['s1', 'acknowledged'], ['s2', 'disputed']]);
    await screenshot(mine, 'qa-agent-reviews');
    await assertAccessible(mine, "the agent's reviews");

    // Dana sees both answers on the review.
    await reviewer.reload();
    await reviewer.locator('.saved-review[data-reviewer="s1"] .response.acknowledged', { hasText: 'Acknowledged by the agent' }).waitFor();
    await reviewer.locator('.saved-review[data-reviewer="s2"] .response.disputed', { hasText: DISPUTE }).waitFor();

    // The report: Ana's quality line, its link to her reviewed calls, and the figures' rows' links.
    const quality = (await api(`/api/reports/quality?from=0&to=${Date.now() + 86_400_000}`, dana())).data;
    const anaLine = quality.by_agent.find((l) => l.id === 'a1');
    assert.equal(anaLine.average, 77.1, '(91.7 + 62.5) / 2');
    const reports = await open('reports.html', 's1', 0);
    const line = reports.locator('#quality table[data-group="by_agent"] tr[data-id="a1"]');
    await line.waitFor();
    assert.equal(await line.locator('.average').textContent(), '77.1%');
    await screenshot(reports, 'qa-reports-quality');
    await reports.locator('#figures tbody tr[data-id="s1"] a').waitFor();
    assert.match(await reports.locator('#figures tbody tr[data-id="s1"] a').getAttribute('href'), /supervisor=s1/);
    await line.locator('a').click();
    await reports.waitForURL(/\/review(\.html)?\?/);
    assert.match(reports.url(), /agent=a1/);
    assert.match(reports.url(), /reviewed=yes/);
    await reports.locator(`#calls tr[data-call="${callId}"]`).waitFor();
    assert.equal(await reports.inputValue('#filter-agent'), 'a1');
    assert.equal(await reports.locator('#filter-agent option:checked').textContent(), 'Ana');

    // The filters: not reviewed leaves it out; a sample of unreviewed calls has none to draw.
    await reports.selectOption('#filter-reviewed', 'no');
    await reports.locator('#calls tr.empty', { hasText: 'with these filters' }).waitFor();
    await reports.click('#sample-form button[type="submit"]');
    await reports.locator('#sample li', { hasText: 'No unreviewed calls' }).waitFor();
    await reports.selectOption('#filter-reviewed', '');
    await reports.selectOption('#filter-supervisor', 's1');
    await reports.locator(`#calls tr[data-call="${callId}"]`).waitFor();

    for (const page of pages) assert.deepEqual(page.errors, [], `no uncaught errors on ${page.user}'s page`);
  } finally {
    for (const page of pages) await page.context().close().catch(() => {});
  }
});
