import { createServer, type Server } from "node:http";
import { freePort } from "../../../test/support/local-server.js";

/** A static page server on 127.0.0.1: fixed files from memory, 404 for anything else. */
export class StaticServer {
  #server?: Server;
  port = 0;

  constructor(readonly files: Record<string, { type: string; body: string | Uint8Array }>) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.#server = createServer((request, response) => {
      const file = this.files[new URL(request.url ?? "/", this.origin).pathname];
      response.writeHead(file ? 200 : 404, { "content-type": file?.type ?? "text/plain", "cache-control": "no-store" });
      response.end(file?.body ?? "not found");
    });
    const server = this.#server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
