import { useEffect, useState, type ReactNode } from 'react';
import type { PageProps } from '../../app/page';
import { navigate } from '../../app/router';
import { ApiProblem } from '../../api/client';
import { useSession } from '../../api/session';
import { ProblemMessage } from '../../components/ProblemMessage';
import { usePolling } from '../../components/usePolling';
import { dryRunRequestOf, emptyForm, fieldOfApiPath, type DryRunForm, type FormProblem } from './dry-run-request';
import type { DryRunResponse, JourneyChoice, VersionEntry } from './dry-run-types';
import { DryRunResult } from './DryRunResult';
import { EventRows } from './EventRows';
import './dry-run.css';

/** `#/dry-run?journey=abandoned-cart&version=1`: a version run for a test user in simulated time. */
export function DryRunPage({ query }: PageProps) {
  const { api } = useSession();
  const journeyId = query.get('journey') ?? '';
  const version = Number(query.get('version') ?? '') || undefined;
  const pick = (next: { journey?: string; version?: number }) => navigate('/dry-run', next);

  const journeys = usePolling((signal) => api.request<{ items: JourneyChoice[] }>('/v1/journeys', { query: { limit: 200 }, signal }), []);
  const journey = journeys.data?.items.find((j) => j.id === journeyId);
  const versionDetail = usePolling(
    (signal) =>
      journeyId && version
        ? api.request<VersionEntry>(`/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}`, { signal })
        : Promise.resolve(undefined),
    [journeyId, version],
  );
  const entry = versionDetail.data?.definition.entry;

  const [form, setForm] = useState<DryRunForm>(emptyForm);
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [state, setState] = useState<{ running: boolean; error?: unknown; result?: DryRunResponse }>({ running: false });

  // A journey entered on an event needs that event as the trigger: its name is filled in for the user.
  useEffect(() => {
    if (entry?.type === 'event' && entry.event)
      setForm((previous) => (previous.triggerName ? previous : { ...previous, triggerName: entry.event! }));
  }, [entry?.type, entry?.event]);

  async function run() {
    const request = dryRunRequestOf(form);
    if (!request.ok) {
      setProblems(request.problems);
      return;
    }
    setProblems([]);
    setState({ running: true });
    try {
      const result = await api.request<DryRunResponse>(`/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}/dry-run`, {
        method: 'POST',
        body: request.body,
      });
      setState({ running: false, result });
    } catch (error) {
      if (error instanceof ApiProblem)
        setProblems(
          error.problems.flatMap((p) => (fieldOfApiPath(p.path) ? [{ field: fieldOfApiPath(p.path)!, message: p.message }] : [])),
        );
      setState({ running: false, error });
    }
  }

  const problemOf = (field: string) => problems.find((p) => p.field === field)?.message;
  const field = (id: keyof DryRunForm & string, label: string, input: (props: FieldProps) => ReactNode, hint?: string) => {
    const problem = problemOf(id);
    const describedBy = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <label htmlFor={id} className="field">
        {label}
        {input({ id, 'aria-invalid': problem ? true : undefined, 'aria-describedby': describedBy })}
        {hint && (
          <span id={`${id}-hint`} className="hint">
            {hint}
          </span>
        )}
        {problem && (
          <span id={`${id}-problem`} className="field-problem">
            {problem}
          </span>
        )}
      </label>
    );
  };
  const text = (id: 'userId' | 'profile' | 'context' | 'triggerName' | 'triggerProperties' | 'until' | 'startAt') => ({
    value: form[id],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [id]: event.target.value }),
  });

  return (
    <section className="dry-run-page">
      <h1>Dry run</h1>
      <p className="hint">
        A version runs for a test user in simulated time, by the real workflow code: nothing is sent and nothing is written.
      </p>
      <ProblemMessage error={journeys.error} />
      <form
        className="dry-run-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div className="pick">
          <label htmlFor="dry-run-journey">
            Journey
            <select id="dry-run-journey" value={journeyId} onChange={(event) => pick({ journey: event.target.value || undefined })}>
              <option value="">Choose a journey…</option>
              {journeys.data?.items.map((j) => (
                <option key={j.id} value={j.id}>
                  {j.name} ({j.id})
                </option>
              ))}
            </select>
          </label>
          <label htmlFor="dry-run-version">
            Version
            <select
              id="dry-run-version"
              value={version ?? ''}
              disabled={!journey}
              onChange={(event) => pick({ journey: journeyId, version: Number(event.target.value) || undefined })}
            >
              <option value="">Choose a version…</option>
              {journey?.versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} ({v.state})
                </option>
              ))}
            </select>
          </label>
          {entry && <p className="hint">Enters on {entry.type === 'event' ? `the event ${entry.event ?? ''}` : entry.type}.</p>}
        </div>
        <div className="columns">
          <div>
            {field('profile', 'Profile (JSON)', (props) => (
              <textarea {...props} rows={9} spellCheck={false} {...text('profile')} />
            ))}
            {field(
              'userId',
              'User id',
              (props) => (
                <input {...props} placeholder="dry-run-user" {...text('userId')} />
              ),
              'Decides the control-group draw and experiment paths.',
            )}
            {field('context', 'Context (JSON)', (props) => (
              <textarea {...props} rows={2} spellCheck={false} {...text('context')} />
            ))}
          </div>
          <div>
            {field(
              'triggerName',
              'Entry event name',
              (props) => (
                <input {...props} {...text('triggerName')} />
              ),
              entry?.type === 'event' ? 'Required: this journey enters on an event.' : 'Only for a journey that enters on an event.',
            )}
            {field('triggerProperties', 'Entry event properties (JSON)', (props) => (
              <textarea {...props} rows={3} spellCheck={false} {...text('triggerProperties')} />
            ))}
            {field(
              'startAt',
              'Start at',
              (props) => (
                <input {...props} type="datetime-local" step={1} {...text('startAt')} />
              ),
              'Empty: now.',
            )}
            {field(
              'until',
              'Simulate for',
              (props) => (
                <input {...props} placeholder="P14D" {...text('until')} />
              ),
              'ISO-8601 duration; empty: the journey timeout plus the conversion window.',
            )}
          </div>
        </div>
        <EventRows rows={form.events} problems={problems} onChange={(events) => setForm({ ...form, events })} />
        <button type="submit" className="primary" disabled={!journeyId || !version || state.running}>
          {state.running ? 'Running…' : 'Run the dry run'}
        </button>
      </form>
      <ProblemMessage error={state.error} />
      {state.result && <DryRunResult result={state.result} />}
    </section>
  );
}

interface FieldProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}
