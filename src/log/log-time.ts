const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/** HAProxy's %t accept date: `24/Nov/2026:08:12:34.123` (local time). */
export function formatAcceptDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad3(d.getMilliseconds())}`;
}

/** Syslog RFC 3164 timestamp: `Nov 24 08:12:34` (day padded with a space). */
export function formatRfc3164Date(epochMs: number): string {
  const d = new Date(epochMs);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
