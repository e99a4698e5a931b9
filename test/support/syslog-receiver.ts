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
