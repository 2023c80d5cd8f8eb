// A scorecard's arithmetic on the page, the same as the archive's (docs/PROTOCOL.md, "Quality
// assurance": the total): the criteria of a form in order, and the weighted total of a set of answers
// with N/A and auto-fail, so the form shows the total as it will be saved. Pure: no DOM.

/** A form's criteria, in form order, each with its section's title. */
export const criteriaOf = (form) => form.sections.flatMap((s) => s.criteria.map((c) => ({ ...c, section: s.title })));

/** A criterion with the archive's defaults filled in (weight 1, scale 1-5, no N/A, no auto-fail). */
export function withDefaults(c) {
  return { weight: 1, scale: { min: 1, max: 5 }, na_allowed: false, auto_fail: false, ...c, scale: c.scale ?? { min: 1, max: 5 } };
}

/**
 * `{ total, auto_failed }` of `answers` (key → whole number or "na") on `form`: each answered
 * criterion counts (score - min) / (max - min) of its weight, over the weight answered; a failed
 * auto-fail item (scored at its minimum) makes it 0; nothing weighted answered makes it null.
 * Unanswered criteria count as N/A here, so a half-filled form shows the total so far.
 */
export function totalOf(form, answers) {
  let points = 0;
  let weights = 0;
  const autoFailed = [];
  for (const raw of criteriaOf(form)) {
    const c = withDefaults(raw);
    const score = answers[c.key];
    if (typeof score !== 'number') continue;
    if (c.auto_fail && score <= c.scale.min) autoFailed.push(c.key);
    points += (c.weight * Math.max(0, score - c.scale.min)) / (c.scale.max - c.scale.min);
    weights += c.weight;
  }
  if (autoFailed.length) return { total: 0, auto_failed: autoFailed };
  return { total: weights > 0 ? Math.round((points / weights) * 1000) / 10 : null, auto_failed: autoFailed };
}

/** A total in words: "75.0%", or "no total" when nothing weighted applied. */
export const totalText = (total) => (total === null || total === undefined ? 'no total' : `${total.toFixed(1)}%`);

/**
 * Which field a problem the archive named is about, so the page shows it there: a criterion's key
 * (the problem quotes its label or its key), `resolved`, `comment`, or `null` for the whole review.
 */
export function problemField(form, problem) {
  for (const c of criteriaOf(form)) {
    if (problem.includes(`"${c.label}"`) || problem.includes(`"${c.key}"`)) return c.key;
  }
  if (problem.startsWith('resolved')) return 'resolved';
  if (problem.startsWith('the comment')) return 'comment';
  return null;
}
