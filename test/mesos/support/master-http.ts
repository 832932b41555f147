import { request } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One `GET http://host:port/path` without following redirects (a non-leading master's 307 is
 * an observation in itself) and without keep-alive (no socket outlives the request).
 */
export function httpGet(
  host: string,
  port: number,
  path: string,
  timeoutMs = 10_000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(
          `GET http://${host}:${port}${path}: no answer within ${timeoutMs} ms`,
        ),
      ),
    );
    req.on('error', reject);
    req.end();
  });
}
