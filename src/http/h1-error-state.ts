/**
 * HAProxy's H1 message state and flags at an error position (h1m, include/haproxy/h1.h), for
 * `show errors`. Switchyard's parsers keep no such state: when a message is captured (only on an
 * error), this walks its bytes up to the error as HAProxy 2.6's h1_headers_to_hdr_list (h1.c)
 * would, to tell the state the faulty byte was read in and the flags set by then. Cold path.
 */

export const H1_MSG = {
  RQBEFORE: 0,
  RQBEFORE_CR: 1,
  RQMETH: 2,
  RQMETH_SP: 3,
  RQURI: 4,
  RQURI_SP: 5,
  RQVER: 6,
  RQLINE_END: 7,
  RPBEFORE: 8,
  RPBEFORE_CR: 9,
  RPVER: 10,
  RPVER_SP: 11,
  RPCODE: 12,
  RPCODE_SP: 13,
  RPREASON: 14,
  RPLINE_END: 15,
  HDR_FIRST: 16,
  HDR_NAME: 17,
  HDR_COL: 18,
  HDR_L1_SP: 19,
  HDR_L1_LF: 20,
  HDR_L1_LWS: 21,
  HDR_VAL: 22,
  HDR_L2_LF: 23,
  HDR_L2_LWS: 24,
  LAST_LF: 25,
  CHUNK_SIZE: 26,
  DATA: 27,
  CHUNK_CRLF: 28,
  TRAILERS: 29,
  DONE: 30,
  TUNNEL: 31,
} as const;

const STATE_NAMES = [
  'MSG_RQBEFORE', 'MSG_RQBEFORE_CR', 'MSG_RQMETH', 'MSG_RQMETH_SP', 'MSG_RQURI', 'MSG_RQURI_SP', 'MSG_RQVER', 'MSG_RQLINE_END',
  'MSG_RPBEFORE', 'MSG_RPBEFORE_CR', 'MSG_RPVER', 'MSG_RPVER_SP', 'MSG_RPCODE', 'MSG_RPCODE_SP', 'MSG_RPREASON', 'MSG_RPLINE_END',
  'MSG_HDR_FIRST', 'MSG_HDR_NAME', 'MSG_HDR_COL', 'MSG_HDR_L1_SP', 'MSG_HDR_L1_LF', 'MSG_HDR_L1_LWS', 'MSG_HDR_VAL', 'MSG_HDR_L2_LF',
  'MSG_HDR_L2_LWS', 'MSG_LAST_LF', 'MSG_CHUNK_SIZE', 'MSG_DATA', 'MSG_CHUNK_CRLF', 'MSG_TRAILERS', 'MSG_DONE', 'MSG_TUNNEL',
];

/** h1m_state_str. */
export function h1StateName(state: number): string {
  return STATE_NAMES[state] ?? 'MSG_??????';
}

/** h1m flags (H1_MF_*). */
export const H1_MF = {
  CLEN: 0x1,
  CHNK: 0x2,
  RESP: 0x4,
  VER_11: 0x10,
  CONN_CLO: 0x20,
  CONN_KAL: 0x40,
  CONN_UPG: 0x80,
  XFER_LEN: 0x100,
  XFER_ENC: 0x200,
  NO_PHDR: 0x400,
  CLEAN_CONN_HDR: 0x1000,
  METH_CONNECT: 0x2000,
  METH_HEAD: 0x4000,
  UPG_WEBSOCKET: 0x8000,
  TE_CHUNKED: 0x10000,
  TE_OTHER: 0x20000,
} as const;

export interface H1MessageState {
  state: number;
  flags: number;
  /** h1m->curr_len and body_len (a Content-Length's value). */
  chunkLen: number;
  bodyLen: number;
}

const SP = 0x20;
const HT = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const isSpHt = (c: number): boolean => c === SP || c === HT;
const isCrLf = (c: number): boolean => c === CR || c === LF;
const isLws = (c: number): boolean => isSpHt(c) || isCrLf(c);
const isToken = (c: number): boolean => c > 0x20 && c < 0x7f && '"(),/:;<=>?@[\\]{}'.indexOf(String.fromCharCode(c)) < 0;

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** The flags a complete header line sets (h1_parse_cont_len_header, _xfer_enc_, _connection_, _upgrade_). */
function headerFlags(m: H1MessageState, name: string, value: string): void {
  const n = name.toLowerCase();
  const v = value.toLowerCase();
  if (n === 'content-length') {
    if (m.flags & H1_MF.CHNK) return;
    const first = v.split(',')[0]?.trim() ?? '';
    if (!/^\d+$/.test(first)) return;
    m.flags |= H1_MF.CLEN;
    m.chunkLen = m.bodyLen = Number(first);
  } else if (n === 'transfer-encoding') {
    m.flags |= H1_MF.XFER_ENC;
    for (const word of v.split(',')) {
      const coding = word.trim();
      if (coding === '') continue;
      if (coding === 'chunked') {
        m.flags |= H1_MF.CHNK | H1_MF.TE_CHUNKED;
      } else {
        m.flags &= ~H1_MF.CHNK;
        m.flags |= H1_MF.TE_OTHER;
      }
    }
  } else if (n === 'connection') {
    for (const word of v.split(',')) {
      const token = word.trim();
      if (token === 'close') m.flags |= H1_MF.CONN_CLO;
      else if (token === 'keep-alive') m.flags |= H1_MF.CONN_KAL;
      else if (token === 'upgrade') m.flags |= H1_MF.CONN_UPG;
    }
  } else if (n === 'upgrade') {
    if (/^\s*websocket\s*(,|$)/.test(v)) m.flags |= H1_MF.UPG_WEBSOCKET;
  }
}

/** HTTP/1.1 or above (the version's 6th and 8th characters). */
function version11(bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from !== 8) return false;
  const major = bytes[from + 5] as number;
  return major > 0x31 || (major === 0x31 && (bytes[from + 7] as number) >= 0x31);
}

/**
 * The state HAProxy's parser reads the byte at `errorAt` in, and the flags set by then.
 * `initialFlags`: what the mux sets before parsing (NO_PHDR, CLEAN_CONN_HDR; RESP and
 * METH_HEAD/METH_CONNECT for a response). An `errorAt` past the head's end reports the state
 * after the head (HAProxy's, for an error its option let through or found in the body).
 */
export function h1StateAt(bytes: Uint8Array, errorAt: number, response: boolean, initialFlags: number): H1MessageState {
  const m: H1MessageState = { state: response ? H1_MSG.RPBEFORE : H1_MSG.RQBEFORE, flags: initialFlags, chunkLen: 0, bodyLen: 0 };
  let s = m.state;
  let mark = 0; // start of the version, of a header name
  let col = 0; // colon of the header
  const stop = Math.min(errorAt, bytes.byteLength);
  const complete = (eol: number): void => headerFlags(m, latin1(bytes, mark, col), latin1(bytes, col + 1, eol));
  let eol = 0;
  for (let i = 0; i <= stop; i++) {
    const c = i < bytes.byteLength ? (bytes[i] as number) : -1;
    // The transitions HAProxy takes without consuming the byte (its `goto`s): the byte is then
    // read, or found faulty, in the next state.
    switch (s) {
      case H1_MSG.RQBEFORE:
        if (isToken(c)) s = H1_MSG.RQMETH;
        break;
      case H1_MSG.RPBEFORE:
        if (isToken(c)) {
          s = H1_MSG.RPVER;
          mark = i;
        }
        break;
      case H1_MSG.RQMETH_SP:
        if (!isLws(c)) s = H1_MSG.RQURI;
        break;
      case H1_MSG.RQURI_SP:
        if (!isLws(c)) {
          s = H1_MSG.RQVER;
          mark = i;
        }
        break;
      case H1_MSG.RPVER_SP:
        if (!isLws(c)) s = H1_MSG.RPCODE;
        break;
      case H1_MSG.RPCODE_SP:
        if (!isLws(c)) s = H1_MSG.RPREASON;
        break;
      case H1_MSG.HDR_FIRST:
        if (!isCrLf(c)) {
          s = H1_MSG.HDR_NAME;
          mark = i;
        }
        break;
      case H1_MSG.HDR_L1_SP:
        if (!isSpHt(c) && !isCrLf(c)) s = H1_MSG.HDR_VAL;
        break;
      case H1_MSG.HDR_L1_LWS:
        if (isSpHt(c)) s = H1_MSG.HDR_L1_SP;
        else {
          complete(col + 1);
          s = c === CR || c === LF ? H1_MSG.LAST_LF : H1_MSG.HDR_NAME;
          mark = i;
        }
        break;
      case H1_MSG.HDR_L2_LWS:
        if (isSpHt(c)) s = H1_MSG.HDR_VAL;
        else {
          complete(eol);
          s = c === CR || c === LF ? H1_MSG.LAST_LF : H1_MSG.HDR_NAME;
          mark = i;
        }
        break;
      default:
        break;
    }
    if (i === stop || c < 0) break;
    // The byte consumed in state `s`.
    switch (s) {
      case H1_MSG.RQBEFORE:
        if (c === CR) s = H1_MSG.RQBEFORE_CR;
        break;
      case H1_MSG.RQBEFORE_CR:
      case H1_MSG.RPBEFORE_CR:
        s = s === H1_MSG.RQBEFORE_CR ? H1_MSG.RQBEFORE : H1_MSG.RPBEFORE;
        break;
      case H1_MSG.RPBEFORE:
        if (c === CR) s = H1_MSG.RPBEFORE_CR;
        break;
      case H1_MSG.RQMETH:
        if (isSpHt(c)) s = H1_MSG.RQMETH_SP;
        else if (isCrLf(c)) s = c === CR ? H1_MSG.RQLINE_END : H1_MSG.HDR_FIRST;
        break;
      case H1_MSG.RQURI:
        if (isSpHt(c)) s = H1_MSG.RQURI_SP;
        else if (isCrLf(c)) s = c === CR ? H1_MSG.RQLINE_END : H1_MSG.HDR_FIRST;
        break;
      case H1_MSG.RQVER:
        if (isCrLf(c)) {
          if (version11(bytes, mark, i)) m.flags |= H1_MF.VER_11;
          s = c === CR ? H1_MSG.RQLINE_END : H1_MSG.HDR_FIRST;
        }
        break;
      case H1_MSG.RQLINE_END:
      case H1_MSG.RPLINE_END:
        s = H1_MSG.HDR_FIRST;
        break;
      case H1_MSG.RPVER:
        if (isSpHt(c)) {
          if (version11(bytes, mark, i)) m.flags |= H1_MF.VER_11;
          s = H1_MSG.RPVER_SP;
        }
        break;
      case H1_MSG.RPCODE:
        if (isSpHt(c)) s = H1_MSG.RPCODE_SP;
        else if (isCrLf(c)) s = c === CR ? H1_MSG.RPLINE_END : H1_MSG.HDR_FIRST;
        break;
      case H1_MSG.RPCODE_SP:
      case H1_MSG.RPREASON:
        if (isCrLf(c)) s = c === CR ? H1_MSG.RPLINE_END : H1_MSG.HDR_FIRST;
        break;
      case H1_MSG.HDR_FIRST:
        s = c === CR ? H1_MSG.LAST_LF : H1_MSG.DONE;
        break;
      case H1_MSG.HDR_NAME:
        if (c === 0x3a) {
          col = i;
          s = H1_MSG.HDR_L1_SP;
        }
        break;
      case H1_MSG.HDR_L1_SP:
        if (isCrLf(c)) s = c === CR ? H1_MSG.HDR_L1_LF : H1_MSG.HDR_L1_LWS;
        break;
      case H1_MSG.HDR_L1_LF:
        s = H1_MSG.HDR_L1_LWS;
        break;
      case H1_MSG.HDR_VAL:
        if (isCrLf(c)) {
          eol = i;
          s = c === CR ? H1_MSG.HDR_L2_LF : H1_MSG.HDR_L2_LWS;
        }
        break;
      case H1_MSG.HDR_L2_LF:
        s = H1_MSG.HDR_L2_LWS;
        break;
      case H1_MSG.LAST_LF:
        s = H1_MSG.DONE;
        break;
      default:
        break;
    }
    if (s === H1_MSG.DONE) {
      s = afterHead(m, response);
      break;
    }
  }
  m.state = s;
  return m;
}

/** Where the parser stands once the head is read, and the length flags it sets then (h1_htx.c). */
function afterHead(m: H1MessageState, response: boolean): number {
  // the request's body length is always known; a HEAD's response has none
  if (!response || m.flags & H1_MF.METH_HEAD) m.flags |= H1_MF.XFER_LEN;
  if (response && m.flags & H1_MF.METH_HEAD) {
    m.flags &= ~(H1_MF.CLEN | H1_MF.CHNK);
    m.chunkLen = m.bodyLen = 0;
    return H1_MSG.DONE;
  }
  if (m.flags & (H1_MF.CLEN | H1_MF.CHNK)) m.flags |= H1_MF.XFER_LEN;
  if (m.flags & H1_MF.CHNK) return H1_MSG.CHUNK_SIZE;
  if (m.flags & H1_MF.CLEN) return m.bodyLen > 0 ? H1_MSG.DATA : H1_MSG.DONE;
  return response ? H1_MSG.DATA : H1_MSG.DONE;
}
