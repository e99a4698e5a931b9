/**
 * Black-box conformance of gRPC through the proxy (issue #12): a real gRPC client and server
 * (@grpc/grpc-js, run by the test on Node) on either side of Switchyard, the client on an h2c
 * bind (`proto h2`), the server behind `server ... proto h2`, as a gRPC backend is configured in
 * HAProxy. The four kinds of call (unary, server streaming, client streaming, bidirectional),
 * the status and message carried in trailers, a deadline the server outlives, and a call the
 * client cancels (the server hears it: the proxy resets its stream).
 *
 * The service is defined without a .proto file: its methods carry raw bytes (identity
 * serializers), so the test needs no code generation.
 *
 * Run against the real HAProxy: CONFORMANCE_TARGETS=haproxy node --test dist/test/conformance/grpc.test.js
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { ProxyProcess } from '../support/proxy-process.ts';
import { freePorts } from '../support/ports.ts';
import { eventually, HTTP_DEFAULTS, TARGETS, startProxy, stopProxy } from '../support/http-suite.ts';

const bytes = {
  serialize: (value: Buffer): Buffer => value,
  deserialize: (value: Buffer): Buffer => value,
};

const SERVICE: grpc.ServiceDefinition = {
  unary: { path: '/test.Echo/Unary', requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  serverStream: { path: '/test.Echo/ServerStream', requestStream: false, responseStream: true, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  clientStream: { path: '/test.Echo/ClientStream', requestStream: true, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  bidi: { path: '/test.Echo/Bidi', requestStream: true, responseStream: true, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  slow: { path: '/test.Echo/Slow', requestStream: false, responseStream: false, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
  endless: { path: '/test.Echo/Endless', requestStream: false, responseStream: true, requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize, responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize },
};

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
const ClientConstructor = grpc.makeGenericClientConstructor(SERVICE, 'test.Echo') as unknown as new (address: string, credentials: grpc.ChannelCredentials) => Client;

/** What the server saw of the calls that ended without an answer. */
interface ServerLog {
  cancelled: string[];
}

function startServer(port: number, log: ServerLog): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    unary(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      const name = call.metadata.get('x-name')[0] ?? 'nobody';
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', `for-${String(name)}`);
      if (call.request.toString() === 'fail') {
        callback({ code: grpc.status.FAILED_PRECONDITION, details: 'asked to fail' });
        return;
      }
      callback(null, Buffer.concat([Buffer.from('echo:'), call.request]), trailer);
    },
    serverStream(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      const count = Number(call.request.toString());
      for (let i = 0; i < count; i++) call.write(Buffer.alloc(1024, i % 256));
      call.end();
    },
    clientStream(call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      let total = 0;
      let messages = 0;
      call.on('data', (chunk: Buffer) => {
        total += chunk.length;
        messages++;
      });
      call.on('end', () => callback(null, Buffer.from(`${messages}/${total}`)));
    },
    bidi(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
      call.on('data', (chunk: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), chunk])));
      call.on('end', () => call.end());
    },
    slow(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      const timer = setTimeout(() => callback(null, Buffer.from('late')), 2000);
      call.on('cancelled', () => {
        clearTimeout(timer);
        log.cancelled.push('slow');
      });
    },
    endless(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      const timer = setInterval(() => call.write(Buffer.from('tick')), 20);
      call.on('cancelled', () => {
        clearInterval(timer);
        log.cancelled.push('endless');
      });
      // Bounded: a call nobody cancels still ends.
      setTimeout(() => {
        clearInterval(timer);
        call.end();
      }, 5000).unref();
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve(server)));
  });
}

function configFor(fe: number, app: number): string {
  return `
${HTTP_DEFAULTS}
frontend fe
    bind 127.0.0.1:${fe} proto h2
    default_backend grpc

backend grpc
    server app 127.0.0.1:${app} proto h2
`;
}

/** A unary call: its answer and the trailing metadata of its status (both, whichever comes first). */
function unary(client: Client, method: string, request: Buffer, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<{ value: Buffer; trailer: grpc.Metadata }> {
  return new Promise((resolve, reject) => {
    let value: Buffer | undefined;
    let trailer: grpc.Metadata | undefined;
    const done = (): void => {
      if (value !== undefined && trailer !== undefined) resolve({ value, trailer });
    };
    const call = client[method]!(request, metadata, options, (error: grpc.ServiceError | null, answer: Buffer) => {
      if (error) return reject(error);
      value = answer;
      done();
    }) as grpc.ClientUnaryCall;
    call.on('status', (status: grpc.StatusObject) => {
      trailer = status.metadata;
      done();
    });
  });
}

for (const target of TARGETS) {
  describe(`gRPC through the proxy on ${target}`, () => {
    let proxy: ProxyProcess | undefined;
    let server: grpc.Server | undefined;
    let client: Client | undefined;
    const log: ServerLog = { cancelled: [] };

    before(async () => {
      const [fe, app] = (await freePorts(2)) as [number, number];
      server = await startServer(app, log);
      proxy = await startProxy(target, configFor(fe, app));
      client = new ClientConstructor(`127.0.0.1:${fe}`, grpc.credentials.createInsecure());
    });
    after(async () => {
      client?.close();
      await new Promise<void>((resolve) => (server === undefined ? resolve() : server.tryShutdown(() => resolve())));
      server?.forceShutdown();
      await stopProxy(target, proxy);
    });

    it('unary: the request, metadata both ways (grpc-status and a custom trailer)', async () => {
      const metadata = new grpc.Metadata();
      metadata.set('x-name', 'alice');
      const { value, trailer } = await unary(client as Client, 'unary', Buffer.from('hello'), metadata);
      assert.equal(value.toString(), 'echo:hello');
      assert.deepEqual(trailer?.get('x-trailer'), ['for-alice']);
    });

    it("unary: the server's error status and message reach the client", async () => {
      await assert.rejects(unary(client as Client, 'unary', Buffer.from('fail')), (error: grpc.ServiceError) => {
        assert.equal(error.code, grpc.status.FAILED_PRECONDITION);
        assert.equal(error.details, 'asked to fail');
        return true;
      });
    });

    it('server streaming: 300 messages of 1 KiB, in order', async () => {
      const call = (client as Client)['serverStream']!(Buffer.from('300')) as grpc.ClientReadableStream<Buffer>;
      const received: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        call.on('data', (chunk: Buffer) => received.push(chunk));
        call.on('error', reject);
        call.on('end', resolve);
      });
      assert.equal(received.length, 300);
      received.forEach((chunk, i) => assert.ok(chunk.length === 1024 && chunk[0] === i % 256, `message ${i}`));
    });

    it('client streaming: 200 messages of 2 KiB, summed by the server', async () => {
      const answer = await new Promise<Buffer>((resolve, reject) => {
        const call = (client as Client)['clientStream']!((error: grpc.ServiceError | null, value: Buffer) => (error ? reject(error) : resolve(value))) as grpc.ClientWritableStream<Buffer>;
        for (let i = 0; i < 200; i++) call.write(Buffer.alloc(2048, 7));
        call.end();
      });
      assert.equal(answer.toString(), `200/${200 * 2048}`);
    });

    it('bidirectional: each message answered while the call stays open', async () => {
      const call = (client as Client)['bidi']!() as grpc.ClientDuplexStream<Buffer, Buffer>;
      const answers: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on('error', reject);
        call.on('end', resolve);
      });
      for (let i = 0; i < 5; i++) {
        const next = new Promise<void>((resolve) => call.once('data', (chunk: Buffer) => resolve(void answers.push(chunk.toString()))));
        call.write(Buffer.from(`m${i}`));
        await next;
      }
      call.end();
      await done;
      assert.deepEqual(answers, ['re:m0', 're:m1', 're:m2', 're:m3', 're:m4']);
    });

    it('deadline: DEADLINE_EXCEEDED at the client, and the server hears the call cancelled', async () => {
      const started = Date.now();
      await assert.rejects(unary(client as Client, 'slow', Buffer.from('x'), new grpc.Metadata(), { deadline: Date.now() + 300 }), (error: grpc.ServiceError) => {
        assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
        return true;
      });
      assert.ok(Date.now() - started < 1500, 'the client did not wait for the server');
      assert.ok(await eventually(() => log.cancelled.includes('slow'), 3000), 'the server saw the cancellation');
    });

    it('cancellation: the client cancels a streaming call, the server hears it', async () => {
      const call = (client as Client)['endless']!(Buffer.from('')) as grpc.ClientReadableStream<Buffer>;
      await new Promise<void>((resolve) => call.once('data', () => resolve()));
      const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      call.on('error', () => {});
      call.cancel();
      assert.equal((await status).code, grpc.status.CANCELLED);
      assert.ok(await eventually(() => log.cancelled.includes('endless'), 3000), 'the server saw the cancellation');
    });
  });
}
