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
