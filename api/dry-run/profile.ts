import { isDeepStrictEqual } from 'node:util';
import type { ProfileOperation } from '../../domain/definition/schema';
import { documentPath, profileView, type Profile, type ProfileStore } from '../../store/profiles';
import { pickPaths, type ProfileView } from '../../domain/profiles/view';

type Doc = Record<string, unknown>;

export type MemoryProfile = Pick<ProfileStore, 'view' | 'apply'> & { current(): Profile };

/**
 * The dry run's test profile, kept in memory: the real profile activities read and update it as they would
 * the profile store. Operations follow the store's Mongo semantics, including its errors (increment of a
 * string, addToList on a non-list...), which the updateProfile node records as it would in a real run.
 */
export function createMemoryProfile(initial: Profile): MemoryProfile {
  const { userId, updatedAt: _updatedAt, ...doc } = structuredClone(initial) as Profile & Doc;

  const current = (): Profile => {
    const copy = structuredClone(doc);
    return {
      userId,
      attributes: isRecord(copy.attributes) ? copy.attributes : {},
      pushTokens: Array.isArray(copy.pushTokens) ? (copy.pushTokens as string[]) : [],
      consent: isRecord(copy.consent) ? copy.consent : {},
      ...(typeof copy.email === 'string' ? { email: copy.email } : {}),
      ...(typeof copy.phone === 'string' ? { phone: copy.phone } : {}),
      ...(typeof copy.timezone === 'string' ? { timezone: copy.timezone } : {}),
    };
  };

  return {
    current,
    async view(_userId: string, paths?: readonly string[]): Promise<ProfileView> {
      const view = profileView(current());
      return paths ? pickPaths(view, paths) : view;
    },
    async apply(_userId: string, operations: readonly ProfileOperation[]): Promise<void> {
      // In order; like the store, an operation that fails leaves the ones before it applied.
      for (const operation of operations) applyOperation(doc, documentPath(operation.property).split('.'), operation);
    },
  };
}

function applyOperation(doc: Doc, path: string[], operation: ProfileOperation): void {
  const name = path.join('.');
  const key = path.at(-1)!;
  const parent = parentOf(doc, path.slice(0, -1), operation.op !== 'unset' && operation.op !== 'removeFromList', name);
  if (!parent) return;
  const value = parent[key];
  switch (operation.op) {
    case 'set':
      parent[key] = structuredClone(operation.value);
      return;
    case 'unset':
      delete parent[key];
      return;
    case 'increment':
    case 'decrement': {
      if (value !== undefined && typeof value !== 'number') throw new Error(`cannot ${operation.op} ${name}: it is not a number`);
      parent[key] = (value ?? 0) + (operation.op === 'increment' ? operation.value : -operation.value);
      return;
    }
    case 'addToList':
      if (value === undefined) parent[key] = [structuredClone(operation.value)];
      else if (!Array.isArray(value)) throw new Error(`cannot add to ${name}: it is not a list`);
      else if (!value.some((item) => isDeepStrictEqual(item, operation.value))) value.push(structuredClone(operation.value));
      return;
    case 'removeFromList':
      if (value === undefined) return;
      if (!Array.isArray(value)) throw new Error(`cannot remove from ${name}: it is not a list`);
      parent[key] = value.filter((item) => !isDeepStrictEqual(item, operation.value));
      return;
  }
}

/** The object holding the last segment of a path; created on the way when `create`, undefined when absent. */
function parentOf(doc: Doc, segments: string[], create: boolean, name: string): Doc | undefined {
  let node = doc;
  for (const segment of segments) {
    const next = node[segment];
    if (next === undefined) {
      if (!create) return undefined;
      node[segment] = {};
    } else if (!isRecord(next)) {
      throw new Error(`cannot change ${name}: ${segment} is not an object`);
    }
    node = node[segment] as Doc;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
