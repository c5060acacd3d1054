/**
 * `workflows/patches.ts` as it behaved before the `lean-history` patch existed, for the `pre-lean-` replay
 * histories (test/replay/record-histories.ts with RECORD_GENERATION=pre-lean; bundled by ./bundle.ts in
 * place of the real module): every older patch is on and asked of `patched` on its own, so each records its
 * own marker, and `lean` is false without asking `patched('lean-history')` (no instance of that time has it).
 */
import { patched } from '@temporalio/workflow';
import { PATCHES, type PatchId } from '../../../../workflows/patches';

export { PATCHES, type PatchId };

export class Patches {
  readonly lean = false;

  has(id: PatchId): boolean {
    return patched(id);
  }
}
