import type { Agent } from 'node:http';
import { cert, getApps, initializeApp, type Credential } from 'firebase-admin/app';
import { getMessaging, type MulticastMessage, type Messaging, type SendResponse } from 'firebase-admin/messaging';
import {
  CONFIGURATION_ERROR,
  TransientSendError,
  type Acceptance,
  type DeliveryMeta,
  type PushAdapter,
  type PushMessage,
  type PushOutcome,
} from './contract';

/**
 * The push channel on Firebase Cloud Messaging (HTTP v1) through firebase-admin.
 *
 * Every token of the user gets its own request (`sendEachForMulticast`); the SDK answers per token, and the
 * adapter folds those answers into one outcome (see `decide`).
 */

/** FCM takes at most 500 tokens per multicast call. */
export const FCM_MAX_TOKENS_PER_CALL = 500;

export interface PushLogger {
  error(obj: object, msg: string): void;
}

export type FirebaseMessagingOptions = {
  projectId: string;
  /** Defaults to `journeys-fcm:<projectId>`. An app of that name is reused, so the first options win. */
  appName?: string;
  /** Routes the FCM calls; it is honoured by the legacy HTTP/1.1 transport only. */
  httpAgent?: Agent;
  /** Defaults to true when an `httpAgent` is given, since the default HTTP/2 transport would ignore it. */
  legacyTransport?: boolean;
} & ({ serviceAccountPath: string } | { credential: Credential });

/**
 * A Messaging instance on a named app: never the default app, so several configurations (or tests) coexist in
 * one process without fighting over global state.
 */
export function createFirebaseMessaging(options: FirebaseMessagingOptions): Messaging {
  const name = options.appName ?? `journeys-fcm:${options.projectId}`;
  const credential = 'serviceAccountPath' in options ? cert(options.serviceAccountPath) : options.credential;
  const app =
    getApps().find((existing) => existing.name === name) ??
    initializeApp({ projectId: options.projectId, credential, ...(options.httpAgent && { httpAgent: options.httpAgent }) }, name);
  const messaging = getMessaging(app);
  if (options.legacyTransport ?? options.httpAgent !== undefined) messaging.enableLegacyHttpTransport();
  return messaging;
}

export function createFcmAdapter({ messaging, logger }: { messaging: Messaging; logger: PushLogger }): PushAdapter {
  return {
    provider: 'fcm',
    async send(message, meta) {
      // A token listed twice would get the message twice.
      const tokens = [...new Set(message.tokens)];
      if (tokens.length === 0) return { outcome: 'unreachable', reason: 'no_push_token' };
      const payload = multicastPayload(message, meta.deliveryKey);
      const results: TokenResult[] = [];
      for (let start = 0; start < tokens.length; start += FCM_MAX_TOKENS_PER_CALL) {
        results.push(...(await sendChunk(messaging, tokens.slice(start, start + FCM_MAX_TOKENS_PER_CALL), payload)));
      }
      return decide(results, meta, logger);
    },
  };
}

/** The data carries the delivery key: the app reports the push opened with it (`message_opened`, docs/api.md). */
function multicastPayload({ title, body, data }: PushMessage, deliveryKey: string): Omit<MulticastMessage, 'tokens'> {
  const hasNotification = title !== undefined || body !== undefined;
  return {
    ...(hasNotification && { notification: { ...(title !== undefined && { title }), ...(body !== undefined && { body }) } }),
    data: { ...data, deliveryKey },
  };
}

/** What one token's request came to. */
type Failure =
  | { kind: 'dead-token'; error: unknown }
  | { kind: 'transient'; accepted: Acceptance; error: unknown }
  | { kind: 'configuration'; error: unknown }
  | { kind: 'rejected'; error: unknown };
type TokenResult = { token: string } & ({ kind: 'accepted'; messageId: string } | Failure);

async function sendChunk(messaging: Messaging, tokens: string[], payload: Omit<MulticastMessage, 'tokens'>): Promise<TokenResult[]> {
  try {
    const batch = await messaging.sendEachForMulticast({ ...payload, tokens });
    return batch.responses.map((response, i) => tokenResult(tokens[i] ?? '', response));
  } catch (error) {
    // The HTTP/2 transport rejects the whole call when its session fails, but still reports what each request
    // came to (some may have been accepted before the failure).
    const pending = pendingBatchResponse(error);
    if (pending) return (await pending).responses.map((response, i) => tokenResult(tokens[i] ?? '', response));
    // Anything else is the SDK refusing the call before sending (e.g. no project id): it fails every send alike.
    return tokens.map((token) => ({ token, kind: 'configuration', error }));
  }
}

function pendingBatchResponse(error: unknown): Promise<{ responses: SendResponse[] }> | undefined {
  const pending = (error as { pendingBatchResponse?: unknown } | undefined)?.pendingBatchResponse;
  return pending instanceof Promise ? (pending as Promise<{ responses: SendResponse[] }>) : undefined;
}

function tokenResult(token: string, response: SendResponse): TokenResult {
  if (response.success) return { token, kind: 'accepted', messageId: response.messageId ?? '' };
  return { token, ...classify(response.error) };
}

/** Network failures as firebase-admin words them (it keeps the errno only in the message). */
const NETWORK_FAILURE =
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)\b|socket hang up|network timeout/i;
/** Failures before a connection existed: the request was certainly never written. */
const NEVER_CONNECTED = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/;

/** FCM answered with an error status: nothing was accepted, a retry may help. */
const TRANSIENT_CODES = new Set([
  'messaging/message-rate-exceeded',
  'messaging/server-unavailable',
  'messaging/internal-error',
  // A non-JSON answer with an unexpected status (a proxy's 502 or 504), or FCM's UNSPECIFIED_ERROR.
  'messaging/unknown-error',
]);
const CONFIGURATION_CODES = new Set(['messaging/third-party-auth-error', 'messaging/authentication-error']);

/** Classifies one token's error by the `code` firebase-admin gives it. */
function classify(error: unknown): Failure {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === 'messaging/registration-token-not-registered') return { kind: 'dead-token', error };
  // The SDK maps every 403 to this code: a token of another project (SENDER_ID_MISMATCH) is dead, but a
  // credential without permission must not make the pipeline delete every user's tokens.
  if (code === 'messaging/mismatched-credential') {
    return /sender ?id mismatch/i.test(message) ? { kind: 'dead-token', error } : { kind: 'configuration', error };
  }
  if (TRANSIENT_CODES.has(code)) return { kind: 'transient', accepted: 'no', error };
  if (code === 'app/network-timeout') return { kind: 'transient', accepted: 'unknown', error };
  if (code === 'app/network-error') {
    return { kind: 'transient', accepted: NEVER_CONNECTED.test(message) ? 'no' : 'unknown', error };
  }
  // The access token could not be fetched, so FCM was never called: a network failure on the way to the
  // token server is transient; anything else is a bad credential.
  if (code === 'app/invalid-credential') {
    return NETWORK_FAILURE.test(message) ? { kind: 'transient', accepted: 'no', error } : { kind: 'configuration', error };
  }
  if (CONFIGURATION_CODES.has(code)) return { kind: 'configuration', error };
  return { kind: 'rejected', error };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): string {
  return `${errorCode(error)}: ${errorMessage(error)}`;
}

/**
 * One outcome for all tokens: sent if any token was accepted; otherwise a transient failure of any token makes
 * the whole send retryable; otherwise a configuration problem, a rejection, or only dead tokens fail it.
 */
function decide(results: TokenResult[], meta: DeliveryMeta, logger: PushLogger): PushOutcome {
  const invalidTokens = ofKind(results, 'dead-token').map((r) => r.token);
  const [configuration] = ofKind(results, 'configuration');
  if (configuration) {
    logger.error(
      { provider: 'fcm', deliveryKey: meta.deliveryKey, userId: meta.userId, error: describe(configuration.error) },
      'FCM refused our credentials or project configuration: every push fails until it is fixed',
    );
  }

  const [accepted] = ofKind(results, 'accepted');
  if (accepted) return { outcome: 'sent', messageId: accepted.messageId, invalidTokens };

  const transient = ofKind(results, 'transient');
  const firstTransient = transient[0];
  if (firstTransient) {
    // One token whose request may have been written makes the whole message possibly delivered.
    const acceptance = transient.some((r) => r.accepted === 'unknown') ? 'unknown' : 'no';
    throw new TransientSendError(`FCM accepted none of ${results.length} tokens: ${describe(firstTransient.error)}`, {
      accepted: acceptance,
      cause: firstTransient.error,
    });
  }
  if (configuration) return { outcome: 'failed', reason: CONFIGURATION_ERROR, invalidTokens };
  const [rejected] = ofKind(results, 'rejected');
  if (rejected) return { outcome: 'failed', reason: `rejected: ${describe(rejected.error)}`, invalidTokens };
  return { outcome: 'failed', reason: 'unregistered', invalidTokens };
}

function ofKind<K extends TokenResult['kind']>(results: TokenResult[], kind: K): Extract<TokenResult, { kind: K }>[] {
  return results.filter((r): r is Extract<TokenResult, { kind: K }> => r.kind === kind);
}
