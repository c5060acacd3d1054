import pino, { type Logger } from 'pino';

/** One structured logger per process; pretty-printed when a person is watching a terminal. */
export function createLogger(name: string, level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    name,
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  });
}
