/** A TLS client that reads the OCSP response a listener staples (the conformance tests of OCSP stapling). */
import tls from 'node:tls';

/** The OCSP response stapled to a handshake for `servername` (null: none), asking for one or not. */
export function stapledResponse(port: number, requestOCSP = true, servername = 'a.example'): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let response: Buffer | null = null;
    // requestOCSP is a TLSSocket option tls.connect passes on (missing from ConnectionOptions' typings).
    const options: tls.ConnectionOptions & { requestOCSP: boolean } = { host: '127.0.0.1', port, servername, rejectUnauthorized: false, requestOCSP };
    const socket = tls.connect(options, () => {
      socket.end();
      resolve(response);
    });
    socket.on('OCSPResponse', (r: Buffer) => {
      response = r;
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no handshake in 10 s')));
  });
}
