/** The hash moved to shared/ (the control group draw needs it outside workflows too); kept for imports. */
export { fnv1a32, mixedUnitHash, unitHash } from '../shared/hash';
