import type { Job } from './job.js';

/**
 * The jobs a worker holds, as a doubly linked list threaded through the jobs themselves: adding
 * and removing allocate nothing, where a `Set` churning between empty and full reallocates its
 * table again and again. A job is in at most one list.
 */
export class JobList implements Iterable<Job> {
  #first: Job | undefined;
  #last: Job | undefined;
  #size = 0;

  /** How many jobs are in the list. */
  get size(): number {
    return this.#size;
  }

  /** Appends a job that is in no list. */
  add(job: Job): void {
    job.previous = this.#last;
    job.next = undefined;
    if (this.#last === undefined) this.#first = job;
    else this.#last.next = job;
    this.#last = job;
    this.#size++;
  }

  /** Removes a job that is in this list. */
  remove(job: Job): void {
    if (job.previous === undefined) this.#first = job.next;
    else job.previous.next = job.next;
    if (job.next === undefined) this.#last = job.previous;
    else job.next.previous = job.previous;
    job.previous = undefined;
    job.next = undefined;
    this.#size--;
  }

  /** The jobs in the order they were added; removing the current job while iterating is allowed. */
  *[Symbol.iterator](): Iterator<Job> {
    let job = this.#first;
    while (job !== undefined) {
      const next = job.next;
      yield job;
      job = next;
    }
  }
}
