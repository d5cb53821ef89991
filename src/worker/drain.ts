import type { Job } from './delivery-processor.js';
import { ShutdownTimeoutError } from './shutdown-timeout-error.js';
import { sleep } from './sleep.js';

/**
 * The end of a graceful shutdown: waits up to `timeoutMs` for every job to finish; then aborts
 * the signals of the handlers still running and releases their messages for immediate
 * redelivery. Jobs already writing their outcome (ack, retry, dead-letter) are let finish,
 * since cutting that write short would only cause a needless redelivery.
 *
 * @param release gives one job's message back; it must mark the job `released` and never reject.
 */
export async function drainJobs(jobs: ReadonlyMap<Job, Promise<void>>, timeoutMs: number, release: (job: Job) => Promise<void>): Promise<void> {
  if (jobs.size === 0) return;
  const timer = new AbortController();
  const finished = await Promise.race([Promise.all(jobs.values()).then(() => true), sleep(timeoutMs, timer.signal).then(() => false)]);
  timer.abort();
  if (finished) return;
  const releases: Promise<void>[] = [];
  const settling: Promise<void>[] = [];
  for (const [job, done] of jobs) {
    if (job.state === 'running') {
      releases.push(release(job));
      job.controller.abort(new ShutdownTimeoutError(timeoutMs));
    } else if (job.state === 'settling') {
      settling.push(done);
    }
  }
  await Promise.all([...releases, ...settling]);
}
