import { env } from "cloudflare:test";
import type { Env } from "../../src/env";

/** The Durable Object namespaces a request may reach. */
const NAMESPACES = ["VSS_STORE", "VSS_ACCOUNT", "VSS_DIRECTORY"] as const;
type Watched = (typeof NAMESPACES)[number];

/**
 * The real namespaces, each wrapped so that every object the Worker addresses (`get`, `getByName`) is counted:
 * passed as a request's env overrides, they show which Durable Objects a request reached. Instrumentation only —
 * every call still goes to the real SQLite object.
 */
export function watchedObjects(): { env: Partial<Env>; reached: () => Record<Watched, number> } {
  const counts: Record<Watched, number> = { VSS_STORE: 0, VSS_ACCOUNT: 0, VSS_DIRECTORY: 0 };
  const overrides: Partial<Record<Watched, unknown>> = {};
  for (const name of NAMESPACES) {
    const real = (env as unknown as Env)[name] as unknown as DurableObjectNamespace;
    overrides[name] = new Proxy(real, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== "function") return value;
        if (property === "get" || property === "getByName") {
          return (...args: unknown[]) => {
            counts[name]++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }
  return { env: overrides as Partial<Env>, reached: () => ({ ...counts }) };
}
