/**
 * Charts, drawn by uPlot on a canvas. Labels (metric names, run ids) reach the DOM through
 * uPlot's textContent, never as HTML.
 */
import uPlot from "uplot";
import { h } from "./dom";
import { fmtNumber } from "./format";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c"];

/** One line of a chart. */
export interface Line {
  label: string;
  x: number[];
  y: number[];
}

const live = new Set<uPlot>();

const INT_INCRS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7].map((p) => m * p)).sort((a, b) => a - b);

function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.floor(el.getBoundingClientRect().width || 480));
}

/** Lines over a shared x (the union of their x values; gaps where a line has none). */
function align(lines: Line[]): uPlot.AlignedData {
  const xs = [...new Set(lines.flatMap((l) => l.x))].sort((a, b) => a - b);
  const pos = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    l.x.forEach((x, i) => (col[pos.get(x)!] = l.y[i]!));
    return col;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

/**
 * A line chart in a new `<figure>`; the chart is drawn once the figure is in the page.
 *
 * @example
 * container.append(lineChart("loss", "step", [{ label: "loss", x: [1, 2], y: [0.9, 0.4] }]));
 */
export function lineChart(title: string, xLabel: string, lines: Line[], opts: { xValues?: (v: number) => string; bars?: boolean; categories?: number } = {}): HTMLElement {
  const holder = h("div", { class: "chart" });
  const fig = h("figure", { class: "chart-card" }, h("figcaption", null, title), holder);
  const draw = () => {
    const data = align(lines);
    const bars = !!opts.bars;
    const count = opts.categories ?? (data[0] as number[]).length;
    const single = (data[0] as number[]).length === 1;
    const plot = new uPlot(
      {
        width: widthOf(holder),
        height: 200,
        legend: { show: lines.length > 1 },
        cursor: { drag: { x: true, y: false } },
        scales: bars
          ? {
              // Categories 0..n-1 with half a slot either side; bars grow from zero.
              x: { time: false, range: () => [-0.5, count - 0.5] },
              y: { range: (_u, min, max) => [Math.min(0, min), max <= 0 ? 0 : max * 1.08] },
            }
          : { x: { time: false } },
        axes: [
          {
            label: xLabel,
            labelSize: 18,
            size: 36,
            splits: bars ? () => Array.from({ length: count }, (_, i) => i) : undefined,
            // Steps and indices are whole numbers: no ticks between them.
            incrs: !bars && (data[0] as number[]).every(Number.isInteger) ? INT_INCRS : undefined,
            values: opts.xValues ? (_u, splits) => splits.map((v) => (Number.isInteger(v) ? opts.xValues!(v) : "")) : undefined,
          },
          { size: 56, values: (_u, splits) => splits.map((v) => fmtNumber(v)) },
        ],
        series: [
          { label: xLabel },
          ...lines.map((l, i) => ({
            label: l.label,
            stroke: PALETTE[i % PALETTE.length],
            fill: bars ? `${PALETTE[i % PALETTE.length]}88` : undefined,
            width: 2,
            spanGaps: true,
            points: { show: !bars && (single || l.x.length <= 30), size: 6 },
            paths: bars ? uPlot.paths.bars!({ size: [0.6, 80], align: 0 }) : undefined,
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : fmtNumber(v)),
          })),
        ],
      },
      data,
      holder,
    );
    live.add(plot);
  };
  // Drawn when attached, so it can measure its width.
  requestAnimationFrame(() => {
    if (holder.isConnected) draw();
    else {
      const obs = new MutationObserver(() => {
        if (holder.isConnected) {
          obs.disconnect();
          draw();
        }
      });
      obs.observe(document.body, { childList: true, subtree: true });
    }
  });
  return fig;
}

/** Removes charts that left the page (uPlot holds resize listeners). */
export function disposeDetachedCharts(): void {
  for (const p of live) {
    if (!p.root.isConnected) {
      p.destroy();
      live.delete(p);
    }
  }
}
