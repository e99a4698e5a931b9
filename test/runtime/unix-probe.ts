/**
 * What the runtime contract needs to check listenUnix from outside the seam: a UNIX socket
 * client and a look at the socket file. node:net and node:fs, which Node, Bun and Deno all
 * implement, so each runtime's contract runner passes the same probe.
 */
import { connect } from 'node:net';
import { existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnixProbe } from './contract.ts';

export const unixProbe: UnixProbe = {
  tempDir: () => mkdtempSync(join(tmpdir(), 'switchyard-contract-')),
  removeDir: (dir) => rmSync(dir, { recursive: true, force: true }),
  writeFile: (path, text) => writeFileSync(path, text),
  exists: (path) => existsSync(path),
  fileInfo(path) {
    const stat = lstatSync(path);
    return { socket: stat.isSocket(), mode: stat.mode & 0o7777 };
  },
  exchange(path, request) {
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.end(request));
      socket.on('data', (text: string) => (answer += text));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
    });
  },
};
