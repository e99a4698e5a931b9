// The only host globals the core may use. All three runtimes provide them (they are web
// standards); anything else comes through the Runtime interface in runtime.ts.
// tsconfig.core.json type-checks src/ with this file and no runtime's type definitions.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare function queueMicrotask(callback: () => void): void;

// The Fetch API's messages (the HTTP surfaces of internal services are Hono apps: a service
// turns the stream's request into a Request and the app's Response back). Only what src/ uses.
declare class Headers {
  constructor(init?: [string, string][] | Record<string, string> | Headers);
  get(name: string): string | null;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  has(name: string): boolean;
  forEach(callback: (value: string, name: string) => void): void;
}
interface RequestInit {
  method?: string;
  headers?: [string, string][] | Record<string, string> | Headers;
  body?: Uint8Array | string | null;
}
declare class Request {
  constructor(input: string, init?: RequestInit);
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: [string, string][] | Record<string, string> | Headers;
}
declare class Response {
  constructor(body?: Uint8Array | string | null, init?: ResponseInit);
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

// Web Crypto's random source (the master-worker link's token).
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
