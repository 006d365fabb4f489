// Forecast calls and counsellors to roster per half hour, as an SVG drawn here (no chart library: the console's
// Content-Security-Policy allows no inline style, and two series need none).
import type { PlanInterval } from './model';

const WIDTH = 1000;
const HEIGHT = 200;

export function PlanChart({ intervals }: { intervals: PlanInterval[] }) {
  if (!intervals.length) return null;
  const peak = Math.max(1, ...intervals.map((i) => Math.max(i.forecast_calls, i.erlang_c.rostered)));
  const step = WIDTH / intervals.length;
  const y = (v: number) => HEIGHT - (v / peak) * (HEIGHT - 10);
  const rostered = intervals
    .map((i, n) => `${n === 0 ? 'M' : 'L'}${(n * step).toFixed(1)},${y(i.erlang_c.rostered).toFixed(1)}h${step.toFixed(1)}`)
    .join('');
  return (
    <figure class="staffing-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="staffing-chart-title" preserveAspectRatio="none">
        <title id="staffing-chart-title">
          Forecast calls (bars) and counsellors to roster by Erlang C (line) per half hour; at most {Math.round(peak)}
        </title>
        {intervals.map((i, n) => (
          <rect
            key={i.start}
            class="calls"
            x={(n * step).toFixed(1)}
            y={y(i.forecast_calls).toFixed(1)}
            width={Math.max(0.5, step - 0.5).toFixed(1)}
            height={(HEIGHT - y(i.forecast_calls)).toFixed(1)}
          />
        ))}
        <path class="rostered" d={rostered} />
      </svg>
      <figcaption class="muted">
        Bars: forecast calls per half hour. Line: counsellors to roster (Erlang C, shrinkage allowed for).
      </figcaption>
    </figure>
  );
}
