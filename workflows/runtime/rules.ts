import type { Goal, JourneyGraph } from '../../domain/definition/schema';
import { durationToMs } from '../../domain/time/duration';

/** How long a control user is tracked for goals when the journey sets neither a conversion window nor a timeout. */
export const DEFAULT_TRACKING_WINDOW = 'P30D';

/** The journey-level rules of a version, read once from its settings (pure; defaults for anything absent). */
export interface JourneyRules {
  reentry: { allowed: boolean; cooldown?: string; scope?: 'journey' | 'version' };
  goals: Goal[];
  /** Journey timeout: the instance exits with `timeout` at entry + this. */
  timeoutMs?: number;
  /** After a path ends: how long to keep waiting for a goal (only with goals). */
  conversionWindowMs?: number;
  /** Control group share, 0-99. */
  controlPercent: number;
  /** How long a control user is tracked: conversion window, else timeout, else 30 days. */
  trackingWindowMs: number;
}

export function rulesOf(graph: Pick<JourneyGraph, 'settings'>): JourneyRules {
  const settings: Partial<JourneyGraph['settings']> = graph.settings ?? {};
  const positive = (iso: string | undefined) => {
    const ms = iso === undefined ? 0 : durationToMs(iso);
    return ms > 0 ? ms : undefined;
  };
  const reentry = settings.reentry ?? { allowed: false };
  const goals = (settings.goals ?? []).map((goal, index) => ({ ...goal, id: goal.id ?? `goal-${index + 1}` }));
  const timeoutMs = positive(settings.timeout);
  const conversionWindowMs = goals.length > 0 ? positive(settings.conversionWindow) : undefined;
  return {
    reentry: {
      allowed: reentry.allowed === true,
      ...(reentry.cooldown ? { cooldown: reentry.cooldown } : {}),
      // Only when set: the claims of graphs without it stay as their histories recorded them.
      ...(reentry.scope ? { scope: reentry.scope } : {}),
    },
    goals,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(conversionWindowMs !== undefined ? { conversionWindowMs } : {}),
    controlPercent: typeof settings.controlGroup === 'number' ? settings.controlGroup : 0,
    trackingWindowMs: positive(settings.conversionWindow) ?? timeoutMs ?? durationToMs(DEFAULT_TRACKING_WINDOW),
  };
}
