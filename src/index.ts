import type { Env } from "./env";
import { app } from "./worker/app";
import { errorResponse, withProtocolHeader } from "./worker/respond";

export { VssStore } from "./store/vss-store";
export { VssAccount } from "./account/vss-account";
export { LnurlChallengeStore } from "./lnurl/challenge-store";

/** The Worker: every response, including an uncaught failure, carries the VSS protocol header. */
export default {
  async fetch(request, env, ctx): Promise<Response> {
    let response: Response;
    try {
      response = await app.fetch(request, env, ctx);
    } catch (error) {
      response = errorResponse(error);
    }
    return withProtocolHeader(response);
  },
} satisfies ExportedHandler<Env>;
