/**
 * The live server's plain HTTP side: the built web viewer's static files and a small JSON API
 * (/api/health open to all; /api/models and /api/stats behind the viewer token). GET and HEAD only.
 */
import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import type { ModelsResponse } from './protocol.js';
import { checkToken, tokenFromUrl } from './token-check.js';

export interface HttpRoutesOptions {
  /** The viewer token the /api/ routes (all but health) ask for, as `Bearer` or `?token=`. */
  token: string;
  /** Folder of the built web viewer, served at /. */
  viewerDir: string;
  /** The bodies of the JSON routes, read on each request. */
  api: {
    health(): unknown;
    models(): Promise<ModelsResponse>;
    stats(): unknown;
  };
  /** Logs a request that failed inside the server (answered 500). */
  log: (line: string) => void;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The request listener for node:http's server. */
export function createHttpRoutes(options: HttpRoutesOptions): http.RequestListener {
  const { token, viewerDir, api, log } = options;

  const authorized = (req: http.IncomingMessage): boolean => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : null;
    return checkToken(token, bearer ?? tokenFromUrl(req.url));
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/api/health') return sendJson(res, 200, api.health());
    if (url.pathname.startsWith('/api/')) {
      if (!authorized(req)) return sendJson(res, 401, { error: 'missing or wrong token' });
      if (url.pathname === '/api/models') return sendJson(res, 200, await api.models());
      if (url.pathname === '/api/stats') return sendJson(res, 200, api.stats());
      return sendJson(res, 404, { error: 'not found' });
    }
    // Static viewer files; the page itself holds no secret, the token rides in its URL.
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(viewerDir, rel);
    if (!file.startsWith(path.resolve(viewerDir) + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // The page talks only to this server: its socket, camera streams and decoded frame blobs.
        'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; frame-ancestors 'none'",
        'Referrer-Policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  };

  return (req, res) => {
    void route(req, res).catch((err: unknown) => {
      log(`http: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}
