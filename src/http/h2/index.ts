/** HTTP/2 protocol pieces: HPACK (RFC 7541) and frames (RFC 9113). */
export { HpackDecoder, HpackError, HeaderList, type HpackDecoderOptions } from './hpack-decoder.ts';
export { HpackEncoder, type HpackEncoderOptions } from './hpack-encoder.ts';
export { DynamicTable } from './hpack-dynamic-table.ts';
export { huffmanDecode, huffmanEncode, huffmanLength } from './hpack-huffman.ts';
export { staticStatusIndex } from './hpack-static-table.ts';
