// The scorecard editor's draft, pure: a Form being edited (docs/PROTOCOL.md, "Quality assurance"),
// with the steps the editor offers (add or remove a section or criterion, move a criterion) and the
// Form it saves. The archive checks the form and names every problem; this only keeps the shape.

/** A key for a new criterion from its label: lower case, a-z 0-9 _, at most 32, unique in `taken`. */
export function keyFor(label, taken) {
  const base = (label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'criterion').slice(0, 28);
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
  return key;
}

/** Every key the draft uses. */
export const keysOf = (draft) => new Set(draft.sections.flatMap((s) => s.criteria.map((c) => c.key)));

/** A criterion as the archive's defaults would make it, with a fresh key. */
export function newCriterion(draft, label = 'New criterion') {
  return { key: keyFor(label, keysOf(draft)), label, weight: 1, scale: { min: 1, max: 5 }, na_allowed: false, auto_fail: false };
}

/** A deep copy of a Form to edit, every criterion's defaults written out. */
export function draftOf(form) {
  return {
    title: form.title,
    sections: form.sections.map((s) => ({
      title: s.title,
      criteria: s.criteria.map((c) => ({
        key: c.key, label: c.label, weight: c.weight ?? 1, scale: { ...(c.scale ?? { min: 1, max: 5 }) },
        na_allowed: Boolean(c.na_allowed), auto_fail: Boolean(c.auto_fail),
      })),
    })),
  };
}

/**
 * The Form to save from the draft: `{ form, problems }`. A weight or scale bound that is not a whole
 * number cannot be sent as JSON numbers, so it is named here (as the archive words its problems); the
 * archive checks everything else and names every problem it finds.
 */
export function formOf(draft) {
  const problems = [];
  const whole = (value, what) => {
    const n = typeof value === 'number' ? value : String(value ?? '').trim() === '' ? NaN : Number(value);
    if (!Number.isInteger(n) || n < 0) problems.push(`${what} must be a whole number, not ${JSON.stringify(String(value ?? ''))}`);
    return n;
  };
  const form = {
    title: draft.title,
    sections: draft.sections.map((s) => ({
      title: s.title,
      criteria: s.criteria.map((c) => {
        const name = c.label ? JSON.stringify(c.label) : `criterion ${JSON.stringify(c.key)}`;
        return {
          key: c.key, label: c.label, weight: whole(c.weight, `the weight of ${name}`),
          scale: { min: whole(c.scale.min, `the lowest score of ${name}`), max: whole(c.scale.max, `the highest score of ${name}`) },
          na_allowed: c.na_allowed, auto_fail: c.auto_fail,
        };
      }),
    })),
  };
  return { form, problems };
}

/** Moves criterion `index` of section `s` by `step` (−1 up, +1 down) within its section. */
export function moveCriterion(draft, s, index, step) {
  const list = draft.sections[s].criteria;
  const to = index + step;
  if (to < 0 || to >= list.length) return;
  [list[index], list[to]] = [list[to], list[index]];
}
