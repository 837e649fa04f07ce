import { ChildProcess } from 'node:child_process';

/**
 * Children that must not outlive this process. A jest worker that exits without calling
 * `stop()` (a failed `beforeAll`, a timeout) would otherwise leave a registry listening, holding
 * its temp dir and port until the machine reboots. One listener serves every child, so many
 * registries in one worker do not trip the max-listeners warning.
 */
const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** Registers `child` to be killed when this process exits; call the result to unregister. */
export function killOnExit(child: ChildProcess): () => void {
  if (children.size === 0) process.on('exit', killAll);
  children.add(child);
  return () => {
    children.delete(child);
    if (children.size === 0) process.off('exit', killAll);
  };
}
