import { useState } from 'react';
import { chartGeometry, trendSeries, type Series } from './trend-series';
import type { JourneyReport } from './report-types';

const box = { width: 720, height: 260, left: 48, right: 16, top: 12, bottom: 32 };
const colors: Record<Series['key'], string> = { entered: '#2563eb', control: '#9ca3af', converted: '#16a34a' };

/** The trend as a plain SVG line chart (no chart library): entries, control entries and conversions per bucket. */
export function TrendChart({ report }: { report: Pick<JourneyReport, 'trend' | 'bucket'> }) {
  const trend = trendSeries(report);
  const [hidden, setHidden] = useState<Set<Series['key']>>(new Set());
  if (trend.starts.length === 0) return <p className="empty-chart">No entries in this range yet.</p>;
  const shown = { ...trend, series: trend.series.filter((s) => !hidden.has(s.key)) };
  const geometry = chartGeometry(shown.series.length > 0 ? shown : trend, box);
  const toggle = (key: Series['key']) =>
    setHidden((previous) => {
      const next = new Set(previous);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <figure className="trend-chart">
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-label={`Trend by ${report.bucket}: ${trend.series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')}`}
      >
        {geometry.yTicks.map((tick) => (
          <g key={tick.value} className="tick">
            <line x1={box.left} x2={box.width - box.right} y1={tick.y} y2={tick.y} />
            <text x={box.left - 6} y={tick.y + 4} textAnchor="end">
              {tick.value}
            </text>
          </g>
        ))}
        {geometry.xLabels.map((label) => (
          <text key={label.text} className="x-label" x={label.x} y={box.height - 10} textAnchor="middle">
            {label.text}
          </text>
        ))}
        {shown.series.length > 0 &&
          geometry.lines.map((line) => (
            <g key={line.key} data-series={line.key}>
              <polyline points={line.points} fill="none" stroke={colors[line.key]} strokeWidth={2} />
              {line.dots.map((dot, index) => (
                <circle key={index} cx={dot.x} cy={dot.y} r={3} fill={colors[line.key]}>
                  <title>{`${trend.starts[index]}: ${dot.value}`}</title>
                </circle>
              ))}
            </g>
          ))}
      </svg>
      <figcaption className="legend">
        {trend.series.map((s) => (
          <button
            key={s.key}
            type="button"
            aria-pressed={!hidden.has(s.key)}
            onClick={() => toggle(s.key)}
            title={hidden.has(s.key) ? `Show ${s.label}` : `Hide ${s.label}`}
          >
            <span className="swatch" style={{ background: colors[s.key] }} aria-hidden="true" />
            {s.label}
          </button>
        ))}
      </figcaption>
    </figure>
  );
}
