/**
 * The same change done safely, for test/replay/replay.test.ts: behind `patched`, new runs take the timer
 * (and record a marker saying so) while histories recorded before the change replay without it.
 */
import { patched, sleep } from '@temporalio/workflow';
import type { JourneyInput, JourneyResult } from '../../../../workflows/contract';
import { journeyWorkflow as current } from '../../../../workflows/journey';

export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  if (patched('pause-before-entry')) await sleep('1s');
  return current(input);
}
