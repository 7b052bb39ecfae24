import { writeSync } from 'node:fs';

/**
 * The log's line writer for the Node entry: the lines of one event-loop turn
 * go to stdout in one write. console.log made one write system call (and its
 * formatting) per line, and the access log writes a line per request: under
 * load that was a few percent of the server's CPU. Lines still pending when
 * the process exits (process.exit, an uncaught error) are written then,
 * synchronously; only a SIGKILL can lose the last turn's lines.
 */
export function createBatchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const take = () => {
    const text = pending.join('\n') + '\n';
    pending = [];
    return text;
  };
  const flush = () => {
    if (pending.length > 0) process.stdout.write(take());
  };
  process.on('exit', () => {
    if (pending.length > 0) writeSync(1, take());
  });
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}
