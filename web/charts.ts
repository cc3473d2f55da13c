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
}

export class TimeChart {
  readonly el: HTMLElement;
  private readonly plot: uPlot;
  private readonly resize: ResizeObserver;

  constructor(title: string, series: SeriesSpec[], axes: AxisSpec[], height = 200) {
    this.el = document.createElement('div');
    this.el.className = 'chart';
    this.el.dataset.points = '0';
    const opts: uPlot.Options = {
      title,
      width: 600,
      height,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.format(v)) }))],
      axes: [{ stroke: '#9aa4b2', grid: { stroke: '#2a3140' } }, ...axes.map((a) => ({ scale: a.scale, label: a.label, side: a.side, size: a.size ?? 50, stroke: '#9aa4b2', grid: { show: a.side === 3, stroke: '#2a3140' }, values: (_u: uPlot, ticks: number[]) => ticks.map(a.format) }))],
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
    this.el.dataset.points = String(rows.length);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }
}
