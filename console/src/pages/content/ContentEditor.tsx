import { useId, useMemo, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { useSession } from '../../api/session';
import { ProblemMessage } from '../../components/ProblemMessage';
import { fieldsOf, type Channel, type ContentField } from './channel-fields';
import { editContent, type Revision } from './content-api';
import { toContent, toFormValues, type FormValues } from './content-form';
import { problemsByField } from './field-problems';

/**
 * Edits one message node's content in place: the fields of its channel, saved as the node's next revision.
 * The API validates (a missing subject, a bad URL, a template that does not parse) and its messages appear
 * next to the field they name; the form only parses what it must (JSON, numbers) before sending.
 */
export function ContentEditor({
  journeyId,
  version,
  nodeId,
  channel,
  content,
  editable,
  restore,
  onSaved,
}: {
  journeyId: string;
  version: number;
  nodeId: string;
  channel: Channel;
  content: Record<string, unknown>;
  /** False for a read key or a version whose content cannot change: the fields show, nothing can be saved. */
  editable: boolean;
  /** An earlier revision to put into the form (not saved until Save). */
  restore?: Revision;
  onSaved(revision: number | undefined): void;
}) {
  const { api } = useSession();
  // What the form was loaded from: the current content, or an earlier revision put back (not saved yet).
  const [source, setSource] = useState<{ content: Record<string, unknown>; revision?: number }>({ content });
  const fields = useMemo(() => fieldsOf(channel, source.content), [channel, source]);
  const [values, setValues] = useState<FormValues>(() => toFormValues(fields, content));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [refusal, setRefusal] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<number | undefined>(undefined);

  function load(next: { content: Record<string, unknown>; revision?: number }) {
    setSource(next);
    setValues(toFormValues(fieldsOf(channel, next.content), next.content));
    setErrors({});
    setRefusal(undefined);
    if (next.revision !== undefined) setSaved(undefined);
  }

  // A newer revision loaded from the API, or an earlier one restored: the form starts again from it, in this
  // render (an effect would run later and could wipe what was typed meanwhile).
  const [seen, setSeen] = useState({ content, restore });
  if (seen.content !== content || seen.restore !== restore) {
    setSeen({ content, restore });
    load(restore && restore !== seen.restore ? { content: restore.content, revision: restore.revision } : { content });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(undefined);
    setRefusal(undefined);
    const parsed = toContent(fields, values, source.content);
    if (!parsed.ok) {
      setErrors(Object.fromEntries(Object.entries(parsed.errors).map(([field, message]) => [field, [message]])));
      return;
    }
    setSaving(true);
    try {
      const revision = await editContent(api, journeyId, version, nodeId, parsed.content);
      setErrors({});
      setSaved(revision);
      onSaved(revision);
    } catch (error) {
      if (error instanceof ApiProblem && error.problems.length > 0) {
        const byField = problemsByField(nodeId, error.problems);
        const { fieldErrors, others } = splitByField(fields, byField);
        setErrors(fieldErrors);
        setRefusal(others.length > 0 ? others : error.title);
      } else setRefusal(error);
    } finally {
      setSaving(false);
    }
  }

  const fieldCount = Object.values(errors).reduce((sum, list) => sum + list.length, 0);
  return (
    <form className="content-editor" onSubmit={(event) => void save(event)} noValidate aria-label={`Content of ${nodeId}`}>
      {fields.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          value={values[field.name] ?? ''}
          errors={errors[field.name] ?? []}
          disabled={!editable || saving}
          onChange={(value) => setValues((previous) => ({ ...previous, [field.name]: value }))}
        />
      ))}
      {refusal !== undefined && <Refusal refusal={refusal} fieldCount={fieldCount} />}
      {editable && (
        <div className="form-buttons">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save as new revision'}
          </button>
          <button type="button" disabled={saving} onClick={() => load({ content })}>
            Discard changes
          </button>
          <span role="status" className="saved">
            {saved !== undefined
              ? `Saved as revision ${saved}: the next sends use it.`
              : source.revision !== undefined
                ? `Revision ${source.revision} is in the form: save it to use it again.`
                : ''}
          </span>
        </div>
      )}
    </form>
  );
}

/** The API's messages that name a field go next to it; the rest (the content as a whole, another node) above the buttons. */
function splitByField(fields: readonly ContentField[], byField: Record<string, string[]>) {
  const fieldErrors: Record<string, string[]> = {};
  const others: string[] = [];
  for (const [key, messages] of Object.entries(byField)) {
    const field = fields.find((f) => key === f.name || key.startsWith(`${f.name}.`));
    if (field) (fieldErrors[field.name] ??= []).push(...messages);
    else others.push(...messages);
  }
  return { fieldErrors, others };
}

function Refusal({ refusal, fieldCount }: { refusal: unknown; fieldCount: number }) {
  if (typeof refusal === 'string' || Array.isArray(refusal)) {
    const messages = typeof refusal === 'string' ? [] : (refusal as string[]);
    return (
      <div role="alert" className="problem">
        <strong>
          The API refused the content{fieldCount > 0 ? ` (${fieldCount} problem${fieldCount > 1 ? 's' : ''} shown by the fields)` : ''}.
        </strong>
        {messages.length > 0 && (
          <ul>
            {messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return <ProblemMessage error={refusal} />;
}

function FieldInput({
  field,
  value,
  errors,
  disabled,
  onChange,
}: {
  field: ContentField;
  value: string;
  errors: string[];
  disabled: boolean;
  onChange(value: string): void;
}) {
  const id = useId();
  const described = [field.hint ? `${id}-hint` : '', errors.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, disabled, 'aria-invalid': errors.length > 0 || undefined, 'aria-describedby': described };
  let input;
  switch (field.kind) {
    case 'text':
      input = <input {...common} type="text" value={value} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'integer':
      input = <input {...common} type="text" inputMode="numeric" value={value} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'multiline':
    case 'stringMap':
    case 'textOrObject':
    case 'json':
      input = (
        <textarea
          {...common}
          rows={field.kind === 'multiline' ? 4 : 3}
          className={field.kind === 'multiline' ? undefined : 'code'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'choice':
      input = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          {(field.options ?? []).map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
      );
      break;
    default: {
      const unknownKind: never = field.kind;
      throw new Error(`unknown field kind ${String(unknownKind)}`);
    }
  }
  return (
    <div className={errors.length > 0 ? 'field invalid' : 'field'}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <span className="required"> (required)</span>}
      </label>
      {input}
      {field.hint && (
        <p id={`${id}-hint`} className="hint">
          {field.hint}
        </p>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-error`} className="field-error">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
