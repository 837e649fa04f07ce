import { execFile } from 'node:child_process';

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

/** gpg and skopeo print little; a megabyte more than covers an exported keyring. */
const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a command-line tool to completion and resolves with its output as bytes (an exported
 * key is binary). A non-zero exit rejects with the command line and its stderr, which is where
 * gpg and skopeo say what went wrong.
 */
export function runTool(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env, encoding: 'buffer', maxBuffer: MAX_OUTPUT },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8');
        if (err) {
          const line = [command, ...args].join(' ');
          reject(new Error(`${line} failed: ${err.message}\n${errText}`, { cause: err }));
          return;
        }
        resolve({ stdout, stderr: errText });
      },
    );
  });
}
