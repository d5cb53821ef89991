import { closeSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the ledger: something a worker process did, when, and in which process. */
export type LedgerEntry =
  | { readonly e: 'ready'; readonly pid: number; readonly t: number; readonly label: string }
  | { readonly e: 'received'; readonly pid: number; readonly t: number; readonly id: string; readonly dc: number }
  | { readonly e: 'start'; readonly pid: number; readonly t: number; readonly id: string; readonly seq: number; readonly dc: number; readonly attempt: number }
  | { readonly e: 'end'; readonly pid: number; readonly t: number; readonly id: string; readonly seq: number }
  | { readonly e: 'fail'; readonly pid: number; readonly t: number; readonly id: string; readonly seq: number }
  | { readonly e: 'abort'; readonly pid: number; readonly t: number; readonly id: string; readonly seq: number }
  | { readonly e: 'handled'; readonly pid: number; readonly t: number; readonly id: string }
  | { readonly e: 'retried'; readonly pid: number; readonly t: number; readonly id: string; readonly attempt: number; readonly delayMs: number }
  | { readonly e: 'dead-lettered'; readonly pid: number; readonly t: number; readonly id: string; readonly code: string }
  | { readonly e: 'released'; readonly pid: number; readonly t: number; readonly id: string }
  | { readonly e: 'health'; readonly pid: number; readonly t: number; readonly status: string }
  | { readonly e: 'error'; readonly pid: number; readonly t: number; readonly during: string; readonly message: string }
  | { readonly e: 'stopped'; readonly pid: number; readonly t: number; readonly reason: string };

/** The kind of a ledger line. */
export type LedgerEvent = LedgerEntry['e'];

/** A ledger entry of one kind. */
export type EntryOf<E extends LedgerEvent> = Extract<LedgerEntry, { e: E }>;

/** Distributes over the union, so each variant keeps its own fields. */
type WithoutStamp<T> = T extends unknown ? Omit<T, 'pid' | 't'> : never;

/**
 * The writing half, used inside a worker process: one synchronous `write` of one whole line
 * per event to a file opened for appending, so every line written before a SIGKILL is in the
 * file (the kernel has it; no fsync is needed, since the machine itself does not crash).
 */
export class LedgerWriter {
  readonly #fd: number;

  constructor(file: string) {
    this.#fd = openSync(file, 'a');
  }

  write(entry: WithoutStamp<LedgerEntry>): void {
    writeSync(this.#fd, `${JSON.stringify({ ...entry, pid: process.pid, t: Date.now() })}\n`);
  }
}

/**
 * The reading half, used by the test: reads every worker's file in a directory, incrementally
 * (only the bytes appended since the last read), and answers questions about what happened.
 * A line cut short by a SIGKILL mid-write is kept back until it is complete, and ignored if it
 * never is.
 */
export class Ledger {
  readonly directory: string;
  readonly #offsets = new Map<string, number>();
  readonly #partial = new Map<string, string>();
  readonly #entries: LedgerEntry[] = [];

  constructor(directory: string) {
    this.directory = directory;
  }

  /** The file a worker with this label writes to. */
  fileFor(label: string): string {
    return join(this.directory, `${label}.jsonl`);
  }

  /** Every entry written so far, in file order per worker. */
  read(): readonly LedgerEntry[] {
    for (const name of readdirSync(this.directory)) {
      if (name.endsWith('.jsonl')) this.#readFile(join(this.directory, name));
    }
    return this.#entries;
  }

  /** The entries of one kind, optionally only those matching `where`. */
  all<E extends LedgerEvent>(event: E, where?: (entry: EntryOf<E>) => boolean): EntryOf<E>[] {
    return this.read().filter((entry): entry is EntryOf<E> => entry.e === event && (where === undefined || where(entry as EntryOf<E>)));
  }

  /** How many times each message id appears among the entries of one kind. */
  countById(event: 'start' | 'end' | 'handled' | 'received' | 'dead-lettered' | 'fail' | 'abort' | 'released'): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.read()) {
      if (entry.e === event) counts.set(entry.id, (counts.get(entry.id) ?? 0) + 1);
    }
    return counts;
  }

  /** Ids whose handler started in `pid` and that `pid` never acknowledged: in flight, or lost with it. */
  unacknowledgedBy(pid: number): Set<string> {
    const open = new Set<string>();
    for (const entry of this.read()) {
      if (entry.pid !== pid) continue;
      if (entry.e === 'start') open.add(entry.id);
      else if (entry.e === 'handled' || entry.e === 'dead-lettered' || entry.e === 'retried' || entry.e === 'released') open.delete(entry.id);
    }
    return open;
  }

  #readFile(file: string): void {
    const offset = this.#offsets.get(file) ?? 0;
    const size = statSync(file).size;
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    this.#offsets.set(file, size);
    const text = (this.#partial.get(file) ?? '') + buffer.toString('utf8');
    const lines = text.split('\n');
    this.#partial.set(file, lines.pop() ?? '');
    for (const line of lines) {
      if (line !== '') this.#entries.push(JSON.parse(line) as LedgerEntry);
    }
  }
}
