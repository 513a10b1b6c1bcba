// Starts one web host for the browser tests, as this (unprivileged) user, with a private config and a
// Debian 12 rootfs unpacked inside the user's id mapping. Its URL reaches the specs through the env.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BURROW, createSandbox, imageTar } from '../test/integration/harness';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const sb = createSandbox('e2e');
  const rootfs = sb.rootfs('debian12', 'deb12');
  const server = spawn(process.execPath, [BURROW, 'serve', '--port', '0', '--no-open'], { env: sb.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve(m[0]);
    });
    server.on('exit', (code) => reject(new Error(`burrow serve exited with ${code}: ${out}`)));
  });
  process.env.BURROW_E2E_URL = url;
  process.env.BURROW_E2E_ROOTFS = rootfs;
  process.env.BURROW_E2E_IMAGE_TAR = imageTar('debian12');
  process.env.BURROW_E2E_ENV = JSON.stringify(sb.env);
  fs.mkdirSync(path.join(__dirname, 'artifacts/screenshots'), { recursive: true });
  return async () => {
    server.kill('SIGTERM');
    sb.cleanup();
  };
}
