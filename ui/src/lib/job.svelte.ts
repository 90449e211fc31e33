// One runner for a long job with progress and a cancel button (import, demo data,
// policy activation, payout export, bulk actions, joining a server).
//
//   const importing = new JobRunner();
//   const summary = await importing.run((job) => api.importFile(path, job, update));
//   <ProgressBar done={importing.done} total={importing.total} oncancel={() => importing.cancel()}
//                cancelling={importing.cancelling} … />
//
// `run` makes a fresh `api.Job`, resets the progress, and hands the job to `fn`;
// progress messages update `done`, `total`, `phase` and `message`. Whatever `fn`
// returns or throws comes back from `run` (a cancelled job rejects with CANCELLED,
// as the backend says it): the caller shows its own result or error. Either way the
// runner is idle again afterwards (`running` and `cancelling` false, no job).
import * as api from './api';
import type { Progress } from './api';
import { notifyError } from './toast.svelte';

export interface RunOptions {
  /**
   * The total known before the first message (a bulk action knows how many claims it
   * touches). When given, a message without a total keeps the total shown; without it,
   * such a message makes the bar indeterminate again.
   */
  total?: number | null;
  /** The phase to show before the first message; without it the last run's phase stays until one comes. */
  phase?: string;
  /** Called with every progress message, after the runner's own state is updated. */
  onProgress?: (p: Progress) => void;
}

export class JobRunner {
  running = $state(false);
  cancelling = $state(false);
  done = $state(0);
  /** Null while the total is not known (an indeterminate bar). */
  total = $state<number | null>(null);
  phase = $state('');
  message = $state('');
  #job: api.Job | null = null;

  /** The job being run, if any (for a caller that passes its id on). */
  get job(): api.Job | null {
    return this.#job;
  }

  async run<T>(fn: (job: api.Job) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const keepTotal = options.total !== undefined;
    this.running = true;
    this.cancelling = false;
    this.done = 0;
    this.total = options.total ?? null;
    this.message = '';
    if (options.phase !== undefined) this.phase = options.phase;
    const job = api.newJob((p) => {
      if (this.#job !== job) return;
      this.done = Number(p.done);
      this.total = p.total === null ? (keepTotal ? this.total : null) : Number(p.total);
      this.phase = p.phase;
      this.message = p.message ?? '';
      options.onProgress?.(p);
    });
    this.#job = job;
    try {
      return await fn(job);
    } finally {
      if (this.#job === job) {
        this.#job = null;
        this.running = false;
        this.cancelling = false;
      }
    }
  }

  /** Asks the running job to stop; a refused cancel is shown and the button comes back. */
  async cancel(): Promise<void> {
    const job = this.#job;
    if (!job) return;
    this.cancelling = true;
    try {
      await api.cancelJob(job.id);
    } catch (err) {
      this.cancelling = false;
      notifyError(err);
    }
  }
}
