import { createServer as createHttpServer, type IncomingMessage, request, type Server } from 'node:http';
import { createServer } from 'node:net';

/** The ports `freePort` has handed out in this process: each one is handed out once. */
const handedOut = new Set<number>();

/**
 * A free loopback port (the issuer must be known before the server listens). Never one it has handed out before
 * in this process: the kernel may offer a port again once its probe socket is closed, and two servers of one
 * test (two nodes, an SMTP server and latchkey) asked for ports in a row would then collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A tiny reverse proxy on loopback, like nginx's `proxy_pass` with `proxy_set_header Host $host` and
 * `X-Forwarded-For $proxy_add_x_forwarded_for`: it forwards every path as is, the Host header unchanged, and
 * appends the browser's address (`browserIp`, by default the peer's) to `X-Forwarded-For`.
 */
export function reverseProxy(
  target: () => number,
  browserIp: (req: IncomingMessage) => string | undefined = (req) => req.socket.remoteAddress,
): Server {
  return createHttpServer((req, res) => {
    const forwarded = [req.headers['x-forwarded-for'], browserIp(req)].filter(Boolean).join(', ');
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target(),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwarded },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
}
