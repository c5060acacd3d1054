import { useId, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { useSession } from '../../api/session';
import { ProblemMessage } from '../../components/ProblemMessage';
import { problemsByField } from '../content/field-problems';
import { parseWeights } from './experiment-figures';
import { editWeights } from './experiments-api';

/**
 * A manual experiment's weights, edited in place (a content revision): new users are assigned with them at once.
 * The API checks them (every path named, none negative, a sum of 100) and its messages show by the path or the set.
 * The page remounts it (a `key` of the weights) when the saved weights change.
 */
export function WeightsForm({
  journeyId,
  version,
  nodeId,
  paths,
  weights,
  onSaved,
}: {
  journeyId: string;
  version: number;
  nodeId: string;
  paths: readonly string[];
  weights: Record<string, number>;
  onSaved(): void;
}) {
  const { api } = useSession();
  const id = useId();
  const initial = () => Object.fromEntries(paths.map((path) => [path, String(weights[path] ?? 0)]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [refusal, setRefusal] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<number | undefined>(undefined);

  const sum = paths.reduce((total, path) => total + (Number(values[path]) || 0), 0);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    setRefusal(undefined);
    const parsed = parseWeights(paths, values);
    if (!parsed.ok) {
      setErrors(Object.fromEntries(Object.entries(parsed.errors).map(([path, message]) => [path, [message]])));
      return;
    }
    setSaving(true);
    try {
      setSaved(await editWeights(api, journeyId, version, nodeId, parsed.weights));
      setErrors({});
      onSaved();
    } catch (error) {
      if (error instanceof ApiProblem && error.problems.length > 0) {
        const byField = problemsByField(nodeId, error.problems);
        const next: Record<string, string[]> = {};
        for (const [key, messages] of Object.entries(byField)) {
          const path = key.startsWith('weights.') ? key.slice('weights.'.length) : '';
          (next[paths.includes(path) ? path : ''] ??= []).push(...messages);
        }
        setErrors(next);
      } else setRefusal(error);
    } finally {
      setSaving(false);
    }
  }

  const wholeSetErrors = errors[''] ?? [];
  return (
    <form className="weights-form" onSubmit={(event) => void save(event)} noValidate>
      <fieldset aria-describedby={wholeSetErrors.length > 0 ? `${id}-set-error` : `${id}-sum`}>
        <legend>Weights (percent)</legend>
        {paths.map((path) => {
          const messages = errors[path] ?? [];
          return (
            <div key={path} className={messages.length > 0 ? 'weight-field invalid' : 'weight-field'}>
              <label htmlFor={`${id}-${path}`}>{path}</label>
              <input
                id={`${id}-${path}`}
                type="text"
                inputMode="decimal"
                value={values[path] ?? ''}
                disabled={saving}
                aria-invalid={messages.length > 0 || undefined}
                aria-describedby={messages.length > 0 ? `${id}-${path}-error` : undefined}
                onChange={(e) => setValues((previous) => ({ ...previous, [path]: e.target.value }))}
              />
              {messages.length > 0 && (
                <span id={`${id}-${path}-error`} className="field-error">
                  {messages.join(' ')}
                </span>
              )}
            </div>
          );
        })}
        <p id={`${id}-sum`} className="hint">
          Sum: {Math.round(sum * 100) / 100}
        </p>
        {wholeSetErrors.length > 0 && (
          <ul id={`${id}-set-error`} className="field-error" role="alert">
            {wholeSetErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        )}
      </fieldset>
      <ProblemMessage error={refusal} />
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save weights'}
        </button>
        <span role="status" className="saved">
          {saved !== undefined ? `Saved (revision ${saved}): new users are assigned with these weights.` : ''}
        </span>
      </div>
    </form>
  );
}
