/**
 * A throwaway redis-server per test file: a free 127.0.0.1 port, no
 * persistence, stopped by its own PID. `redisAvailable()` decides whether the
 * Redis tests run: without the binary they are skipped with one line, except
 * under CI=true where a missing Redis must fail the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  /** PID of the current process (changes after `restart`). */
  readonly pid: number;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** A crash: SIGKILL, nothing saved. */
  kill(): Promise<void>;
  /** Starts a new process on the same port (after `kill` or `stop`; stops a running one first). Data is gone. */
  restart(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  output(): string;
}

const BINARY = 'redis-server';
let availability: boolean | undefined;

/** True when redis-server runs here. Under CI=true a missing binary throws (fails the file). */
export function redisAvailable(): boolean {
  if (availability === undefined) {
    const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    availability = probe.status === 0 && /Redis server/i.test(probe.stdout);
  }
  if (!availability) {
    if (process.env['CI'] === 'true') {
      throw new Error('CI=true but redis-server is not on PATH: install it (apt-get install -y redis-server) so the Redis store tests run.');
    }
    announceSkipOnce();
  }
  return availability;
}

/** One line per test run, not one per file: the first worker to create the marker prints it. */
function announceSkipOnce(): void {
  const marker = path.join(os.tmpdir(), `switchboard-redis-skip-${process.ppid}`);
  try {
    // A marker left by an old run whose PID came round again must not silence this one.
    if (Date.now() - statSync(marker).mtimeMs > 3_600_000) rmSync(marker, { force: true });
  } catch {
    // no marker yet
  }
  try {
    closeSync(openSync(marker, 'wx'));
  } catch {
    return;
  }
  process.stderr.write('Redis store tests skipped: redis-server is not on PATH (install redis-server to run them; CI=true makes this an error).\n');
}

const started = new Set<ChildProcess>();
// A crashed test run must not leave servers behind; each is killed by its own PID.
process.once('exit', () => {
  for (const child of started) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      const first = await launch(port, dir);
      return wrap(port, dir, first);
    } catch (err) {
      // Another process may have taken the port between probe and bind.
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

interface Launched {
  child: ChildProcess;
  out: () => string;
}

function wrap(port: number, dir: string, first: Launched): RedisServer {
  let current = first;
  let log = '';
  const stopChild = (signal: NodeJS.Signals): Promise<void> => {
    const { child } = current;
    log += current.out();
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }, 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        started.delete(child);
        resolve();
      });
      // SIGTERM to a stopped process would wait for SIGCONT.
      try {
        process.kill(child.pid!, 'SIGCONT');
      } catch {
        // exited meanwhile
      }
      process.kill(child.pid!, signal);
    });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.child.pid!;
    },
    async stop() {
      await stopChild('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => stopChild('SIGKILL'),
    async restart() {
      await stopChild('SIGKILL');
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          current = await launch(port, dir);
          return;
        } catch (err) {
          // The old socket may linger for a moment.
          if (Date.now() > deadline) throw err;
          await sleep(100);
        }
      }
    },
    pause() {
      process.kill(current.child.pid!, 'SIGSTOP');
    },
    resume() {
      process.kill(current.child.pid!, 'SIGCONT');
    },
    output: () => log + current.out(),
  };
}

function launch(port: number, dir: string): Promise<Launched> {
  const child = spawn(BINARY, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise<Launched>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      clearInterval(poll);
      if (child.exitCode === null) {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      started.delete(child);
      reject(new Error(`redis-server on port ${port} ${why}:\n${out}`));
    };
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    child.once('exit', (code) => fail(`exited with ${code}`));
    const poll = setInterval(() => {
      if (!/Ready to accept connections/.test(out)) return;
      clearInterval(poll);
      ping(port).then(
        () => {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.once('exit', () => started.delete(child));
          resolve({ child, out: () => out });
        },
        (err: unknown) => fail(`did not answer PING: ${String(err)}`),
      );
    }, 20);
  });
}

function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(2_000, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      socket.destroy();
      if (d.toString().startsWith('+PONG')) resolve();
      else reject(new Error(d.toString()));
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
