/**
 * An HTTP proxy on 127.0.0.1 in front of an MLflow server that loses replies the way a flaky
 * network or a load balancer does: every request reaches MLflow, but every `failEvery`-th
 * `POST …/runs/*` answers 500 once MLflow has done the work, and every `delayEvery`-th
 * `runs/create` reply is held back `delayMs` (longer than the client waits).
 */
import http from 'node:http';
import type net from 'node:net';

export interface FlakyProxyOptions {
  readonly target: string;
  readonly failEvery: number;
  readonly delayEvery: number;
  readonly delayMs: number;
}

export interface FlakyProxy {
  readonly uri: string;
  readonly stats: { forwarded: number; failedAfterForwarding: number; delayed: number };
  close(): Promise<void>;
}

export async function flakyProxy(options: FlakyProxyOptions): Promise<FlakyProxy> {
  const target = new URL(options.target);
  const stats = { forwarded: 0, failedAfterForwarding: 0, delayed: 0 };
  let runPosts = 0;
  let creates = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, reply) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            stats.forwarded++;
            const url = request.url ?? '';
            const isRunPost = request.method === 'POST' && url.startsWith('/api/2.0/mlflow/runs/');
            const fail = isRunPost && ++runPosts % options.failEvery === 0;
            const delay =
              !fail &&
              isRunPost &&
              url.startsWith('/api/2.0/mlflow/runs/create') &&
              ++creates % options.delayEvery === 0;
            const send = () => {
              if (reply.destroyed) return;
              if (fail) {
                stats.failedAfterForwarding++;
                reply.writeHead(500, { 'content-type': 'application/json' });
                reply.end(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'proxy: lost the reply' }));
                return;
              }
              reply.writeHead(answer.statusCode ?? 502, answer.headers);
              reply.end(Buffer.concat(parts));
            };
            if (delay) {
              stats.delayed++;
              setTimeout(send, options.delayMs);
            } else send();
          });
        },
      );
      forward.on('error', (error) => {
        reply.writeHead(502);
        reply.end(String(error));
      });
      forward.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
