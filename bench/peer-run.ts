import { type RequestCounts, countByKind } from './access-log';
import type { AccessLogWindow } from './access-log-window';
import { type MeasureOptions, measureProcess } from './measure-process';
import { cpuSecondsOf } from './process-cpu';

export type PeerName = 'container-sync' | 'skopeo' | 'floor';
export type Phase = 'cold' | 'no-change' | 'changed';

/** The registry every peer of one size talks to: its access log and its process. */
export interface RegistryWatch {
  log: AccessLogWindow;
  pid: number;
}

/** One measured process: its own wall time and peak RSS, and the requests the registry saw. */
export interface PeerRun {
  peer: PeerName;
  phase: Phase;
  wallSeconds: number;
  peakRssKb: number;
  cpuSeconds: number;
  /** CPU seconds the registry used while the peer ran: the serving side of its cost. */
  registryCpuSeconds: number;
  exitCode: number;
  requests: RequestCounts;
  /** Answers with status 400 or above, of any kind (a 404 HEAD counts here too). */
  errorResponses: number;
  /** Distinct `METHOD path` of the requests that fetch no content (ping, other), up to 10. */
  probes: string[];
}

const PROBE_KINDS = new Set(['ping', 'other']);
const MAX_PROBES = 10;

/** Runs one peer between the access-log window's ends; a peer that fails fails the bench. */
export async function runPeer(
  registry: RegistryWatch,
  identity: { peer: PeerName; phase: Phase },
  command: string,
  args: string[],
  options: MeasureOptions,
): Promise<PeerRun & { stdoutFile: string; stderrFile: string }> {
  await registry.log.start();
  const registryCpuBefore = await cpuSecondsOf(registry.pid);
  const measured = await measureProcess(command, args, options);
  const registryCpu = (await cpuSecondsOf(registry.pid)) - registryCpuBefore;
  const entries = await registry.log.end();
  if (measured.exitCode !== 0) {
    throw new Error(
      `${identity.peer} (${identity.phase}) exited with ${measured.exitCode}; ` +
        `see ${measured.stderrFile} and ${measured.stdoutFile}`,
    );
  }
  const probes = new Set(
    entries.filter((entry) => PROBE_KINDS.has(entry.kind)).map((e) => `${e.method} ${e.path}`),
  );
  return {
    ...identity,
    ...measured,
    registryCpuSeconds: Math.round(registryCpu * 100) / 100,
    requests: countByKind(entries),
    errorResponses: entries.filter((entry) => entry.status >= 400).length,
    probes: [...probes].slice(0, MAX_PROBES),
  };
}
