// After the list: the figures the run measured (figures.json, written by specs/zz-figures),
// then one closing line a CI log reader understands ("browser: N passed, N failed").
import { readFileSync, statSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { FIGURES } from './paths';

export default class ClosingLine implements Reporter {
  private readonly started = Date.now();
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.retry < test.retries && result.status !== 'passed') return;
    if (result.status === 'passed') this.passed += 1;
    else if (result.status === 'skipped') this.skipped += 1;
    else this.failed += 1;
  }

  onEnd(_result: FullResult): void {
    this.printFigures();
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    console.log(`browser: ${this.passed} passed, ${this.failed} failed${skipped}`);
  }

  printsToStdio(): boolean {
    return false;
  }

  private printFigures(): void {
    let figures: Record<string, number | number[] | string>;
    try {
      if (statSync(FIGURES).mtimeMs < this.started) return;
      figures = JSON.parse(readFileSync(FIGURES, 'utf8'));
    } catch {
      return;
    }
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const ms = (median: unknown, runs: unknown) =>
      median === undefined ? 'not measured' : `${median} ms, median of ${JSON.stringify(runs)}`;
    console.log(
      [
        '',
        `console figures: (Chromium ${figures.chromium}; reported, not asserted)`,
        `  initial JS gzipped:                   ${kb(figures.initialJsGzipBytes as number)} (${figures.initialJsFiles} files, ${kb(figures.initialJsBytes as number)} raw; target <= 150 KB)`,
        `  navigation -> users table, 100 users: ${ms(figures.usersTable100Ms, figures.usersTable100Runs)} (target <= 1000 ms)`,
        `  click Create -> row APPLIED:          ${ms(figures.createToAppliedMs, figures.createToAppliedRuns)} (target <= 300 ms)`,
        '',
      ].join('\n'),
    );
  }
}
