// `usermgmt serve` on a fresh data directory and a free port, as the Python tests start it
// (tests/support/api_server.py): wait for "serving on http://…", then for /healthz.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BROWSER_DIR, ROOT, USERMGMT, WEB_DIST } from './paths';

const START_TIMEOUT_MS = 60_000;

export interface RunningServer {
  url: string;
  data: string;
  stop: () => Promise<void>;
}

/** The server, with more settings in `env` (USERMGMT_…) than the local defaults. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(USERMGMT)) throw new Error(`${USERMGMT} is missing: run \`make install\``);
  if (!existsSync(path.join(WEB_DIST, 'index.html')))
    throw new Error(`${WEB_DIST}/index.html is missing: \`make browser-test\` builds web/ first`);
  const data = mkdtempSync(path.join(os.tmpdir(), 'usermgmt-console-'));
  // Its own process group, so stopping it reaches every process it started.
  const child = spawn(USERMGMT, ['serve', '--port', '0', '--workers', '1', '--data', data], {
    cwd: ROOT,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // What the server printed, for whoever reads a failed run (overwritten by the next run).
  const name = Object.keys(env).length ? 'server-configured.log' : 'server.log';
  const log = createWriteStream(path.join(BROWSER_DIR, name));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`the server did not start:\n${seen}`)),
      START_TIMEOUT_MS,
    );
    const read = (chunk: Buffer) => {
      log.write(chunk);
      seen += chunk.toString();
      const found = /serving on (http:\/\/[^\s/]+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1].replace('0.0.0.0', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving:\n${seen}`));
    });
  });
  const healthz = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(START_TIMEOUT_MS) });
  if (healthz.status !== 200) throw new Error(`/healthz answered ${healthz.status}`);
  return { url, data, stop: () => stopServer(child, data) };
}

async function stopServer(child: ChildProcess, data: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  rmSync(data, { recursive: true, force: true });
}

const run = promisify(execFile);

/** A token signed by the server's local key (`usermgmt token`), as the CLI mints it. */
export async function mintToken(data: string, options: { admin?: boolean; sub?: string }) {
  const args = ['token', '--data', data];
  if (options.admin) args.push('--admin');
  if (options.sub) args.push('--sub', options.sub);
  const { stdout } = await run(USERMGMT, args, { cwd: ROOT });
  return stdout.trim();
}
