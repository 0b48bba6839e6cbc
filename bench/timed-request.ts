/**
 * One HTTP request to a bot on loopback, timed from the call to the end of its answer: the latency
 * the HTTP benchmarks report for a turn (in normal delivery mode it includes posting every reply).
 */
import http from 'node:http';

/** Longer than any turn should take, short enough that a hung server ends the run with an error. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface TimedAnswer {
  status: number;
  ms: number;
  body: string;
}

export interface TimedRequest {
  method: 'GET' | 'POST';
  path: string;
  /** JSON, sent with its Content-Type and Content-Length; none for a GET. */
  body?: string;
  /** A keep-alive pool, as a channel holds one to a bot it talks to a lot; `false`, a connection of its own. */
  agent?: http.Agent | false;
  /** The client address to send from (another loopback address is another client to the server). */
  localAddress?: string;
}

export function timedRequest(port: number, request: TimedRequest, started = performance.now()): Promise<TimedAnswer> {
  const { method, path, body, agent = false, localAddress } = request;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        ...(localAddress === undefined ? {} : { localAddress }),
        path,
        method,
        agent,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A pooled connection the server closed as idle just as this request went out: the request never
      // reached it, so it is sent again (Node's documented remedy), and timed from the first attempt.
      if (req.reusedSocket && error.code === 'ECONNRESET') resolve(timedRequest(port, request, started));
      else reject(error);
    });
    req.end(body);
  });
}
