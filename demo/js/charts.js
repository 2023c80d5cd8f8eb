// Tiny SVG bar charts for the reports page: one horizontal bar per row (stacked from parts, e.g. one
// part per mode) or several (paired bars, e.g. with vs without intervention), a value label after
// each bar and a light scale. Written here rather than taken from a library: the page needs a few
// rectangles, and the demo ships no dependencies. Colours come from CSS classes the caller names, so
// a mode has the same colour in every chart. Every bar carries a <title> (hover and screen readers).

import { svgEl } from './ui.js';

const FALLBACK_WIDTH = 720; // px, when the SVG is not laid out (hidden): the viewBox scales it then
const BAR_H = 18; // a single bar's thickness
const PAIR_H = 15; // each bar's thickness when a row has several
const PAIR_GAP = 4;
const ROW_PAD = 10; // space between rows
const AXIS_H = 22; // tick labels under the rows
const TOP = 4;
const LABEL_CHARS = 20;

const titled = (text) => svgEl('title', {}, text);

/**
 * A scale from 0 to a round maximum at or above `dataMax`, with about four steps of 1, 2 or 5 × 10^k
 * (whole steps only when `integer`): round tick values are easier to read than 0, 1.3, 2.6…
 */
export function niceScale(dataMax, { integer = false, max } = {}) {
  if (max !== undefined) return { max, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * max) };
  const target = Math.max(dataMax, integer ? 1 : 1e-9) / 4;
  const power = 10 ** Math.floor(Math.log10(target));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= target);
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(dataMax / step) * step);
  const ticks = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { max: top, ticks };
}

/**
 * Draws a horizontal bar chart into `svg`, replacing what it held.
 *
 * `rows`: `[{ label, className?, bars: [{ parts: [{ value, className, title }], text, empty? }] }]` —
 * a bar's length is the sum of its parts; `text` is written after it; a bar with nothing to show
 * (`empty: true`) shows only its text, greyed ("no answered requests").
 * `title`: the chart's accessible name. `tick`: formats scale values. `integer`: whole-number ticks.
 * `max`: a fixed scale (e.g. 100 for percentages). `none`: what to say when there are no rows.
 */
export function barChart(svg, { rows, title, tick = String, integer = false, max, none = 'Nothing in this window.' }) {
  // Drawn at the size it is shown (the page redraws on resize), so text keeps the stylesheet's size.
  const WIDTH = Math.round(svg.getBoundingClientRect().width) || FALLBACK_WIDTH;
  const LABEL_W = Math.min(150, Math.round(WIDTH * 0.24)); // row labels, right-aligned in this gutter
  const VALUE_W = Math.min(190, Math.round(WIDTH * 0.3)); // room after the longest bar for its value
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const total = (bar) => bar.parts.reduce((sum, p) => sum + (p.value || 0), 0);
  const dataMax = Math.max(0, ...rows.flatMap((r) => r.bars.map(total)));
  const scale = niceScale(dataMax, { integer, max });
  const x = (v) => LABEL_W + (scale.max ? (v / scale.max) * plotW : 0);

  const rowHeight = (row) => {
    const n = row.bars.length;
    return (n === 1 ? BAR_H : n * PAIR_H + (n - 1) * PAIR_GAP) + ROW_PAD;
  };
  const plotH = rows.reduce((h, r) => h + rowHeight(r), 0);
  const height = rows.length ? TOP + plotH + AXIS_H : 28;

  const nodes = [titled(title)];
  if (!rows.length) {
    nodes.push(svgEl('text', { class: 'none', x: 0, y: 18 }, none)); // no scale for nothing
  }
  // The scale first, so bars are drawn over its grid lines.
  for (const t of rows.length ? scale.ticks : []) {
    nodes.push(svgEl('line', { class: 'grid', x1: x(t), x2: x(t), y1: TOP, y2: TOP + plotH }));
    nodes.push(svgEl('text', { class: 'tick', x: x(t), y: height - 6, 'text-anchor': 'middle' }, tick(t)));
  }
  let y = TOP + ROW_PAD / 2;
  for (const row of rows) {
    const h = rowHeight(row) - ROW_PAD;
    const thickness = row.bars.length === 1 ? BAR_H : PAIR_H;
    const group = svgEl('g', { class: `row ${row.className ?? ''}`.trim() });
    // Names may be 64 characters; the gutter holds about 20: shorten, the full name in a <title>.
    const label = row.label.length > LABEL_CHARS ? `${row.label.slice(0, LABEL_CHARS - 1)}…` : row.label;
    group.append(svgEl('text', { class: 'label', x: LABEL_W - 8, y: y + h / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' },
      label, label === row.label ? null : titled(row.label)));
    row.bars.forEach((bar, i) => {
      const top = y + i * (thickness + PAIR_GAP);
      let at = 0;
      for (const part of bar.parts) {
        if (!part.value) continue; // a zero part would be an invisible sliver with a misleading title
        group.append(svgEl('rect', {
          class: `bar ${part.className}`, x: x(at), y: top, height: thickness,
          width: Math.max(1, x(at + part.value) - x(at)), role: 'img', 'aria-label': part.title,
        }, titled(part.title)));
        at += part.value;
      }
      const end = bar.empty ? LABEL_W : x(at);
      group.append(svgEl('text', {
        class: bar.empty ? 'value empty' : 'value', x: end + 6, y: top + thickness / 2, 'dominant-baseline': 'central',
      }, bar.text ?? ''));
    });
    nodes.push(group);
    y += h + ROW_PAD;
  }
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  svg.setAttribute('height', height);
  svg.setAttribute('role', 'group');
  svg.replaceChildren(...nodes);
}
