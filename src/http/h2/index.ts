/** HTTP/2 protocol pieces: HPACK (RFC 7541) and frames (RFC 9113). */
export { HpackDecoder, HpackError, HeaderList, type HpackDecoderOptions } from './hpack-decoder.ts';
export { HpackEncoder, type HpackEncoderOptions } from './hpack-encoder.ts';
export { DynamicTable } from './hpack-dynamic-table.ts';
export { huffmanDecode, huffmanEncode, huffmanLength } from './hpack-huffman.ts';
export { staticNameOfBytes, staticStatusIndex } from './hpack-static-table.ts';
export {
  FrameType,
  Flag,
  ErrorCode,
  Setting,
  FRAME_HEADER_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  MAX_WINDOW,
  PREFACE,
  H2Error,
  Frame,
  FrameReader,
  readUint32,
  settingsFrame,
  SETTINGS_ACK,
  pingAckFrame,
  windowUpdateFrame,
  rstStreamFrame,
  goawayFrame,
  headersFrames,
  dataFrameHeader,
  dataFrame,
} from './frames.ts';
