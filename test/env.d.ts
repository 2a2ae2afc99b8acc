import type { Env as VssEnv } from "../src/env";

// The bindings tests see through `env` from "cloudflare:test", and the main module's exports.
declare global {
  namespace Cloudflare {
    interface Env extends VssEnv {}
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "VssStore";
    }
  }
}
