// Sweep progress on stderr: one line rewritten in place on a terminal, plain lines (about
// every tenth of the work) when stderr is a file or a pipe, so CI logs stay readable.

/** Redraw a terminal line at most this often, ms: smooth to the eye, negligible cost. */
const TTY_REDRAW_INTERVAL_MS = 100;
/** Plain-line mode prints about this many lines per sweep. */
const PLAIN_LINES_PER_SWEEP = 10;

export interface ProgressSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private lastDrawMs = 0;
  private lastPrinted = -1;
  private nextPlainAt: number;
  private readonly plainStep: number;
  private readonly startedMs = Date.now();

  constructor(private readonly sink: ProgressSink, private readonly label: string, private readonly total: number) {
    this.plainStep = Math.max(1, Math.ceil(total / PLAIN_LINES_PER_SWEEP));
    this.nextPlainAt = this.plainStep;
  }

  update(done: number, events: number, violations: number): void {
    if (this.sink.isTTY) {
      const now = Date.now();
      if (now - this.lastDrawMs < TTY_REDRAW_INTERVAL_MS && done < this.total) return;
      this.lastDrawMs = now;
      this.sink.write(`\r\x1b[K${this.line(done, events, violations)}`);
    } else if (done >= this.nextPlainAt || done === this.total) {
      this.nextPlainAt = done + this.plainStep;
      this.lastPrinted = done;
      this.sink.write(this.line(done, events, violations) + '\n');
    }
  }

  /** Shows the final counts and ends the line so later output starts on its own line. */
  finish(done: number, events: number, violations: number): void {
    if (this.sink.isTTY) this.sink.write(`\r\x1b[K${this.line(done, events, violations)}\n`);
    else if (this.lastPrinted !== done) this.sink.write(this.line(done, events, violations) + '\n');
  }

  private line(done: number, events: number, violations: number): string {
    const secs = Math.max((Date.now() - this.startedMs) / 1000, 1e-3);
    const rate = Math.round(events / secs);
    return `${this.label}: seeds ${done}/${this.total}, ${events} events, ${rate} events/s, ${violations} violation${violations === 1 ? '' : 's'}`;
  }
}
