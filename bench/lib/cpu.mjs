// CPU accounting from /proc (Linux), to tell our own load from other work on
// the machine (a shared box: someone's test run on our CPUs skews the numbers).
// Everything returns undefined where /proc is not available.

import { readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ: the unit of /proc/*/stat and /proc/stat on Linux

/** Busy and total jiffies per CPU: { 0: { busy, total }, 1: …, all: … }. */
export function cpuTimes() {
  try {
    const out = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d*)\s+(.*)$/.exec(line);
      if (!m) continue;
      // user nice system idle iowait irq softirq steal guest guest_nice
      const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].split(/\s+/).map(Number);
      const busy = user + nice + system + irq + softirq + (steal || 0);
      out[m[1] === '' ? 'all' : m[1]] = { busy, total: busy + idle + (iowait || 0) };
    }
    return out;
  } catch {
    return undefined;
  }
}

/** utime+stime of a process (all its threads), in jiffies. */
export function procJiffies(pid) {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export const jiffiesToMs = (j) => (j * 1000) / HZ;

/**
 * Share (0–100) of a CPU's time spent on work that is not ours, between two
 * cpuTimes() snapshots. `ours` is the jiffies our processes used on that CPU.
 */
export function foreignPct(before, after, cpu, ours = 0) {
  const b = before?.[cpu];
  const a = after?.[cpu];
  if (!a || !b) return undefined;
  const total = a.total - b.total;
  if (total <= 0) return undefined;
  return Math.max(0, (100 * (a.busy - b.busy - ours)) / total);
}
