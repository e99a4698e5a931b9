/**
 * A fake SMTP server on loopback for the email alert tests: it greets, answers each command
 * (HELO/EHLO, MAIL, RCPT, DATA, the message ending with ".", QUIT) with a success code, or stays
 * silent (`silent`), and records each connection's dialogue: what the client sent, when it
 * connected, and when the connection closed.
 */
import type { Socket } from 'node:net';
import { tcpServer, type TestBackend } from './tcp-backends.ts';
import { SmtpDialogue } from './smtp-dialogue.ts';

export interface SmtpSession {
  /** Every byte the client sent, as latin1 text. */
  received: string;
  readonly acceptedAt: number;
  /** performance.now() when the connection closed (either side, reset included); undefined while open. */
  closedAt: number | undefined;
}

export interface FakeSmtpServer {
  readonly port: number;
  readonly sessions: SmtpSession[];
  close(): Promise<void>;
}

const REPLIES: Readonly<Record<string, string>> = {
  HELO: '250 fake.example\r\n',
  EHLO: '250 fake.example\r\n',
  MAIL: '250 2.1.0 Ok\r\n',
  RCPT: '250 2.1.5 Ok\r\n',
  DATA: '354 End data with <CR><LF>.<CR><LF>\r\n',
  QUIT: '221 2.0.0 Bye\r\n',
};

function answer(socket: Socket, session: SmtpSession): void {
  const dialogue = new SmtpDialogue((step) => (step === 'body' ? '250 2.0.0 Ok: queued\r\n' : (REPLIES[step] ?? '500 5.5.2 Error: command not recognized\r\n')));
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => {
    session.received += text;
    for (const reply of dialogue.feed(text)) socket.write(reply);
  });
  socket.write('220 fake.example ESMTP\r\n');
}

export async function fakeSmtpServer(port: number, mode: 'answer' | 'silent' = 'answer'): Promise<FakeSmtpServer> {
  const sessions: SmtpSession[] = [];
  const backend: TestBackend = await tcpServer(
    port,
    (socket) => {
      const session: SmtpSession = { received: '', acceptedAt: performance.now(), closedAt: undefined };
      sessions.push(session);
      socket.on('close', () => (session.closedAt = performance.now()));
      if (mode === 'answer') answer(socket, session);
      else socket.on('data', (chunk: Buffer) => (session.received += chunk.toString('latin1')));
    },
    { allowHalfOpen: false },
  );
  return { port, sessions, close: () => backend.close() };
}
