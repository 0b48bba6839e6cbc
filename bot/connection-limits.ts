/**
 * Deadlines and a per-client cap on the HTTP server's connections, so stalled or slow clients (a
 * slow-loris attack, a flaky network) are dropped in time and one client cannot use up the file
 * descriptors every other learner needs.
 */
import type { Server } from 'node:http';
import type { HttpLimits } from './http-limits.ts';

export function limitConnections(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.setTimeout(limits.idleSocketMs, (socket) => socket.destroy());
  // A connection whose request is being answered is not idle, however long the answer takes (a model
  // playing the customer, or judging at the end, may take longer than idleSocketMs): the clock stops
  // while a turn is worked on and starts again when its response is done. Receiving the request is
  // still bounded by headersTimeoutMs and requestTimeoutMs.
  server.on('request', (request, response) => {
    const socket = request.socket;
    socket.setTimeout(0);
    response.once('close', () => {
      if (!socket.destroyed) socket.setTimeout(limits.idleSocketMs);
    });
  });
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const count = (open.get(client) ?? 0) + 1;
    if (count > limits.connectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}
