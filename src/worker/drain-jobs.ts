import type { JobList } from './job-list.js';
import { ShutdownTimeoutError } from './shutdown-timeout-error.js';
import { sleep } from './sleep.js';

/**
 * How long {@link drainJobs} waits, after aborting the handlers that outlived the timeout, for
 * those that honour their signal to settle and have their messages released.
 */
export const ABORT_GRACE_MS = 1_000;

/**
 * The shutdown's wait for a worker's jobs, which it no longer adds to: waits up to `timeoutMs`
 * for every job; then gives up on the handlers still running (their signals abort with a
 * `ShutdownTimeoutError`) and resolves once the jobs already writing their outcome are done
 * (cutting that short would only cause a redelivery), and the given-up handlers that settled
 * within {@link ABORT_GRACE_MS} have had their messages released.
 *
 * A handler that outlives the timeout is not released at once: its message would go to another
 * worker while the handler still runs, and run twice at the same time. Its lease is kept
 * (extended as before) until the handler settles, whatever it returns is ignored, and its
 * message is released then, for immediate redelivery. If the process ends first, or the
 * transport is closed, the lease simply runs out and the message is delivered again after it.
 */
export async function drainJobs(jobs: JobList, timeoutMs: number): Promise<void> {
  if (jobs.size === 0) return;
  const timer = new AbortController();
  const all = [...jobs].flatMap((job) => job.done ?? []);
  const finished = await Promise.race([Promise.all(all).then(() => true), sleep(timeoutMs, timer.signal).then(() => false)]);
  timer.abort();
  if (finished) return;
  const writing: Promise<void>[] = [];
  const givenUp: Promise<void>[] = [];
  for (const job of jobs) {
    if (job.done === undefined) continue;
    // A given-up job's processing resolves once its handler has settled and its message is released.
    if (job.state === 'running' && job.giveUp(new ShutdownTimeoutError(timeoutMs))) givenUp.push(job.done);
    else if (job.state === 'settling') writing.push(job.done);
  }
  // A handler that honours its signal settles at once: wait a moment for it and its release,
  // so that its message is back on the queue before stop() resolves and the application
  // closes the transport (a release cut off by the close would leave it to its lease).
  const grace = new AbortController();
  await Promise.all([...writing, Promise.race([Promise.all(givenUp), sleep(ABORT_GRACE_MS, grace.signal)])]);
  grace.abort();
}
