import { weightBands } from './experiment-figures';
import type { WeightChange } from './experiments-api';

const palette = ['#0b5cad', '#d97706', '#1a7f37', '#8250df', '#b42318', '#0f766e', '#6b7280'];

export function pathColor(paths: readonly string[], path: string): string {
  return palette[paths.indexOf(path) % palette.length] ?? palette[0]!;
}

/** Weights over time: a stepped stacked chart (one band per path), with a legend; the table below it has the same figures. */
export function WeightsChart({ paths, history, now }: { paths: readonly string[]; history: readonly WeightChange[]; now: Date }) {
  const width = 720;
  const height = 160;
  const bands = weightBands(paths, history, now, { width, height, minWidth: 6 });
  if (bands.length === 0) return <p className="muted">No weight changes yet.</p>;
  const first = history[0]!;
  return (
    <figure className="weights-chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="Weights of each path over time" preserveAspectRatio="none">
        {bands.map((band) => (
          <rect
            key={`${band.change.seq}-${band.change.at}-${band.path}`}
            x={band.x}
            y={band.y}
            width={Math.max(band.width - 1, 1)}
            height={band.height}
            fill={pathColor(paths, band.path)}
          >
            <title>{`${band.path}: ${band.weight}% from ${new Date(band.change.at).toLocaleString()} (${band.change.reason})`}</title>
          </rect>
        ))}
        <text x={0} y={height + 15} className="axis">
          {new Date(first.at).toLocaleString()}
        </text>
        <text x={width} y={height + 15} textAnchor="end" className="axis">
          now
        </text>
      </svg>
      <figcaption>
        {paths.map((path) => (
          <span key={path} className="legend">
            <span className="swatch" style={{ background: pathColor(paths, path) }} aria-hidden="true" />
            {path}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
