/** The strict, incremental HTTP/1.1 codec: head parsers, body framer, serializers, error pages. */
export { HttpParseError, statusForError, type HttpErrorCode } from './errors.ts';
export {
  HttpHead,
  RequestHead,
  ResponseHead,
  headerName,
  headerValue,
  listHasToken,
  type HeaderName,
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_EXPECT,
  H_HOST,
  H_KEEP_ALIVE,
  H_PROXY_CONNECTION,
  H_TE,
  H_TRAILER,
  H_TRANSFER_ENCODING,
  H_UPGRADE,
  H_X_FORWARDED_FOR,
} from './head.ts';
export {
  RequestHeadParser,
  ResponseHeadParser,
  readResponseHead,
  DEFAULT_MAX_HEAD_SIZE,
  DEFAULT_MAX_HEADERS,
  type HeadParserOptions,
} from './head-parser.ts';
export { BodyFramer, type BodyMode, type BodyFramerOptions } from './body-framer.ts';
export {
  HeadEditor,
  buildRequestHead,
  buildResponseHead,
  reasonPhrase,
  assertFieldValue,
  receivedFieldValue,
  LAST_CHUNK,
  type HeaderList,
  type FieldValue,
} from './serialize.ts';
export { errorPage, errorResponse, errorClosesConnection, ERROR_STATUSES, type ErrorPage } from './error-pages.ts';
export { latin1Bytes, latin1String } from './chars.ts';
