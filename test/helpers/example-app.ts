import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ExampleApp {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts an example app as its own process on a free port and waits for its "listening" line. */
export async function startExample(which: 'express' | 'koa', env: Record<string, string> = {}): Promise<ExampleApp> {
  const script = fileURLToPath(new URL(`../../examples/${which}/server.mjs`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example ${which} did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`example ${which} exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        process.kill(child.pid!, 'SIGTERM');
      }),
  };
}
