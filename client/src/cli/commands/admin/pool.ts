/** Runs `work` over `jobs` with at most `concurrency` at once, in order of arrival; resolves when all are done. */
export async function eachConcurrently<T>(jobs: AsyncIterable<T>, concurrency: number, work: (job: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const job of jobs) {
    const task: Promise<void> = work(job).finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
}
