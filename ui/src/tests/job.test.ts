import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job, Progress } from '../lib/api';

const cancelJob = vi.fn<(id: string) => Promise<boolean>>();
const notifyError = vi.fn();

vi.mock('../lib/api', () => ({
  newJob: (onProgress?: (p: Progress) => void): Job => ({ id: `job-${Math.random()}`, onProgress }),
  cancelJob: (id: string) => cancelJob(id),
}));
vi.mock('../lib/toast.svelte', () => ({ notifyError: (e: unknown) => notifyError(e) }));

import { JobRunner } from '../lib/job.svelte';

function progress(job: Job, done: number, total: number | null, phase = 'import', message: string | null = null) {
  job.onProgress?.({ job_id: job.id, phase, done, total, message });
}

/** A job the test finishes by hand. */
function pending<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

beforeEach(() => {
  cancelJob.mockReset();
  notifyError.mockReset();
});

describe('one job runner for progress and cancel', () => {
  it('shows the progress the job reports and is idle when it ends', async () => {
    const runner = new JobRunner();
    const p = pending<string>();
    let seen: Job | null = null;
    const result = runner.run((job) => {
      seen = job;
      return p.promise;
    });
    expect(runner.running).toBe(true);
    expect(runner.job).toBe(seen);
    expect([runner.done, runner.total]).toEqual([0, null]);
    progress(seen!, 10, 200, 'import', '행 10');
    expect([runner.done, runner.total, runner.phase, runner.message]).toEqual([10, 200, 'import', '행 10']);
    progress(seen!, 150, null, 'evaluate');
    // Without a total given up front, a message without one makes the bar indeterminate again.
    expect([runner.done, runner.total, runner.phase, runner.message]).toEqual([150, null, 'evaluate', '']);
    p.resolve('ok');
    await expect(result).resolves.toBe('ok');
    expect(runner.running).toBe(false);
    expect(runner.job).toBeNull();
  });

  it('keeps a total given up front when a message has none', async () => {
    const runner = new JobRunner();
    const p = pending<void>();
    let seen: Job | null = null;
    const result = runner.run((job) => ((seen = job), p.promise), { total: 40 });
    expect(runner.total).toBe(40);
    progress(seen!, 5, null, 'bulk');
    expect([runner.done, runner.total]).toEqual([5, 40]);
    // The caller may count by hand (one claim after another).
    runner.done++;
    expect(runner.done).toBe(6);
    p.resolve();
    await result;
  });

  it('a cancelled job asks the backend once, rejects with CANCELLED and resets its state', async () => {
    const runner = new JobRunner();
    const p = pending<void>();
    let seen: Job | null = null;
    cancelJob.mockResolvedValue(true);
    const result = runner.run((job) => ((seen = job), p.promise));
    progress(seen!, 3, 10);
    await runner.cancel();
    expect(cancelJob).toHaveBeenCalledWith(seen!.id);
    expect(runner.cancelling).toBe(true);
    expect(runner.running).toBe(true);
    p.reject({ code: 'CANCELLED', message: 'cancelled' });
    await expect(result).rejects.toEqual({ code: 'CANCELLED', message: 'cancelled' });
    expect([runner.running, runner.cancelling, runner.job]).toEqual([false, false, null]);
    // Nothing is running now: cancel does nothing.
    await runner.cancel();
    expect(cancelJob).toHaveBeenCalledTimes(1);
  });

  it('a refused cancel is shown and the cancel button comes back', async () => {
    const runner = new JobRunner();
    const p = pending<void>();
    const refusal = { code: 'NOT_FOUND', message: 'no such job' };
    cancelJob.mockRejectedValue(refusal);
    const result = runner.run(() => p.promise);
    await runner.cancel();
    expect(notifyError).toHaveBeenCalledWith(refusal);
    expect(runner.cancelling).toBe(false);
    expect(runner.running).toBe(true);
    p.resolve();
    await result;
  });

  it('a failed job gives its error back and resets its state; the next run starts from zero', async () => {
    const runner = new JobRunner();
    let seen: Job | null = null;
    const failure = { code: 'DATABASE', message: 'disk full' };
    const result = runner.run(async (job) => {
      seen = job;
      progress(job, 7, 9, 'import', 'x');
      throw failure;
    });
    await expect(result).rejects.toBe(failure);
    expect([runner.running, runner.cancelling, runner.job]).toEqual([false, false, null]);
    // A late message of the finished job changes nothing.
    progress(seen!, 9, 9);
    expect(runner.done).toBe(7);

    const next = pending<number>();
    const again = runner.run(() => next.promise, { phase: 'pull' });
    expect([runner.running, runner.done, runner.total, runner.message, runner.phase]).toEqual([true, 0, null, '', 'pull']);
    next.resolve(1);
    await expect(again).resolves.toBe(1);
  });

  it('passes every message on to the caller', async () => {
    const runner = new JobRunner();
    const onProgress = vi.fn();
    await runner.run(async (job) => progress(job, 1, 2, 'export'), { onProgress });
    expect(onProgress).toHaveBeenCalledWith(expect.objectContaining({ done: 1, total: 2, phase: 'export' }));
  });
});
