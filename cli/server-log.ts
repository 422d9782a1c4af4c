// What `framesmith serve` says about trouble it survived. Two kinds, kept
// apart on purpose: a connection that misbehaved (a peer reset, a frame over
// the size limit, a request line that does not parse) is the client's
// problem and costs one line; an exception from our own code is a bug and is
// logged with its stack so it gets reported, never swallowed. Neither ends
// the process.

export interface ServerLog {
  /** A client or its connection misbehaved; the server answered or closed it and goes on. */
  connection(what: string, error: unknown): void;
  /** Our own code threw where it should not: logged with the stack, the request answered with an error. */
  bug(what: string, error: unknown): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lines on a stream (stderr by default), prefixed with the command's name. */
export function streamLog(write: (line: string) => void = (line) => process.stderr.write(line)): ServerLog {
  return {
    connection: (what, error) => write(`framesmith serve: ${what}: ${messageOf(error)}\n`),
    bug: (what, error) => write(`framesmith serve: BUG (please report this) while ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
  };
}
