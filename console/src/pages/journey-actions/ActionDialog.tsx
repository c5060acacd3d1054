import { useId, useState } from 'react';
import { useSession } from '../../api/session';
import { navigate, segment } from '../../app/router';
import { Confirm } from '../../components/Confirm';
import { actionConsequence, actionLabels, describeOldVersionChoice, publishPlan, stopModeText, type ActionKind } from './action-plan';
import {
  cloneVersion,
  pauseVersion,
  publishVersion,
  resumeVersion,
  setArchived,
  stopVersion,
  type OldVersionChoice,
  type StopMode,
} from './actions-api';
import type { JourneySummary, VersionSummary } from './types';

/**
 * Asks before one lifecycle action, with what the action needs chosen in the dialog (the old version's fate
 * on publish, exit or drain on stop, the clone's id), then calls the API. A refusal stays in the dialog with the
 * API's own words; success closes it and tells the page to reload.
 */
export function ActionDialog({
  kind,
  journey,
  version,
  onClose,
}: {
  kind: ActionKind;
  journey: JourneySummary;
  version: VersionSummary;
  onClose(done: boolean): void;
}) {
  const { api } = useSession();
  const id = useId();
  const plan = publishPlan(journey, version.version);
  const [oldVersion, setOldVersion] = useState<OldVersionChoice | undefined>(plan.choices[0]);
  const [stopMode, setStopMode] = useState<StopMode>('exit');
  const [cloneId, setCloneId] = useState(`${journey.id}-copy`);
  const [cloneName, setCloneName] = useState(`${journey.name} (copy)`);

  async function run(): Promise<void> {
    switch (kind) {
      case 'publish':
        await publishVersion(api, journey.id, version.version, plan.choices.length > 0 ? oldVersion : undefined);
        return;
      case 'pause':
        await pauseVersion(api, journey.id, version.version);
        return;
      case 'resume':
        await resumeVersion(api, journey.id, version.version);
        return;
      case 'stop':
        await stopVersion(api, journey.id, version.version, stopMode);
        return;
      case 'clone': {
        const created = await cloneVersion(api, journey.id, version.version, { id: cloneId.trim(), name: cloneName.trim() || undefined });
        navigate(`/journeys/${segment(created.id)}`);
        return;
      }
      case 'archive':
      case 'unarchive':
        await setArchived(api, journey.id, kind === 'archive');
        return;
      default: {
        const unknownKind: never = kind;
        throw new Error(`unknown action ${String(unknownKind)}`);
      }
    }
  }

  const target = kind === 'archive' || kind === 'unarchive' ? `journey ${journey.id}` : `version ${version.version}`;
  return (
    <Confirm
      title={`${actionLabels[kind]} ${target}?`}
      confirmLabel={actionLabels[kind]}
      danger={kind === 'stop' || kind === 'archive'}
      onConfirm={run}
      onClose={onClose}
    >
      <p>{actionConsequence(kind, version)}</p>
      {kind === 'publish' && plan.blockedBy && (
        <p className="notice">Version {plan.blockedBy.version} is scheduled: the API refuses to publish until it is stopped.</p>
      )}
      {kind === 'publish' && plan.choices.length > 0 && (
        <fieldset className="choices">
          <legend>What happens to {plan.affected.map((v) => `version ${v.version} (${v.state})`).join(', ')}</legend>
          {plan.choices.map((choice) => (
            <label key={choice} className="choice">
              <input
                type="radio"
                name={`${id}-old`}
                value={choice}
                checked={oldVersion === choice}
                onChange={() => setOldVersion(choice)}
              />
              {describeOldVersionChoice(choice, plan.affected)}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'stop' && (
        <fieldset className="choices">
          <legend>How to stop</legend>
          {(['exit', 'drain'] as const).map((mode) => (
            <label key={mode} className="choice">
              <input type="radio" name={`${id}-stop`} value={mode} checked={stopMode === mode} onChange={() => setStopMode(mode)} />
              {stopModeText[mode]}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'clone' && (
        <div className="clone-fields">
          <label htmlFor={`${id}-clone-id`}>New journey id</label>
          <input id={`${id}-clone-id`} type="text" value={cloneId} onChange={(e) => setCloneId(e.target.value)} />
          <label htmlFor={`${id}-clone-name`}>Name</label>
          <input id={`${id}-clone-name`} type="text" value={cloneName} onChange={(e) => setCloneName(e.target.value)} />
        </div>
      )}
    </Confirm>
  );
}
