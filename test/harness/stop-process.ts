import { ChildProcess } from 'node:child_process';

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Stops a child by its PID: SIGTERM first so it can close files, SIGKILL when it has not exited
 * within `graceMs`. Resolves only once the process is gone, so its port and files are free.
 */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child)) return;

  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;

  child.kill('SIGKILL');
  if (!(await waitForExit(child, graceMs))) {
    throw new Error(`process ${child.pid} survived SIGKILL for ${graceMs} ms`);
  }
}
