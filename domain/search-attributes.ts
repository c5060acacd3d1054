import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that let operators find instances in Temporal UI
 * (e.g. `JourneyId = "welcome" AND JourneyNode = "wait-1d"`).
 * The dev server registers them at start; temporal-docker/ registers them in production.
 */
export const journeyIdKey = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const journeyVersionKey = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.INT);
export const userIdKey = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);
export const journeyNodeKey = defineSearchAttributeKey('JourneyNode', SearchAttributeType.KEYWORD);
export const journeyStatusKey = defineSearchAttributeKey('JourneyStatus', SearchAttributeType.KEYWORD);
export const experimentPathKey = defineSearchAttributeKey('ExperimentPath', SearchAttributeType.KEYWORD_LIST);

export const searchAttributeKeys = [
  journeyIdKey,
  journeyVersionKey,
  userIdKey,
  journeyNodeKey,
  journeyStatusKey,
  experimentPathKey,
] as const;

/** The `temporal` CLI spelling of each type, for `--search-attribute Name=Type` and `operator search-attribute create`. */
const cliTypeNames: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

export function searchAttributesForCli(): string[] {
  return searchAttributeKeys.map((key) => `${key.name}=${cliTypeNames[key.type]}`);
}
