import { env as startupEnv } from "cloudflare:workers";
import { configOf } from "./config";
import type { Env } from "./env";
import { app } from "./worker/app";
import { corsPreflight, withCors } from "./worker/cors";
import { errorResponse, withProtocolHeader } from "./worker/respond";

export { VssStore } from "./store/vss-store";
export { VssAccount } from "./account/vss-account";
export { VssDirectory } from "./directory/vss-directory";
export { LnurlChallengeStore } from "./lnurl/challenge-store";
export { VssSecrets } from "./secrets/vss-secrets";

/**
 * Checks the configuration when the isolate starts, so that a mistake is in the log (`wrangler dev`'s output,
 * `wrangler tail`) before any wallet calls; requests then answer 500 until it is fixed. Not thrown: a deploy must
 * not fail because a secret is set only after it.
 */
try {
  configOf(startupEnv as Env);
} catch (error) {
  console.error(`configuration error: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * The Worker: a CORS preflight is answered first, before routing, authentication and rate limits. Every response,
 * including an uncaught failure, carries the VSS protocol header and, under /vss, the CORS headers.
 */
export default {
  async fetch(request, env, ctx): Promise<Response> {
    let response: Response;
    try {
      response = corsPreflight(request, env) ?? (await app.fetch(request, env, ctx));
    } catch (error) {
      response = errorResponse(error);
    }
    return withCors(request, env, withProtocolHeader(response));
  },
} satisfies ExportedHandler<Env>;
