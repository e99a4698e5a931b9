/**
 * `show peers [dict|-] [SECTION]` (peers.c's cli_io_handler_show_peers, peers_dump_head and
 * peers_dump_peer): each `peers` section, newest first as HAProxy lists them, then each of its
 * peers, last declared first, with its session, its timers and counters, and the tables it
 * shares.
 *
 * The layout is HAProxy's, line for line. Values that are HAProxy's internals are Switchyard's
 * own in that shape (docs/runtime-api.md): the `0x...` addresses name our objects (stable
 * while they live), `flags` are set from our states with HAProxy's bits, `st0` maps our
 * handshake stages to HAProxy's applet states, `task_calls` count our timer and I/O events,
 * and `resync_timeout` is `<NEVER>` (a new process does not wait for a resync to serve).
 */
import { formatAcceptDate } from '../../log/log-time.ts';
import type { PeerView, PeersSync } from '../../peers/peers-sync.ts';
import type { PeerSession, SharedTable } from '../../peers/peer-session.ts';
import { usage, type CliCommand, type CommandContext } from '../command.ts';
import { dump, error, type CliAnswer } from '../output.ts';
import { humanTime } from './sessions.ts';

const addresses = new WeakMap<object, number>();
let nextAddress = 0x5630_0000_0000;

/** A stable pseudo address for an object, as HAProxy's %p. */
function pointer(object: object): string {
  let a = addresses.get(object);
  if (a === undefined) {
    nextAddress += 0x150;
    a = nextAddress;
    addresses.set(object, a);
  }
  return `0x${a.toString(16)}`;
}

/** Per (peer, table) objects stand in for HAProxy's struct shared_table, one per peer and table. */
const sharedTableKeys = new WeakMap<PeerView['counters'], Map<SharedTable, object>>();

function sharedTableOf(view: PeerView, shared: SharedTable): object {
  let byTable = sharedTableKeys.get(view.counters);
  if (byTable === undefined) sharedTableKeys.set(view.counters, (byTable = new Map()));
  let key = byTable.get(shared);
  if (key === undefined) byTable.set(shared, (key = {}));
  return key;
}

const STATUS_TEXT: ReadonlyMap<number, string> = new Map([
  [100, 'CONN'],
  [110, 'HSHK'],
  [200, 'ESTA'],
  [300, 'RETR'],
  [501, 'PROT'],
  [502, 'VERS'],
  [503, 'NAME'],
  [504, 'UNKN'],
]);

// HAProxy's flag bits (peers.c) that our states map to.
const PEERS_F_RESYNC_LOCAL = 0x1;
const PEERS_F_RESYNC_REMOTE = 0x2;
const PEERS_F_RESYNC_LOCALTIMEOUT = 0x10;
const PEER_F_ALIVE = 0x20000000;
/** HAProxy's RX dictionary cache size (PEER_STKT_CACHE_MAX_ENTRIES). */
const DICT_ENTRIES = 128;

/** A timer as peers_dump_peer prints it: `<NEVER>`, `<PAST>`, or the time left. */
function timer(at: number | undefined, now: number): string {
  if (at === undefined) return '<NEVER>';
  if (at <= now) return '<PAST>';
  return humanTime((at - now) / 1000);
}

function head(sync: PeersSync): string {
  const anyReady = sync.peerViews().some((v) => v.session?.ready === true);
  const flags = PEERS_F_RESYNC_LOCAL | PEERS_F_RESYNC_LOCALTIMEOUT | (anyReady ? PEERS_F_RESYNC_REMOTE : 0);
  const date = formatAcceptDate(sync.startedWall).slice(0, -4);
  return `${pointer(sync)}: [${date}] id=${sync.model.name} disabled=${sync.model.disabled ? 1 : 0} flags=0x${flags.toString(16)} resync_timeout=<NEVER> task_calls=${sync.calls}\n`;
}

function address(host: string | undefined, port: number | undefined): string {
  return `${host ?? ''}:${port ?? 0}`;
}

function sessionLines(session: PeerSession): string {
  const state = session.connected ? 'EST' : 'CON';
  let out = ` appctx:${pointer(session)} st0=${session.stage} st1=0 task_calls=${session.calls} state=${state}`;
  // HAProxy prints the connection of the sessions it accepted only (the stream of one it opens
  // originates from its applet): src is the peer, addr the local end.
  if (!session.outbound) {
    const s = session.socket;
    out += `\n        xprt=${s.tls !== undefined ? 'SSL' : 'RAW'} src=${s.remoteAddress}:${s.remotePort} addr=${s.localAddress}:${s.localPort}`;
  }
  return out;
}

function dictionaryLines(session: PeerSession | undefined): string {
  let out = '\n        TX dictionary cache:\n        RX dictionary cache:';
  const received = session?.receivedServerKeys;
  let count = 0;
  for (let i = 0; i < DICT_ENTRIES; i++) {
    if (count++ === 0) out += '\n        ';
    out += `  ${String(i).padStart(3)} -> ${received?.get(i + 1) ?? '-'}`;
    count &= 0x3;
  }
  return out;
}

function peer(sync: PeersSync, view: PeerView, now: number, dict: boolean): string {
  const { model, session, counters: c } = view;
  const host = model.host ?? (view.local ? sync.model.bind?.host : undefined);
  const port = model.port ?? (view.local ? sync.model.bind?.port : undefined);
  let out =
    `  ${pointer(view.counters)}: id=${model.name}(${view.local ? 'local' : 'remote'},${session !== undefined ? 'active' : 'inactive'}) addr=${address(host, port)}` +
    ` last_status=${STATUS_TEXT.get(c.statusCode) ?? 'NONE'} last_hdshk=${c.lastHandshake !== undefined ? humanTime((now - c.lastHandshake) / 1000) : '<NEVER>'}\n`;
  // While a session lives, `reconnect` is its silence timeout (HAProxy's peer->reconnect).
  const reconnect = session !== undefined ? session.silenceDeadline : view.reconnectAt;
  out +=
    `        reconnect=${timer(reconnect, now)} heartbeat=${timer(session?.heartbeatAt, now)}` +
    ` confirm=${c.confirm} tx_hbt=${c.txHeartbeats} rx_hbt=${c.rxHeartbeats} no_hbt=${c.noHeartbeat} new_conn=${c.newConnections} proto_err=${c.protocolErrors} coll=${c.collisions}\n`;
  out += `        flags=0x${(session?.ready === true ? PEER_F_ALIVE : 0).toString(16)}`;
  if (session !== undefined) out += sessionLines(session);
  const receiving = session?.receivingTable;
  if (receiving !== undefined) {
    out += `\n        remote_table:${pointer(sharedTableOf(view, receiving.shared))} id=${receiving.shared.table.name} local_id=${receiving.shared.id} remote_id=${receiving.remoteId}`;
  }
  const sent = session?.lastSentTable;
  if (sent !== undefined) {
    const remoteId = session?.tableState(sent).remoteId ?? 0;
    out += `\n        last_local_table:${pointer(sharedTableOf(view, sent))} id=${sent.table.name} local_id=${sent.id} remote_id=${remoteId}`;
  }
  if (sync.tables.length > 0) {
    out += '\n        shared tables:';
    for (const shared of sync.tables) {
      const st = session?.tableState(shared);
      out +=
        `\n          ${pointer(sharedTableOf(view, shared))} local_id=${shared.id} remote_id=${st?.remoteId ?? 0} flags=0x0 remote_data=0x${(st?.remoteData ?? 0n).toString(16)}` +
        `\n              last_acked=${st?.lastAcked ?? 0} last_pushed=${st?.lastPushed ?? 0} last_get=${st?.lastGet ?? 0} teaching_origin=0 update=${st?.peerAcked ?? 0}` +
        `\n              table:${pointer(shared.table)} id=${shared.table.name} update=${shared.updates} localupdate=${shared.localUpdates} commitupdate=${shared.localUpdates} refcnt=1`;
      out += dict ? dictionaryLines(session) : '\n        Dictionary cache not dumped (use "show peers dict")';
    }
  }
  return `${out}\n`;
}

function showPeers(args: readonly string[], ctx: CommandContext): CliAnswer {
  let rest = args.slice(2);
  const dict = rest[0] === 'dict';
  if (dict || rest[0] === '-') rest = rest.slice(1);
  const syncs = ctx.target.peers ?? [];
  const name = rest[0] ?? '';
  let listed: readonly PeersSync[] = [...syncs].reverse();
  if (name !== '') {
    const found = syncs.find((s) => s.model.name === name);
    if (found === undefined) return error('No such peers\n');
    listed = [found];
  }
  const now = ctx.target.runtime.now();
  const sections = listed.map((sync) => {
    let out = head(sync);
    for (const view of sync.peerViews().reverse()) out += peer(sync, view, now, dict);
    return out;
  });
  return dump(sections.join('\n'));
}

export const peersCommands: readonly CliCommand[] = [
  {
    words: ['show', 'peers'],
    usage: usage('show peers [dict|-] [section]', 'dump some information about all the peers or this peers section'),
    level: 'user',
    run: showPeers,
  },
];
