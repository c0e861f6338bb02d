// A static file server for a built site on 127.0.0.1 (random port): `/dir/` serves
// `dir/index.html`, unknown paths get `/404.html` with status 404, `.wasm` is application/wasm.
// No compression: page weight is computed from the files (see run.mjs).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".bin": "application/octet-stream",
};

/** The file a URL path maps to inside `root` (index.html for directories), or null. */
export async function fileFor(root, pathname) {
  let decoded;
  try { decoded = decodeURIComponent(pathname); } catch { return null; }
  const file = resolve(root, "." + decoded);
  if (file !== resolve(root) && !file.startsWith(resolve(root) + sep)) return null;
  try {
    const s = await stat(file);
    if (s.isDirectory()) {
      const index = join(file, "index.html");
      return (await stat(index).catch(() => null))?.isFile() ? index : null;
    }
    return s.isFile() ? file : null;
  } catch {
    return null;
  }
}

export async function serve(root) {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    let file = await fileFor(root, pathname);
    let status = 200;
    if (!file) {
      status = 404;
      file = await fileFor(root, "/404.html");
    }
    if (!file) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const body = await readFile(file);
    res.writeHead(status, {
      "Content-Type": TYPES[extname(file)] || "application/octet-stream",
      "Content-Length": body.length,
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
