import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by `pid` and its descendants, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  const stats = readAllStats();
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  let ticks = 0;
  const visit = (id: number) => {
    const stat = stats.get(id);
    if (!stat) return;
    ticks += stat.ticks;
    for (const child of children.get(id) ?? []) visit(child);
  };
  visit(pid);
  return ticks / TICKS_PER_SECOND;
}

/** Pids whose command line contains every one of `parts` (to find servers started by someone else). */
export function findPids(...parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((part) => cmdline.includes(part))) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

interface Stat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readAllStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
      stats.set(Number(entry), { pid: Number(entry), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return stats;
}
