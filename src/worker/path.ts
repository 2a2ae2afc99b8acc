/**
 * The request's path as the router sees it. Clients join the base URL and the operation by concatenation, so
 * "/vss/" + "/getObject" is the same route: doubled slashes are joined. The query is left out.
 */
export function normalizedPath(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query).replace(/\/{2,}/g, "/");
}
