import type { WriteStream } from 'node:fs';
import { startCli, type ManagedProcess } from '../demo/processes';

export class ChildExitError extends Error {}

/** Starts `serve` and `worker`, records an exit the script did not ask for, and stops them at the end. */
export class Processes {
  readonly crashed: string[] = [];
  private readonly children: ManagedProcess[] = [];
  private readonly closed: Promise<unknown>[] = [];
  private stopping = false;
  private reject: (error: Error) => void = () => undefined;
  private readonly exited = new Promise<never>((_resolve, reject) => (this.reject = reject));

  constructor(private readonly logStream: WriteStream) {
    this.exited.catch(() => undefined);
  }

  start(command: string, env: NodeJS.ProcessEnv): void {
    const managed = startCli(command, env, this.logStream);
    this.children.push(managed);
    this.closed.push(new Promise((resolve) => managed.child.once('close', resolve)));
    managed.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.crashed.push(`${command} ${describeExit(code, signal)} while the replay was running`);
      this.reject(new ChildExitError(this.crashed[0]));
    });
  }

  /** Waits for `work`, but fails as soon as a process exits. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.exited]);
  }

  /** Sends SIGTERM to each process still running, flushes the log and lists those that did not exit with status 0. */
  async stop(): Promise<string[]> {
    this.stopping = true;
    const running = this.children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    const codes = await Promise.all(running.map((managed) => managed.stop()));
    await Promise.all(this.closed);
    await new Promise((resolve) => this.logStream.end(resolve));
    const unclean = running.filter((_managed, index) => codes[index] !== 0);
    return unclean.map(
      ({ name, child }) => `${name} ${describeExit(child.exitCode, child.signalCode)} after SIGTERM`,
    );
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code === null ? `was ended by ${signal}` : `exited with status ${code}`;
}
