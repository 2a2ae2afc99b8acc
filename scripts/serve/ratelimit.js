// The `[[ratelimits]]` bindings of wrangler.toml, for `npm start` (workerd without Miniflare): an internal module of
// a workerd extension, wrapped into each binding with its limit and period. The same API as Cloudflare's Workers
// Rate Limiting binding — `limit({ key })` resolves to `{ success }` — counted in fixed windows of `period`
// seconds in the isolate's memory (one process serves every request here, so one count is the whole count).
// Memory is bounded by the keys seen in one window: every window starts from an empty map.

class FixedWindowLimiter {
  constructor({ limit, period }) {
    this.allowed = limit;
    this.periodMs = period * 1000;
    this.window = -1;
    this.counts = new Map();
  }

  async limit({ key } = {}) {
    if (typeof key !== "string") throw new TypeError("limit() needs a string key");
    const window = Math.floor(Date.now() / this.periodMs);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.allowed) return { success: false };
    this.counts.set(key, used + 1);
    return { success: true };
  }
}

export default function rateLimiter(env) {
  return new FixedWindowLimiter({ limit: Number(env.limit), period: Number(env.period) });
}
