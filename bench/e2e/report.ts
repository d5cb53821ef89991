/** The markdown table of one broker's end-to-end comparison, its target line and its notes. */
import { cpus, loadavg } from 'node:os';
import type { EndToEndBroker } from './broker.js';

/** One subject's figures: per run and their medians. */
export interface EndToEndRow {
  readonly subject: string;
  readonly label: string;
  /** Commands per second of each run (flat out), and their median. */
  readonly perSecond: readonly number[];
  readonly medianPerSecond: number;
  /** Median throughput divided by the bare loop's median. */
  readonly ratioToBare: number;
  /** Median of the runs' paced p50 and p99 send-to-handled latencies, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median of the runs' p99 latency in the flat-out phase (queueing included), in ms. */
  readonly loadedP99Ms: number;
  /** Median CPU time per message in the flat-out phase, producer and consumer process, in µs. */
  readonly producerCpuMicros: number;
  readonly consumerCpuMicros: number;
  /** Median CPU time per message of the broker's server processes in the flat-out phase, in µs; `undefined` where not read. */
  readonly serverCpuMicros: number | undefined;
}

/** Milliseconds with two decimals below 10, one above. */
export const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));

const ratio = (row: EndToEndRow | undefined): string => (row === undefined ? 'not run' : `${row.ratioToBare.toFixed(2)}×`);

/** The target: troopy at 0.70× the bare loop or more, and ahead of the peer where there is one. */
function verdict(broker: EndToEndBroker, rows: readonly EndToEndRow[]): { readonly line: string; readonly met: boolean } {
  const troopy = rows.find((row) => row.subject === 'troopy');
  const peer = broker.peer === undefined ? undefined : { name: broker.peer.name, row: rows.find((row) => row.subject === broker.peer?.id) };
  const met = troopy !== undefined && troopy.ratioToBare >= 0.7 && (peer?.row === undefined || troopy.medianPerSecond > peer.row.medianPerSecond);
  const line =
    peer === undefined
      ? `Target: troopy ≥ 0.70× the bare loop: ${met ? 'met' : 'NOT met'} (${troopy === undefined ? 'troopy not run' : ratio(troopy)}).`
      : `Target: troopy ≥ 0.70× the bare loop and ahead of ${peer.name}: ${met ? 'met' : 'NOT met'} (troopy ${ratio(troopy)}, ${peer.name} ${ratio(peer.row)}).`;
  return { line, met };
}

/** Renders the rows of one broker's comparison, with its target line and notes. */
export function renderEndToEnd(
  broker: EndToEndBroker,
  rows: readonly EndToEndRow[],
  { messages, rounds, ratePerSecond }: { readonly messages: number; readonly rounds: number; readonly ratePerSecond: number },
): { readonly markdown: string; readonly targetsMet: boolean } {
  const { line, met } = verdict(broker, rows);
  const table = [
    `### ${broker.name} end to end: ${messages.toLocaleString('en')} commands of ~200 B${broker.report.queue ?? ''}, producer and worker in separate processes`,
    '',
    `| subject | commands/s (median of ${rounds}) | runs | × bare loop | p50 / p99 at ${ratePerSecond.toLocaleString('en')}/s (ms) | p99 flat out (ms) | CPU µs/msg producer + consumer | broker CPU µs/msg |`,
    '|---|---:|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.medianPerSecond.toLocaleString('en')} | ${row.perSecond.join(', ')} | ${row.ratioToBare.toFixed(2)}× | ` +
        `${ms(row.p50Ms)} / ${ms(row.p99Ms)} | ${ms(row.loadedP99Ms)} | ${Math.round(row.producerCpuMicros)} + ${Math.round(row.consumerCpuMicros)} | ${row.serverCpuMicros === undefined ? 'n/a' : Math.round(row.serverCpuMicros)} |`,
    ),
    '',
    line,
    ...(broker.references ?? []).flatMap((reference) => {
      const row = rows.find((candidate) => candidate.subject === reference.id);
      const troopy = rows.find((candidate) => candidate.subject === 'troopy');
      if (row === undefined || troopy === undefined) return [];
      return [`troopy ÷ ${reference.name}: ${(troopy.medianPerSecond / row.medianPerSecond).toFixed(2)}×.`];
    }),
    `Machine: ${cpus().length} cores, load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' / ')} at the end of the run.`,
    `Flat out: batches of 100 per send call, one call in flight${broker.report.flatOut}. Paced: one message per send call at the given rate.`,
    `Latency is from just before the send call to the start of the handler, across processes on one machine. ${broker.report.server}, producer and consumer share the machine.`,
  ];
  return { markdown: table.join('\n'), targetsMet: met };
}
