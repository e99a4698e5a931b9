/**
 * HAProxy's two-character session termination state (%ts): who ended the session, and in
 * which phase. See HAProxy's configuration manual, "Session state at disconnection".
 */
export type TerminationCause =
  | '-' // normal
  | 'C' // client aborted
  | 'S' // server aborted or refused
  | 'P' // proxy ended it (internal limit, denial)
  | 'L' // processed locally by the proxy (return, redirect)
  | 'R' // resource exhausted
  | 'I' // internal error
  | 'K' // killed by an admin / soft stop
  | 'D' // killed because its server went DOWN (on-marked-down shutdown-sessions)
  | 'U' // killed on a backup server because an active one came UP (on-marked-up shutdown-backup-sessions)
  | 'c' // client-side timeout
  | 's'; // server-side timeout

export type TerminationPhase =
  | '-' // normal end of session
  | 'R' // waiting for the request / connection setup on the client side
  | 'Q' // waiting in a queue
  | 'C' // waiting for the connection to the server
  | 'H' // waiting for response headers (http)
  | 'D' // data phase
  | 'L' // last data sent to the client
  | 'T'; // tarpit
