/**
 * What the entry claim tells an instance about the account's settings. Decided once, when the user enters,
 * and kept for the instance's life (carried through continue-as-new), so that workflow code reads it from
 * its history and stays deterministic; a later change of the settings applies to later entries.
 */
export interface AccountAtEntry {
  /** The delivery settings' time zone: delays fall back to it when neither the user nor the journey has one. */
  timezone?: string;
  /** The user is in the global control group (the journey applies it unless it opts out). */
  globalControl?: true;
}
