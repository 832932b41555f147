import type { Readable } from 'node:stream';

/**
 * Reads a child's stdout one line at a time, with a timeout on every read.
 *
 * Lines are buffered from the moment the reader is created, so a line printed before anyone
 * asks for it is never lost. When the stream ends, pending and later reads reject with a
 * message that names the stream and the last lines seen, which is what you need when a peer
 * died with a usage error.
 */
export class LineReader {
  private readonly lines: string[] = [];
  private readonly waiters: Array<{
    resolve: (line: string) => void;
    reject: (err: Error) => void;
  }> = [];
  private readonly history: string[] = [];
  private partial = '';
  private ended = false;

  constructor(
    stream: Readable,
    private readonly label: string,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
    stream.on('end', () => this.onEnd());
    stream.on('error', () => this.onEnd());
  }

  /** Every line read so far (including those already consumed), for diagnostics. */
  get seen(): readonly string[] {
    return this.history;
  }

  /** Resolves with the next line; rejects after `timeoutMs` or when the stream ends first. */
  next(timeoutMs: number): Promise<string> {
    const buffered = this.lines.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    if (this.ended) return Promise.reject(this.endedError());
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `${this.label}: no line within ${timeoutMs} ms (seen: ${this.tail()})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Skips lines up to the first one that matches `pattern` and resolves with it; rejects
   * after `timeoutMs` or when the stream ends first (the child died), naming the pattern.
   */
  async nextMatching(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let line: string;
      try {
        line = await this.next(Math.max(0, deadline - Date.now()));
      } catch {
        const why = this.ended
          ? 'the stream ended with no line matching'
          : `no line within ${timeoutMs} ms matching`;
        throw new Error(
          `${this.label}: ${why} ${pattern} (seen: ${this.tail()})`,
        );
      }
      if (pattern.test(line)) return line;
    }
  }

  /** The next line parsed as a JSON object. */
  async nextJson<T = Record<string, unknown>>(timeoutMs: number): Promise<T> {
    const line = await this.next(timeoutMs);
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new Error(
        `${this.label}: not a JSON line: ${JSON.stringify(line)}`,
      );
    }
  }

  private onData(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) this.push(raw.replace(/\r$/, ''));
  }

  private onEnd(): void {
    if (this.ended) return;
    if (this.partial) this.push(this.partial);
    this.partial = '';
    this.ended = true;
    for (const waiter of this.waiters.splice(0))
      waiter.reject(this.endedError());
  }

  private push(line: string): void {
    this.history.push(line);
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(line);
    else this.lines.push(line);
  }

  private endedError(): Error {
    return new Error(`${this.label}: stream ended (seen: ${this.tail()})`);
  }

  private tail(): string {
    return JSON.stringify(this.history.slice(-5));
  }
}
