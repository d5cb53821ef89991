/**
 * CPU time of the broker's server processes, read from Linux's `/proc`, so a table can say what
 * each message costs the broker as well as the producer and the consumer.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Total CPU time, in µs, of every process whose command name is `command`, with the time of
 * its exited children (a PostgreSQL backend that ends moves its time to the postmaster);
 * `undefined` where `/proc` cannot be read or no such process runs.
 */
export function serverCpuMicros(command: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (stat.slice(open + 1, close) !== command) continue;
    // After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND : undefined;
}
