/** Live time series drawn by uPlot; this file only describes series and hands over columns. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
  scale: string;
  format: (v: number) => string;
}

export interface AxisSpec {
  scale: string;
  label: string;
  side: 1 | 3;
  format: (v: number) => string;
  /** Room for the tick labels, in CSS pixels. */
  size?: number;
  /** The range shown while there is no data (default 0–1), so the axis is drawn with its ticks all the same. */
  empty?: [number, number];
}

/** How much time an empty chart's axis spans, ending now, in seconds. */
const EMPTY_WINDOW_S = 300;

export class TimeChart {
  readonly el: HTMLElement;
  private readonly plot: uPlot;
  private readonly resize: ResizeObserver;

  constructor(title: string, series: SeriesSpec[], axes: AxisSpec[], height = 200) {
    this.el = document.createElement('div');
    this.el.className = 'chart';
    this.el.dataset.points = '0';
    // With no data uPlot has no range and draws bare axes: an empty chart shows the last minutes and a default range instead.
    const empty = (fallback: () => [number, number]) => (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => (min === null || max === null ? fallback() : min === max ? [min - 1, max + 1] : [min, max]);
    const now = (): [number, number] => [Date.now() / 1000 - EMPTY_WINDOW_S, Date.now() / 1000];
    // The tick counts are noted on the element: the axes are drawn on a canvas, where a test cannot read them.
    const noted = (axis: string, format: (v: number) => string) => (_u: uPlot, ticks: number[]) => {
      this.el.dataset[`ticks${axis}`] = String(ticks.length);
      return ticks.map(format);
    };
    const minutes = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    const seconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const opts: uPlot.Options = {
      title,
      width: 600,
      height,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: empty(now) }, ...Object.fromEntries(axes.map((a) => [a.scale, { range: empty(() => a.empty ?? [0, 1]) }])) },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.format(v)) }))],
      axes: [
        { stroke: '#9aa4b2', grid: { stroke: '#2a3140' }, values: (u: uPlot, ticks: number[]) => noted('X', (v) => (ticks.every((t) => t % 60 === 0) ? minutes : seconds).format(v * 1000))(u, ticks) },
        ...axes.map((a, i) => ({ scale: a.scale, label: a.label, side: a.side, size: a.size ?? 50, stroke: '#9aa4b2', grid: { show: a.side === 3, stroke: '#2a3140' }, values: noted(i === 0 ? 'Y' : `Y${i}`, a.format) })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...series.map(() => [])], this.el);
    // Follow the container's width; uPlot draws on a canvas of a fixed size.
    this.resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height });
    });
    this.resize.observe(this.el);
  }

  /** Rows of [time in s, value per series]; uPlot wants columns. */
  setData(rows: readonly (readonly [number, ...(number | null)[]])[]): void {
    const columns = this.plot.series.map((_, i) => rows.map((r) => r[i] ?? null));
    this.plot.setData(columns as uPlot.AlignedData);
    // An empty chart's time axis moves on with the clock.
    if (rows.length === 0) this.plot.setScale('x', { min: Date.now() / 1000 - EMPTY_WINDOW_S, max: Date.now() / 1000 });
    this.el.dataset.points = String(rows.length);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }
}
