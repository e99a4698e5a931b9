/**
 * HAProxy's `h2` stats module (mux_h2.c h2_counters): per proxy, the frames an HTTP/2 mux
 * received, the errors it detected and answered, its connections and streams. A frontend's
 * count its clients' connections, a backend's its server connections.
 */
export interface H2Counters {
  /** HEADERS frames received (CONTINUATION not counted). */
  headersRcvd: number;
  dataRcvd: number;
  /** SETTINGS frames received, acknowledgements included. */
  settingsRcvd: number;
  rstStreamRcvd: number;
  goawayRcvd: number;
  /** Connection errors detected (the peer broke the protocol). */
  connProtoErr: number;
  /** Stream errors detected. */
  strmProtoErr: number;
  /** RST_STREAM frames sent. */
  rstStreamResp: number;
  /** GOAWAY frames sent for a real error (not NO_ERROR, ENHANCE_YOUR_CALM, REFUSED_STREAM, CANCEL). */
  goawayResp: number;
  /** Gauges: open connections and streams. */
  openConns: number;
  openStreams: number;
  totalConns: number;
  totalStreams: number;
}

export function newH2Counters(): H2Counters {
  return {
    headersRcvd: 0, dataRcvd: 0, settingsRcvd: 0, rstStreamRcvd: 0, goawayRcvd: 0,
    connProtoErr: 0, strmProtoErr: 0, rstStreamResp: 0, goawayResp: 0,
    openConns: 0, openStreams: 0, totalConns: 0, totalStreams: 0,
  };
}

/** The error codes HAProxy's h2c_send_goaway_error does not count as errors answered. */
export function goawayAnswersError(code: number): boolean {
  // NO_ERROR 0x0, REFUSED_STREAM 0x7, CANCEL 0x8, ENHANCE_YOUR_CALM 0xb.
  return code !== 0x0 && code !== 0x7 && code !== 0x8 && code !== 0xb;
}
