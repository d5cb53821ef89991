import { median, type ComparisonResult, type RunOptions, type ScenarioResult, type SubjectResult } from './harness.js';

/** The figures printed for one subject: medians over the rounds. */
interface Row {
  readonly subject: SubjectResult;
  readonly nsPerOp: number;
  readonly lowest: number;
  readonly highest: number;
  readonly bytesPerOp: number | undefined;
  readonly ratio: number;
}

function rowOf(subject: SubjectResult): Row {
  const times = subject.samples.map((sample) => sample.nsPerOp);
  const bytes = subject.samples.flatMap((sample) => (sample.bytesPerOp === undefined ? [] : [sample.bytesPerOp]));
  return {
    subject,
    nsPerOp: median(times),
    lowest: Math.min(...times),
    highest: Math.max(...times),
    bytesPerOp: bytes.length === 0 ? undefined : median(bytes),
    ratio: median(subject.ratios),
  };
}

function nanoseconds(value: number): string {
  const digits = value < 10 ? 2 : value < 1000 ? 1 : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function bytes(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  return Math.round(value).toLocaleString('en-US');
}

function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

const roleLabel: Record<SubjectResult['role'], string> = { baseline: 'baseline', troopy: 'troopy', peer: 'peer', reference: 'reference' };

/** One line per troopy row saying whether it met the target and beat every peer. */
export interface Verdict {
  readonly scenario: string;
  readonly comparison: string;
  readonly subject: string;
  readonly ratio: number;
  readonly target: number | undefined;
  readonly targetMet: boolean | undefined;
  /** The fastest peer's name and ratio, when the comparison has peers. */
  readonly fastestPeer: { readonly name: string; readonly ratio: number; readonly nsPerOp: number } | undefined;
  readonly fasterThanPeers: boolean | undefined;
}

function verdicts(scenario: ScenarioResult, comparison: ComparisonResult, rows: readonly Row[]): Verdict[] {
  const peers = rows.filter((row) => row.subject.role === 'peer').sort((a, b) => a.nsPerOp - b.nsPerOp);
  const fastest = peers[0];
  return rows
    .filter((row) => row.subject.role === 'troopy')
    .map((row) => ({
      scenario: `${scenario.number}. ${scenario.title}`,
      comparison: comparison.title,
      subject: row.subject.name,
      ratio: row.ratio,
      target: comparison.target,
      targetMet: comparison.target === undefined ? undefined : row.ratio <= comparison.target,
      fastestPeer: fastest === undefined ? undefined : { name: fastest.subject.name, ratio: fastest.ratio, nsPerOp: fastest.nsPerOp },
      fasterThanPeers: fastest === undefined ? undefined : row.nsPerOp < fastest.nsPerOp,
    }));
}

function renderComparison(comparison: ComparisonResult, rows: readonly Row[], rounds: number): string {
  const lines = [
    `#### ${comparison.title}${comparison.target === undefined ? '' : ` (target: troopy ≤ ${comparison.target}× baseline)`}`,
    '',
    `| subject | role | ns/op | spread over ${rounds} rounds | bytes/op | × baseline |`,
    '|---|---|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const row of rows) {
    const marker = row.subject.note === undefined ? '' : ` [${notes.push(row.subject.note)}]`;
    const name = row.subject.role === 'troopy' || row.subject.role === 'baseline' ? `**${row.subject.name}**` : row.subject.name;
    lines.push(
      `| ${name}${marker} | ${roleLabel[row.subject.role]} | ${nanoseconds(row.nsPerOp)} | ${nanoseconds(row.lowest)}–${nanoseconds(row.highest)} | ${bytes(row.bytesPerOp)} | ${ratio(row.ratio)} |`,
    );
  }
  if (notes.length > 0) lines.push('', ...notes.map((note, index) => `[${index + 1}] ${note}`));
  return lines.join('\n');
}

/** A scenario's tables in markdown, and the verdicts on its troopy rows. */
export function renderScenario(scenario: ScenarioResult, rounds: number): { readonly markdown: string; readonly verdicts: readonly Verdict[] } {
  const parts = [`### ${scenario.number}. ${scenario.title}`];
  const all: Verdict[] = [];
  for (const comparison of scenario.comparisons) {
    const rows = comparison.subjects.map(rowOf);
    parts.push(renderComparison(comparison, rows, rounds));
    all.push(...verdicts(scenario, comparison, rows));
  }
  return { markdown: parts.join('\n\n'), verdicts: all };
}

/** The closing table: every troopy row against its target and the fastest peer. */
export function renderVerdicts(all: readonly Verdict[]): string {
  const lines = [
    '### Targets',
    '',
    '| comparison | troopy row | × baseline | target | met | fastest peer (× baseline) | faster than every peer |',
    '|---|---|---:|---:|---|---|---|',
  ];
  for (const verdict of all) {
    const met = verdict.targetMet === undefined ? '–' : verdict.targetMet ? 'yes' : '**no**';
    const peer = verdict.fastestPeer === undefined ? '–' : `${verdict.fastestPeer.name} (${ratio(verdict.fastestPeer.ratio)})`;
    const faster = verdict.fasterThanPeers === undefined ? '–' : verdict.fasterThanPeers ? 'yes' : '**no**';
    lines.push(
      `| ${verdict.comparison} | ${verdict.subject} | ${ratio(verdict.ratio)} | ${verdict.target === undefined ? '–' : `≤ ${verdict.target}×`} | ${met} | ${peer} | ${faster} |`,
    );
  }
  return lines.join('\n');
}

/** What the numbers were measured on and how. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly loadAverage: readonly number[];
  readonly mitata: string;
  readonly command: string;
}

export function renderHeader(environment: Environment, options: RunOptions): string {
  return [
    '## troopy benchmarks',
    '',
    `${environment.date} · Node ${environment.node} (V8 ${environment.v8}) · ${environment.cpu}, ${environment.cores} cores · load average ${environment.loadAverage.map((load) => load.toFixed(2)).join(' ')} · mitata ${environment.mitata}`,
    '',
    `Reproduce with \`${environment.command}\`. Each scenario runs in its own Node process (with \`--expose-gc\`); each row is measured in ` +
      `${options.rounds} rounds in rotating order, at least ${Math.round(options.minCpuTime / 1e6)} ms of samples per row per round. ` +
      "**ns/op** is the median over the rounds of mitata's median batch time per operation; **spread** is the lowest and highest round; " +
      "**bytes/op** is the median over the rounds of mitata's mean heap growth per operation (mitata leaves out batches in which the heap shrank, so it is a floor); " +
      '**× baseline** is the median over the rounds of the row divided by the baseline measured in the same round.',
  ].join('\n');
}
