// What the console shows of a call's health: the order calls are listed in (the ones needing a
// supervisor first), each flag with its reason, and every party's level as a meter.
import { partyKey } from './party.js';
import { el, flagName } from './ui.js';

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

/** One line of a call's context (an audit row from the last minute), as a supervisor reads it. */
export function contextLine(row, names) {
  const who = names(row.actor);
  switch (row.kind) {
    case 'help': return `${who} ${row.detail === 'raised' ? 'raised a hand for help' : 'lowered their hand'}`;
    case 'coaching': return `${who} coached: “${row.detail}”`;
    case 'flag_raised': return `${flagName(row.target)}: ${row.detail}`;
    case 'flag_cleared': return `${flagName(row.target)} cleared ${row.detail}`;
    default: return `${row.kind} ${row.detail ?? ''}`;
  }
}

/** Meters for a `levels` event: one row per party, -60 dBFS (empty) to 0 (full). */
export function levelRows(levels, nameOf) {
  return levels.map(({ party, db }) => {
    const shown = Math.max(-60, Math.min(0, db));
    return el('li', { dataset: { party: partyKey(party), db: db.toFixed(1) } },
      el('span', { className: 'who' }, nameOf(party)),
      el('meter', { min: -60, max: 0, low: -45, high: -9, optimum: -20, value: shown }),
      el('span', { className: 'db' }, db <= -90 ? 'silent' : `${Math.round(db)} dB`));
  });
}
