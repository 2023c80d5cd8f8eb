// What the console shows of a call's health: the order calls are listed in (the ones needing a
// supervisor first), each flag with its reason, and every party's level as a meter.
import { partyKey } from './party.js';
import { el, flagName } from './ui.js';
import { MODE_DOING } from './wording.js';

/** Help raised first, then calls with more flags, then the oldest. */
export function byAttention(calls) {
  return [...calls].sort((a, b) =>
    Number(b.help_raised) - Number(a.help_raised)
    || (b.health_flags?.length ?? 0) - (a.health_flags?.length ?? 0)
    || a.started_at - b.started_at);
}

/** "customer loud for 12 s". */
export function flagReason(flag, now = Date.now()) {
  return `${flagName(flag.kind)} for ${Math.max(0, Math.floor((now - flag.since) / 1000))} s`;
}

/** A health flag's chip; `refreshFlags` keeps its duration current. */
export function flagChip(flag) {
  return el('span', { className: 'flag warn health', title: flag.note, dataset: { kind: flag.kind, since: flag.since } }, flagReason(flag));
}

/** Updates every flag chip's "for N s" under `root`. */
export function refreshFlags(root = document) {
  for (const chip of root.querySelectorAll('.flag.health')) {
    chip.textContent = flagReason({ kind: chip.dataset.kind, since: Number(chip.dataset.since) });
  }
}

/** One line of a call's context (an audit row: help, coaching, a flag, a supervisor's mode entry), as a supervisor reads it. */
export function contextLine(row, names) {
  const who = names(row.actor);
  const doing = (mode) => MODE_DOING[mode ?? 'none'];
  switch (row.kind) {
    case 'join': return `${who} opened the call, ${doing(row.to_mode)}`;
    case 'mode_change': return `${who} is now ${doing(row.to_mode)} (was ${doing(row.from_mode)})`;
    case 'leave': return `${who} left the call (was ${doing(row.from_mode)})`;
    case 'help': return `${who} ${row.detail === 'raised' ? 'raised a hand for help' : 'lowered their hand'}`;
    case 'coaching': return `${who} coached: “${row.detail}”`;
    case 'flag_raised': return `${flagName(row.target)}: ${row.detail}`;
    case 'flag_cleared': return `${flagName(row.target)} cleared ${row.detail}`;
    default: return `${row.kind} ${row.detail ?? ''}`;
  }
}

/** A level as a meter from -60 dBFS (empty) to 0 (full), with its reading in words. */
function levelMeter(db, what) {
  const shown = Math.max(-60, Math.min(0, db));
  return [
    el('meter', { min: -60, max: 0, low: -45, high: -9, optimum: -20, value: shown, title: what }),
    el('span', { className: 'db' }, db <= -90 ? 'silent' : `${Math.round(db)} dB`),
  ];
}

/**
 * Meters for a `levels` event: one row per party, what they say (their mixer input) and what they
 * hear (their output: the customer hears a barging supervisor, and not the agent in takeover).
 */
export function levelRows({ levels, hears = [] }, nameOf) {
  const heard = new Map(hears.map(({ party, db }) => [partyKey(party), db]));
  return levels.map(({ party, db }) => {
    const key = partyKey(party);
    const hearsDb = heard.get(key);
    return el('li', { dataset: { party: key, db: db.toFixed(1), ...(hearsDb === undefined ? {} : { hearsDb: hearsDb.toFixed(1) }) } },
      el('span', { className: 'who' }, nameOf(party)),
      el('span', { className: 'says' }, ...levelMeter(db, `${nameOf(party)} says`)),
      el('span', { className: 'hears' }, ...(hearsDb === undefined ? [] : levelMeter(hearsDb, `${nameOf(party)} hears`))));
  });
}
