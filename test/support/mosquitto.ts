/** A real mosquitto broker on a loopback port, with a throwaway config and password file. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export interface Broker {
  port: number;
  url: string;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port (the kernel picks it; the broker takes it right after). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A throwaway CA and a server certificate for 127.0.0.1 (EC keys: quick to make). */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=wwankit test CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('san.ext'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/** `users`: name → password; anonymous clients are refused when given. `tls`: the listener speaks only TLS. */
export async function startMosquitto(dir: string, users?: Record<string, string>, tls?: { cert: string; key: string }): Promise<Broker> {
  const port = await freePort();
  const conf = join(dir, tls ? 'mosquitto-tls.conf' : 'mosquitto.conf');
  // Started as root, mosquitto would drop to its own user, which cannot read our private folder.
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', `allow_anonymous ${users ? 'false' : 'true'}`, `user ${userInfo().username}`];
  if (users) {
    const pw = join(dir, 'mosquitto.passwd');
    writeFileSync(pw, '', { mode: 0o600 });
    for (const [u, p] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', pw, u, p]);
    lines.push(`password_file ${pw}`);
  }
  if (tls) lines.push(`certfile ${tls.cert}`, `keyfile ${tls.key}`);
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;
  const broker: Broker = {
    port,
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    async start() {
      child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`mosquitto did not start on port ${port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
  };
  await broker.start();
  return broker;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
