// A bar chart of one report section (Chart.js on a canvas), beside its table. The canvas is an image with the
// section's figures as its text alternative; the table stays the way to read them exactly.
import { useEffect, useRef } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { ChartData } from './chartData';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

// Colours that stay apart for colour-blind readers (Okabe–Ito).
const COLOURS = ['#0072B2', '#E69F00', '#009E73'];

export function ReportChart({ name, data }: { name: string; data: ChartData }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return undefined;  // no canvas (a test page): the text alternative and the table remain
    const chart = new Chart(context, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.series.map((s, i) => ({
          label: s.label,
          data: s.values,
          backgroundColor: COLOURS[i % COLOURS.length],
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.series.length > 1 } },
        scales: { y: { beginAtZero: true, title: { display: true, text: data.unit === 'count' ? 'contacts' : 'contacts per 1,000 workforce' } } },
      },
    });
    return () => chart.destroy();
  }, [data]);
  return (
    <figure class="report-chart" data-testid={`chart-${name}`}>
      <div class="report-chart-area">
        <canvas ref={canvas} role="img" aria-label={data.description} />
      </div>
      <figcaption>Suppressed and not-applicable figures are gaps in the chart; the table gives every figure.</figcaption>
    </figure>
  );
}
