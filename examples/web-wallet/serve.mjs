// Serves the example on http://127.0.0.1:8080 (PORT to change): index.html and wallet.js bundled by esbuild with
// @edge-vss/client as this repository builds it (`npm run example:web` builds the client first).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const port = Number(process.env.PORT ?? 8080);
const bundle = await build({ entryPoints: [`${here}wallet.js`], bundle: true, format: "esm", platform: "browser", write: false, minify: true });
const files = {
  "/": ["text/html; charset=utf-8", readFileSync(`${here}index.html`)],
  "/wallet.bundle.js": ["text/javascript", bundle.outputFiles[0].contents],
};

createServer((request, response) => {
  const [type, body] = files[new URL(request.url, "http://x").pathname] ?? ["text/plain", "not found"];
  response.writeHead(body === "not found" ? 404 : 200, { "content-type": type });
  response.end(body);
}).listen(port, "127.0.0.1", () => console.log(`example on http://127.0.0.1:${port}/ (service: ?vss=<base URL>, default http://127.0.0.1:8787/vss)`));
