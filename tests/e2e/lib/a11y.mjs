// Accessibility checks of a page as it stands, by axe-core (the engine browsers' own audit tools use):
// WCAG 2.1 A and AA rules — names and labels of every control, contrast of every text, landmarks,
// valid ARIA. Plus what axe cannot see: that keyboard focus is drawn.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Fails listing every WCAG 2.1 A/AA violation axe finds on `page` (`what` names it in the message). */
export async function assertAccessible(page, what) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1).join(' ')}`) }));
  });
  assert.deepEqual(violations, [], `${what}: ${violations.length} accessibility violation(s):\n${JSON.stringify(violations, null, 1)}`);
}

/** Fails unless the element Tab lands on next in `page` has a visible focus outline. */
export async function assertFocusShown(page, what) {
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return { element: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.ok(focus.outline !== 'none' && focus.width >= 2, `${what}: focus on ${focus.element} is not drawn (${JSON.stringify(focus)})`);
}
