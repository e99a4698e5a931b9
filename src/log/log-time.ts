const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/**
 * `dd/Mon/yyyy:HH:MM:SS` of one second, local or UTC, kept for the next call: log lines of
 * the same second (the common case under load) build no Date and format nothing again.
 */
class SecondText {
  #second = Number.NaN;
  #text = '';
  #offset = '';
  readonly #utc: boolean;

  constructor(utc: boolean) {
    this.#utc = utc;
  }

  text(epochMs: number): string {
    this.#update(epochMs);
    return this.#text;
  }

  /** The local offset from UTC as `+HHMM` (HAProxy's get_gmt_offset). */
  offset(epochMs: number): string {
    this.#update(epochMs);
    return this.#offset;
  }

  #update(epochMs: number): void {
    const second = Math.floor(epochMs / 1000);
    if (second === this.#second) return;
    this.#second = second;
    const d = new Date(second * 1000);
    if (this.#utc) {
      this.#text = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
      this.#offset = '+0000';
    } else {
      this.#text = `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      const minutes = -d.getTimezoneOffset();
      const abs = Math.abs(minutes);
      this.#offset = `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
    }
  }
}

const LOCAL = new SecondText(false);
const UTC = new SecondText(true);

function millis(epochMs: number): number {
  return ((Math.floor(epochMs) % 1000) + 1000) % 1000;
}

/** HAProxy's %t accept date: `24/Nov/2026:08:12:34.123` (local time). */
export function formatAcceptDate(epochMs: number): string {
  return `${LOCAL.text(epochMs)}.${pad3(millis(epochMs))}`;
}

/** HAProxy's %T / %trg: `24/Nov/2026:07:12:34 +0000` (UTC, no milliseconds). */
export function formatGmtDate(epochMs: number): string {
  return `${UTC.text(epochMs)} +0000`;
}

/** HAProxy's %Tl / %trl: `24/Nov/2026:08:12:34 +0100` (local time and its offset). */
export function formatLocalDate(epochMs: number): string {
  return `${LOCAL.text(epochMs)} ${LOCAL.offset(epochMs)}`;
}

/** The milliseconds of a date, three digits (%ms). */
export function formatMillis(epochMs: number): string {
  return pad3(millis(epochMs));
}

/** Syslog RFC 3164 timestamp: `Nov 24 08:12:34` (day padded with a space). */
export function formatRfc3164Date(epochMs: number): string {
  const d = new Date(epochMs);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * Syslog RFC 5424 timestamp as HAProxy writes it (timeofday_as_iso_us):
 * `2026-11-24T08:12:34.123000+01:00`, local time with its offset, in microseconds.
 */
export function formatIsoMicros(epochMs: number): string {
  const d = new Date(epochMs);
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const micros = Math.floor((epochMs - Math.floor(epochMs / 1000) * 1000) * 1000);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}` +
    `.${String(micros).padStart(6, '0')}${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
  );
}
