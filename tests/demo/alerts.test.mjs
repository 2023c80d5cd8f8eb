// The console's alert rules (demo/js/alerts.js), without a browser: what in a new team feed is worth
// interrupting a supervisor for, and the count the tab title shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionCount, newAlerts, stillHolds } from '../../demo/js/alerts.js';

const line = (id, extra = {}) => ({ call_id: id, agent_name: `Agent ${id}`, customer_label: `Customer ${id}`, help_raised: false, health_flags: [], ...extra });
const flag = (kind, note = '') => ({ kind, since: 0, note });

test('a hand raised since the last feed is an alert; one still raised is not', () => {
  const before = [line('a'), line('b', { help_raised: true })];
  const after = [line('a', { help_raised: true }), line('b', { help_raised: true })];
  assert.deepEqual(newAlerts(before, after).map(({ kind, call, title }) => ({ kind, call, title })),
    [{ kind: 'help', call: 'a', title: 'Agent a raised a hand' }]);
  assert.deepEqual(newAlerts(after, after), []);
});

test('a flag newly raised is an alert, once per kind; a call arriving flagged counts as new', () => {
  const before = [line('a', { health_flags: [flag('dead_air')] })];
  const after = [line('a', { health_flags: [flag('dead_air'), flag('customer_loud', 'customer at -8 dBFS')] }), line('c', { health_flags: [flag('overtalk')] })];
  const alerts = newAlerts(before, after);
  assert.deepEqual(alerts.map(({ kind, call, title, body }) => ({ kind, call, title, body })), [
    { kind: 'flag', call: 'a', title: "customer loud: Agent a's call", body: 'customer at -8 dBFS' },
    { kind: 'flag', call: 'c', title: "overtalk: Agent c's call", body: 'On the call with Customer c.' },
  ]);
});

test('a lowered hand or a cleared flag raises nothing', () => {
  const before = [line('a', { help_raised: true, health_flags: [flag('dead_air')] })];
  assert.deepEqual(newAlerts(before, [line('a')]), []);
});

test('the title counts calls with a hand or a flag, each call once', () => {
  assert.equal(attentionCount([line('a', { help_raised: true, health_flags: [flag('overtalk')] }), line('b'), line('c', { health_flags: [flag('dead_air')] })]), 2);
  assert.equal(attentionCount([]), 0);
});

test('an alert holds while its hand is up, its flag raised and its call live; then it is taken down', () => {
  const [help] = newAlerts([line('a')], [line('a', { help_raised: true })]);
  assert.equal(stillHolds(help, [line('a', { help_raised: true })]), true);
  assert.equal(stillHolds(help, [line('a')]), false, 'hand lowered');
  assert.equal(stillHolds(help, []), false, 'call ended');
  const [loud] = newAlerts([line('a')], [line('a', { health_flags: [flag('customer_loud')] })]);
  assert.equal(loud.flag, 'customer_loud');
  assert.equal(stillHolds(loud, [line('a', { health_flags: [flag('customer_loud'), flag('overtalk')] })]), true);
  assert.equal(stillHolds(loud, [line('a', { health_flags: [flag('overtalk')] })]), false, 'that flag cleared, another raised');
  assert.equal(stillHolds(loud, [line('b', { health_flags: [flag('customer_loud')] })]), false, 'the same flag on another call');
});
