import type { EventRow, FormProblem } from './dry-run-request';

/** The scripted events: a row each (offset, name, properties), added and removed with buttons. */
export function EventRows({ rows, problems, onChange }: { rows: EventRow[]; problems: FormProblem[]; onChange(rows: EventRow[]): void }) {
  const problemOf = (field: string) => problems.find((p) => p.field === field)?.message;
  const set = (index: number, patch: Partial<EventRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="event-rows">
      <legend>Events of the user</legend>
      {rows.length === 0 && <p className="hint">None: the user does nothing after entering.</p>}
      {rows.map((row, index) => (
        <div key={index} className="event-row">
          {(['at', 'name', 'properties'] as const).map((part) => {
            const id = `events.${index}.${part}`;
            const problem = problemOf(id);
            const labels = { at: 'After (ISO-8601)', name: 'Event name', properties: 'Properties (JSON)' };
            return (
              <label key={part} htmlFor={id}>
                {labels[part]} {index + 1}
                <input
                  id={id}
                  value={row[part]}
                  placeholder={part === 'at' ? 'PT1H' : part === 'name' ? 'order_completed' : '{"total": 42}'}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${id}-problem` : undefined}
                  onChange={(event) => set(index, { [part]: event.target.value })}
                />
                {problem && (
                  <span id={`${id}-problem`} className="field-problem">
                    {problem}
                  </span>
                )}
              </label>
            );
          })}
          <button type="button" onClick={() => onChange(rows.filter((_, i) => i !== index))} aria-label={`Remove event ${index + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { at: 'PT1H', name: '', properties: '' }])}>
        Add an event
      </button>
    </fieldset>
  );
}
