/**
 * A recording HTTP proxy on 127.0.0.1 in front of the HubSpot emulator. It stores the arrival time and
 * response status of every request, so the bench can report the busiest 10-second window exactly.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** Response status, or 502 when the emulator could not be reached. */
  status: number;
}

export interface RecordingProxy {
  url: string;
  requests(): RecordedRequest[];
  close(): Promise<void>;
}

function forward(
  target: URL,
  agent: http.Agent,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  record: RecordedRequest,
): void {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
      agent,
    },
    (answer) => {
      record.status = answer.statusCode ?? 502;
      res.writeHead(record.status, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    record.status = 502;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`Emulator request failed: ${error.message}`);
  });
  req.pipe(upstream);
}

export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  if (target.hostname !== '127.0.0.1')
    throw new Error(`Invalid proxy target ${targetUrl}: expected a 127.0.0.1 URL`);
  const agent = new http.Agent({ keepAlive: true });
  const recorded: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const record: RecordedRequest = { at: Date.now(), status: 0 };
    recorded.push(record);
    forward(target, agent, req, res, record);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => recorded.map((record) => ({ ...record })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
