/** True for Mongo's duplicate-key error (11000): the unique-index insert that commits a change lost a race. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
