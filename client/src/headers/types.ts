/** Supplies the HTTP headers of each VSS request (authorization and anything else the deployment needs). */
export interface HeaderProvider {
  /** Called once per attempt with the encoded request body, so a provider may sign it. */
  getHeaders(requestBody: Uint8Array): Promise<Record<string, string>>;
}

/** The fetch signature the client needs: the global `fetch` of browsers, React Native, Node 18+ and Workers. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;
