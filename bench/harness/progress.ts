// Progress lines on stderr, so stdout stays one clean JSON object for --json. On a terminal
// a line can be rewritten in place; elsewhere (CI logs) each update is its own line.

export interface Progress {
  /** A finished step: its own line. */
  line(text: string): void;
  /** A transient status (e.g. "3/10"): rewritten in place on a TTY, throttled elsewhere. */
  status(text: string): void;
  done(): void;
}

/** Non-TTY status lines at most this often (ms), so CI logs stay readable. */
const STATUS_INTERVAL_MS = 2000;

export function progress(prefix: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let transient = false;
  let lastStatus = 0;
  const clear = () => {
    if (transient) stream.write('\r\x1b[K');
    transient = false;
  };
  return {
    line(text) {
      clear();
      stream.write(`${prefix}${text}\n`);
    },
    status(text) {
      if (tty) {
        clear();
        stream.write(`${prefix}${text}`);
        transient = true;
      } else if (Date.now() - lastStatus >= STATUS_INTERVAL_MS) {
        lastStatus = Date.now();
        stream.write(`${prefix}${text}\n`);
      }
    },
    done() {
      clear();
    },
  };
}
