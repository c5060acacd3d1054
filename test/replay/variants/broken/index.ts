/**
 * A deliberately non-deterministic change, for test/replay/replay.test.ts: the journey workflow with one
 * timer added before everything else, as if someone had put a `sleep` at the top of journey.ts without
 * `patched`. Every recorded history begins with the graph's local activity where this code now asks for a
 * timer, so replaying any of them must fail with a DeterminismViolationError.
 */
import { sleep } from '@temporalio/workflow';
import type { JourneyInput, JourneyResult } from '../../../../workflows/contract';
import { journeyWorkflow as current } from '../../../../workflows/journey';

export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  await sleep('1s');
  return current(input);
}
