// The arithmetic of scripts/bench/profile.mjs: the windows in which the slowest requests waited, and perf's samples
// of workerd sorted into kinds of work, inside those windows and over the whole run.

/** The union of the wait intervals [start, end] (ms) of every request that took `threshold` ms or longer. */
export function slowWindows(times, threshold) {
  const slow = times.filter(([start, end]) => end - start >= threshold).sort((a, b) => a[0] - b[0]);
  const windows = [];
  for (const [start, end] of slow) {
    const last = windows.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  return windows;
}

/**
 * One sample's kind of work from its call chain (leaf first). Garbage collection includes what workerd does inside
 * a collection's pause — freeing the C++ side of dead API objects (HeapTracer, detachWrapper) — because the pause
 * holds the thread just the same.
 */
export function kindOf(frames) {
  const chain = frames.join("\n");
  if (/Heap::CollectGarbage|ScavengerCollector|MarkCompactCollector::|IncrementalMarking|ConcurrentMarking|Sweeper|MinorMarkSweep|HeapTracer|cppgc::/.test(chain)) {
    if (/ScavengerCollector|MinorMarkSweep/.test(chain)) return "GC: young generation (scavenge, with workerd's frees)";
    if (/MarkCompactCollector::CollectGarbage/.test(chain)) return "GC: full (mark-compact)";
    return "GC: marking, sweeping, other";
  }
  if (/sqlite3/.test(chain)) return /subjournalPageIfRequired/.test(chain) ? "SQLite: nested-transaction journal" : /WalCheckpoint/.test(chain) ? "SQLite: checkpoint" : "SQLite: other";
  if (/Builtins_|Runtime_|v8::internal::Execution|^\s*(JS:|\[unknown\])/m.test(chain)) return "JavaScript (ours, Hono, protobuf) and V8's runtime";
  if (/kj::|capnp::|workerd::/.test(chain)) return "workerd: I/O, HTTP, RPC";
  return `other: ${(frames[0] ?? "?").slice(0, 60)}`;
}

/** perf script's text (comm,tid,time,ip,sym) → counts by "thread: kind", inside `windows` and over the run. */
export function categorize(text, windows) {
  const inside = new Map();
  const all = new Map();
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  const within = (t) => {
    let lo = 0;
    let hi = windows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, end] = windows[mid];
      if (t < start) hi = mid - 1;
      else if (t > end) lo = mid + 1;
      else return true;
    }
    return false;
  };
  for (const block of text.split("\n\n")) {
    const lines = block.trim().split("\n");
    const head = /^(.*?)\s+(\d+)\s+([\d.]+):/.exec(lines[0] ?? "");
    if (!head) continue;
    const frames = lines.slice(1).map((line) => line.trim().replace(/^[0-9a-f]+ /, ""));
    const key = `${head[1].trim() === "workerd" ? "main thread" : head[1].trim()}: ${kindOf(frames)}`;
    add(all, key);
    if (within(Number(head[3]) * 1000)) add(inside, key);
  }
  return { inside, all };
}
