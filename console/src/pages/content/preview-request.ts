import type { DryRunRequest, DryRunResult } from './content-api';

/** The sample profile a preview starts from: every address a channel needs, and a first name for the templates. */
export const sampleProfile = {
  attributes: { firstName: 'Ada' },
  email: 'ada@example.com',
  phone: '+15555550100',
  pushTokens: ['sample-device-token'],
};

export interface PreviewInputs {
  userId: string;
  profileText: string;
  /** The entry event's properties (JSON), for a journey that enters on an event. */
  triggerText: string;
}

export type PreviewRequest = { ok: true; request: DryRunRequest } | { ok: false; field: 'profileText' | 'triggerText'; message: string };

/** The dry-run request for the form's text; a JSON mistake is named by its field before anything is sent. */
export function previewRequest(inputs: PreviewInputs, entry: { type: string; event?: string }): PreviewRequest {
  const profile = parseObject(inputs.profileText);
  if ('error' in profile) return { ok: false, field: 'profileText', message: profile.error };
  const request: DryRunRequest = { profile: profile.value, events: [] };
  if (inputs.userId.trim() !== '') request.userId = inputs.userId.trim();
  if (entry.type === 'event') {
    const properties = inputs.triggerText.trim() === '' ? { value: {} } : parseObject(inputs.triggerText);
    if ('error' in properties) return { ok: false, field: 'triggerText', message: properties.error };
    request.trigger = { name: entry.event ?? '', properties: properties.value };
  }
  return { ok: true, request };
}

function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as Record<string, unknown> };
    return { error: 'must be a JSON object' };
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
}

export type NodePreview =
  { reached: true; message: DryRunResult['messages'][number] } | { reached: false; path: string[]; exit: DryRunResult['exit'] };

/** The node's rendered message in a dry run, or the path the sample user took instead. */
export function nodePreview(result: DryRunResult, nodeId: string): NodePreview {
  const message = result.messages.find((m) => m.nodeId === nodeId);
  if (message) return { reached: true, message };
  return { reached: false, path: result.path.map((step) => step.nodeId), exit: result.exit };
}
