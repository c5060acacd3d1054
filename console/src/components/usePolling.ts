import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first answer (or error) arrives. */
  loading: boolean;
  /** When the data last arrived. */
  updatedAt: Date | undefined;
  /** Loads again now (after an action, say). */
  refresh(): void;
}

export interface PollingOptions {
  /** Reload every so many milliseconds; absent: load once (and on refresh or when deps change). */
  intervalMs?: number;
  /** Keep showing the last data while a change of deps loads (a filtered list), instead of starting from nothing. */
  keepData?: boolean;
}

/**
 * Loads `load()` when `deps` change and, with `intervalMs`, again on that period while the tab is visible: a hidden
 * tab asks nothing, and catches up as soon as it shows again. Answers of a superseded load are dropped.
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: PollingOptions = {},
): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean; updatedAt: Date | undefined }>({
    data: undefined,
    error: undefined,
    loading: true,
    updatedAt: undefined,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  // A change of what is loaded starts from nothing, so one journey's figures never show under another's name.
  const keepData = options.keepData ?? false;
  useEffect(() => {
    if (keepData) setState((previous) => ({ ...previous, error: undefined, loading: true }));
    else setState({ data: undefined, error: undefined, loading: true, updatedAt: undefined });
  }, deps);

  useEffect(() => {
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false, updatedAt: new Date() });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);

  const { intervalMs } = options;
  useEffect(() => {
    if (!intervalMs) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(refresh, intervalMs);
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        refresh();
        start();
      }
    };
    if (!document.hidden) start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, refresh]);

  return { ...state, refresh };
}
