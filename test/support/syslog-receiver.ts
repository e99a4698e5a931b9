/** A syslog receiver on loopback UDP for the conformance tests: the datagrams it got, as text. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';

export interface UdpSyslogReceiver {
  readonly socket: UdpSocket;
  readonly port: number;
  readonly lines: string[];
}

export async function udpSyslogReceiver(): Promise<UdpSyslogReceiver> {
  const socket = createSocket('udp4');
  const lines: string[] = [];
  socket.on('message', (m) => lines.push(m.toString('latin1')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, lines };
}

/**
 * The `Health check for server BACKEND/SERVER ...` line among syslog `lines`, without its syslog
 * header and with the check duration as `Nms` (it varies); undefined when none came yet.
 */
export function healthCheckLine(lines: readonly string[], backend: string, server = 's'): string | undefined {
  return lines
    .map((l) => l.replace(/^<\d+>.*?\]: /, '').replace(/check duration: \d+ms/, 'check duration: Nms').trimEnd())
    .find((l) => l.startsWith(`Health check for server ${backend}/${server} `));
}
