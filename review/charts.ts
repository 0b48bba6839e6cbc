/**
 * The tutors' report charts, drawn by ECharts on the server as SVG and handed to the page as a
 * `data:` image with a real text alternative: the level distribution per dimension, progress over
 * attempts, the scenarios most often failed, each learner's weakest dimension, and the scorer's
 * calibration against tutors.
 *
 * @remarks
 * The review pages' content security policy allows no script and no inline style, and ECharts' SVG
 * is full of style attributes, so a chart goes in as `<img src="data:image/svg+xml;base64,…">`,
 * where the page's policy does not reach inside the image. Every chart is readable in a screenshot
 * and in print: 14px text, bars outlined, colours that keep their order in greyscale, and every
 * value written as text beside its mark, so no reading depends on colour alone. The same input
 * always gives the same bytes: ECharts numbers its element ids from a process-wide counter, and
 * those are renumbered here.
 */
import type * as ECharts from 'echarts';
import type { Calibration } from '../engine/calibration.ts';
import type { AnalyticsDimension, LearnerWeakness, LevelDistribution, ScenarioFailures } from '../engine/cohort-analytics.ts';

/** An image the page shows: a data URI, its size, and what it shows in words. */
export interface Chart {
  src: string;
  alt: string;
  width: number;
  height: number;
}

/** One line of a progress chart: a dimension's level at each attempt it had one. */
export interface ProgressLine {
  name: string;
  points: ReadonlyArray<{ attempt: number; level: number }>;
}

const WIDTH = 760;
const HEATMAP_LEARNER_COLUMN = 170;
const HEATMAP_CELL = 100;
const FONT = 'Arial, Helvetica, sans-serif';
const TEXT = '#1b1f24';
const QUIET = '#4f5661';
const RULE = '#c9ced6';

/**
 * Levels 0 to 3, light to dark in one hue: the order survives greyscale printing and most colour
 * blindness. Each with the label colour that reads on it at 4.5:1 or better.
 */
const LEVEL_FILL = ['#c6dbef', '#6baed6', '#2171b5', '#08306b'] as const;
const LEVEL_LABEL = [TEXT, TEXT, '#ffffff', '#ffffff'] as const;
const NO_LEVEL_FILL = '#eceef1';

/** Lines of a progress chart differ in colour, symbol and dash, so none is told apart by colour alone. */
const LINE_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#1b1f24', '#8c6d1f', '#56b4e9', '#e69f00'];
const LINE_SYMBOLS = ['circle', 'rect', 'triangle', 'diamond', 'emptyCircle', 'emptyRect', 'emptyTriangle', 'emptyDiamond'];
const LINE_TYPES = ['solid', 'dashed', 'dotted'] as const;

const CHANGED_COLOUR = '#b35806';
const EXACT_COLOUR = '#542788';
const FAILED_COLOUR = '#08519c';

const textStyle = { fontFamily: FONT, fontSize: 14, color: TEXT };
const axisLabel = { fontFamily: FONT, fontSize: 14, color: TEXT };
const outline = { borderColor: TEXT, borderWidth: 1 };

/**
 * Long names (dimensions, scenario titles) wrap within 210px of a 280px margin: ECharts measures
 * text by Helvetica's widths, and a browser without Arial (Linux's DejaVu Sans) draws it up to a
 * fifth wider, which would otherwise run off the image's left edge.
 */
const LABEL_MARGIN = 280;
const CATEGORY_LABEL = { ...axisLabel, width: 210, overflow: 'break', lineHeight: 17 };

/** Stacked horizontal bars: per dimension, how many latest attempts were at each level, counts written on the bars. */
export function levelDistributionChart(distribution: readonly LevelDistribution[], levelNames?: readonly string[]): Chart {
  const rowHeight = 44;
  const height = 120 + rowHeight * distribution.length;
  const names = [0, 1, 2, 3].map((level) => levelName(level, levelNames));
  const svg = render(height, {
    legend: { top: 8, left: 'center', textStyle, itemWidth: 22, itemHeight: 14, itemGap: 36, itemStyle: outline },
    grid: { left: LABEL_MARGIN, right: 30, top: 50, bottom: 50 },
    xAxis: {
      type: 'value',
      minInterval: 1,
      name: 'Latest attempts',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: axisLabel,
      axisLabel,
      splitLine: { lineStyle: { color: RULE } },
    },
    yAxis: categoryRows(distribution.map((d) => d.dimension.name)),
    series: names.map((name, level) => ({
      type: 'bar',
      name,
      stack: 'levels',
      barWidth: 28,
      itemStyle: { color: LEVEL_FILL[level], ...outline },
      label: {
        show: true,
        fontFamily: FONT,
        fontSize: 14,
        fontWeight: 'bold',
        color: LEVEL_LABEL[level],
        formatter: (p: { value: number }) => (p.value === 0 ? '' : String(p.value)),
      },
      data: distribution.map((d) => d.counts[level]),
    })),
  });
  const alt = `Stacked bar chart of how many latest attempts reached each level, per dimension, from level 0 (${names[0]}) on the left to 3 (${names[3]}) on the right. ${distribution
    .map((d) => `${d.dimension.name}: ${d.counts.map((count, level) => `${count} at ${level}`).join(', ')}.`)
    .join(' ')}`;
  return chart(svg, alt, height);
}

/** A line per dimension over attempt numbers, the y axis the levels 0–3 by name. */
export function progressChart(lines: readonly ProgressLine[], subject: string, levelNames?: readonly string[]): Chart {
  // At least two attempts wide: a first attempt alone would sit on an axis from 0.5 to 1.
  const attempts = Math.max(2, ...lines.flatMap((l) => l.points.map((p) => p.attempt)));
  const height = 340 + 22 * lines.length;
  const svg = render(height, {
    // One dimension a line: full names fit, and each sits beside its own symbol and dash.
    legend: { orient: 'vertical', bottom: 8, left: 140, textStyle, itemWidth: 40, itemHeight: 12, itemGap: 8 },
    grid: { left: 140, right: 40, top: 24, bottom: 64 + 22 * lines.length },
    xAxis: {
      type: 'value',
      min: 1,
      max: attempts,
      interval: 1,
      name: 'Attempt',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: axisLabel,
      axisLabel,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 3,
      interval: 1,
      axisLabel: { ...axisLabel, formatter: (value: number) => `${value} ${levelNames?.[value] ?? ''}`.trim() },
      splitLine: { lineStyle: { color: RULE } },
    },
    series: lines.map((line, i) => ({
      type: 'line',
      name: line.name,
      symbol: LINE_SYMBOLS[i % LINE_SYMBOLS.length],
      symbolSize: 10,
      lineStyle: { width: 2.5, type: LINE_TYPES[i % LINE_TYPES.length], color: LINE_COLOURS[i % LINE_COLOURS.length] },
      itemStyle: { color: LINE_COLOURS[i % LINE_COLOURS.length] },
      data: line.points.map((p) => [p.attempt, round(p.level)]),
    })),
  });
  const alt = `Line chart of ${subject} at each attempt, one line per dimension, levels 0 to 3 upwards. ${lines
    .map(
      (l) =>
        `${l.name}: ${l.points.length === 0 ? 'no levels' : l.points.map((p) => `attempt ${p.attempt} ${round(p.level)}`).join(', ')}.`,
    )
    .join(' ')}`;
  return chart(svg, alt, height);
}

/** Horizontal bars of failed attempts per scenario, most failed at the top, "failed of attempts" written beside each. */
export function failedScenariosChart(failures: readonly ScenarioFailures[]): Chart {
  const rows = failures.filter((f) => f.failed > 0);
  const height = 100 + 52 * Math.max(1, rows.length);
  const svg = render(height, {
    grid: { left: LABEL_MARGIN, right: 150, top: 20, bottom: 50 },
    xAxis: {
      type: 'value',
      minInterval: 1,
      name: 'Failed attempts',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: axisLabel,
      axisLabel,
      splitLine: { lineStyle: { color: RULE } },
    },
    yAxis: categoryRows(rows.map((f) => f.scenario.title)),
    series: [
      {
        type: 'bar',
        name: 'Failed attempts',
        barWidth: 24,
        itemStyle: { color: FAILED_COLOUR, ...outline },
        label: { show: true, position: 'right', ...axisLabel, formatter: (p: { dataIndex: number }) => failedText(rows[p.dataIndex]!) },
        data: rows.map((f) => f.failed),
      },
    ],
  });
  const alt =
    rows.length === 0
      ? 'Bar chart of failed attempts per scenario: no attempt has failed.'
      : `Bar chart of failed attempts per scenario, most failed first. ${rows.map((f) => `${f.scenario.title}: ${failedText(f)}.`).join(' ')}`;
  return chart(svg, alt, height);
}

/**
 * A heatmap, learner by dimension, of mean levels over latest attempts, each value written in its
 * cell; each learner's weakest dimension is marked ▼ and outlined, not only coloured.
 */
export function weakestDimensionChart(weakest: readonly LearnerWeakness[], dimensions: readonly AnalyticsDimension[]): Chart {
  const rowHeight = 36;
  const height = 150 + rowHeight * weakest.length;
  // Wide enough that a dimension's longest word ("communication") fits its column at 12px.
  const width = HEATMAP_LEARNER_COLUMN + HEATMAP_CELL * dimensions.length + 20;
  const learners = weakest.map((w) => learnerLabel(w.learner));
  const data = weakest.flatMap((w, row) =>
    dimensions.map((d, column) => {
      const mean = w.means[d.id] ?? null;
      const isWeakest = w.weakest.includes(d.id);
      const level = mean === null ? null : Math.min(3, Math.max(0, Math.round(mean)));
      return {
        value: [column, row, mean === null ? '-' : round(mean)],
        itemStyle: {
          color: level === null ? NO_LEVEL_FILL : LEVEL_FILL[level],
          borderColor: isWeakest ? '#d4351c' : '#ffffff',
          borderWidth: isWeakest ? 4 : 1,
        },
        label: {
          color: level === null ? QUIET : LEVEL_LABEL[level],
          fontWeight: isWeakest ? 'bold' : 'normal',
          formatter: mean === null ? '–' : `${isWeakest ? '▼ ' : ''}${round(mean).toFixed(1)}`,
        },
      };
    }),
  );
  const svg = render(
    height,
    {
      grid: { left: HEATMAP_LEARNER_COLUMN, right: 20, top: 100, bottom: 20 },
      xAxis: {
        type: 'category',
        position: 'top',
        data: dimensions.map((d) => d.name),
        axisLabel: {
          ...axisLabel,
          fontSize: 12,
          interval: 0,
          width: HEATMAP_CELL - 14,
          overflow: 'break',
          lineHeight: 14,
        },
        axisTick: { show: false },
        splitArea: { show: false },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: learners,
        axisLabel: { ...axisLabel, width: HEATMAP_LEARNER_COLUMN - 40, overflow: 'truncate' },
        axisTick: { show: false },
      },
      // Hidden: the cells carry their values, and the same four bands colour them as round to a level.
      visualMap: {
        show: false,
        type: 'piecewise',
        dimension: 2,
        pieces: [
          { lt: 0.5, color: LEVEL_FILL[0] },
          { gte: 0.5, lt: 1.5, color: LEVEL_FILL[1] },
          { gte: 1.5, lt: 2.5, color: LEVEL_FILL[2] },
          { gte: 2.5, color: LEVEL_FILL[3] },
        ],
        outOfRange: { color: NO_LEVEL_FILL },
      },
      series: [{ type: 'heatmap', name: 'Mean level', label: { show: true, fontFamily: FONT, fontSize: 14 }, data }],
    },
    width,
  );
  const alt = `Heatmap of each learner's mean level per dimension over their latest attempts, 0 to 3, the weakest dimension marked ▼. ${weakest
    .map((w, i) => {
      const named = w.weakest.map((id) => dimensions.find((d) => d.id === id)?.name ?? id);
      return named.length === 0
        ? `${learners[i]}: no levels yet.`
        : `${learners[i]}: weakest ${named.join(' and ')} (mean ${round(w.lowestMean!).toFixed(1)}).`;
    })
    .join(' ')}`;
  return chart(svg, alt, height, width);
}

/** Paired bars per dimension: how often tutors changed the scorer's level, and how often they agreed exactly. */
export function calibrationChart(calibration: Calibration): Chart {
  const rows = calibration.rows;
  const height = 120 + 64 * Math.max(1, rows.length);
  const percentLabel = (what: string) => ({
    show: true,
    position: 'right',
    ...axisLabel,
    formatter: (p: { value: number | null }) => (p.value === null ? `${what}: no pairs` : `${what} ${p.value}%`),
  });
  const svg = render(height, {
    legend: { top: 8, left: 'center', textStyle, itemWidth: 22, itemHeight: 14, itemGap: 36, itemStyle: outline },
    grid: { left: LABEL_MARGIN, right: 150, top: 50, bottom: 50 },
    xAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 25,
      name: 'Per cent of reviewed rehearsals',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: axisLabel,
      axisLabel: { ...axisLabel, formatter: '{value}%' },
      splitLine: { lineStyle: { color: RULE } },
    },
    yAxis: categoryRows(rows.map((r) => r.dimension.name)),
    series: [
      {
        type: 'bar',
        name: 'Tutor changed the level',
        barWidth: 18,
        itemStyle: { color: CHANGED_COLOUR, ...outline },
        label: percentLabel('changed'),
        data: rows.map((r) => percent(r.changedRate)),
      },
      {
        type: 'bar',
        name: 'Exact agreement',
        barWidth: 18,
        itemStyle: { color: EXACT_COLOUR, ...outline },
        label: percentLabel('exact'),
        data: rows.map((r) => percent(r.agreement.exact)),
      },
    ],
  });
  const alt = `Bar chart, per dimension, of how often tutors changed the scorer's level and how often they agreed with it exactly, in per cent of reviewed rehearsals. ${rows
    .map(
      (r) =>
        `${r.dimension.name}: changed ${percentText(r.changedRate)} of ${r.reviewed}, exact agreement ${percentText(r.agreement.exact)} of ${r.agreement.pairs}.`,
    )
    .join(' ')}`;
  return chart(svg, alt, height);
}

// ---------------------------------------------------------------------------------------------

/** The rows of a horizontal bar chart, top to bottom in the order given, labelled in full (wrapped). */
function categoryRows(labels: string[]) {
  return { type: 'category', inverse: true, data: labels, axisLabel: CATEGORY_LABEL, axisTick: { show: false } };
}

/** ECharts, once loaded: importing it takes about a second, which only the chart pages should pay. */
let echarts: typeof ECharts | undefined;

/** Loads ECharts, if it is not loaded yet: call before rendering a page with charts. */
export async function loadCharts(): Promise<void> {
  echarts ??= await import('echarts');
}

function render(height: number, option: Record<string, unknown>, width = WIDTH): string {
  if (!echarts) throw new Error('charts are drawn only after loadCharts() has loaded ECharts');
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    instance.setOption({ animation: false, backgroundColor: '#ffffff', textStyle, ...option });
    return stableIds(instance.renderToSVGString());
  } finally {
    instance.dispose();
  }
}

/**
 * ECharts prefixes ids and class names with a process-wide counter (`zr3-c0`, `zr3-cls-17`): the
 * same chart drawn twice would differ. Each SVG is its own document inside an `<img>`, so one fixed
 * prefix is safe, and class numbers are renumbered in the order they appear.
 */
function stableIds(svg: string): string {
  const classes = new Map<string, number>();
  return svg
    .replace(/\bzr\d+-cls-(\d+)\b/g, (_, n: string) => `chart-cls-${classes.get(n) ?? classes.set(n, classes.size).get(n)!}`)
    .replace(/\bzr\d+-/g, 'chart-');
}

function chart(svg: string, alt: string, height: number, width = WIDTH): Chart {
  return { src: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`, alt, width, height };
}

function levelName(level: number, names: readonly string[] | undefined): string {
  return names?.[level] ? `${level} ${names[level]}` : `Level ${level}`;
}

function failedText(f: ScenarioFailures): string {
  return `${f.failed} of ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}`;
}

function learnerLabel(learner: { id: string; name?: string }): string {
  return learner.name ?? learner.id;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** A rate as a whole per cent for a bar, or null (no bar) when there is nothing to rate. */
const percent = (rate: number) => (Number.isNaN(rate) ? null : Math.round(rate * 100));

const percentText = (rate: number) => (Number.isNaN(rate) ? 'no figure' : `${Math.round(rate * 100)}%`);
