export { createChannelActivities, type ChannelActivities } from './send';
export { createJourneyActivities, type JourneyActivities } from './journey';
export type { SendRequest, SendResult } from './types';
