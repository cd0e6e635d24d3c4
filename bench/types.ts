// Every bench module exports `run(): Promise<BenchRow[]>`; bench/run.ts prints them as one table.
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  /** what the value is compared with, measured in the same run */
  baseline?: { name: string; value: number; unit: string };
  ratio?: number;
  target?: string;
}
