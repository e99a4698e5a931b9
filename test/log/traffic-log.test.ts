/**
 * A frontend's traffic log (src/log/traffic-log.ts): which format a frontend logs with, when a
 * line is due, and HAProxy's strm_log/sess_log choices (dontlognull, dontlog-normal,
 * log-separate-errors, error-log-format, %lc).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrontendModel, FrontendOptions } from '../../src/config/model.ts';
import { ProxyLogger } from '../../src/log/logger.ts';
import type { LogRecord } from '../../src/log/log-record.ts';
import { logFormatProblem, TrafficLog } from '../../src/log/traffic-log.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { frontend } from '../support/model.ts';
import { get } from '../rules/support.ts';

const here = { file: 't.cfg', line: 1 };

function model(extra: Partial<FrontendModel>, options: Partial<FrontendOptions> = {}): FrontendModel {
  return frontend('fe', 8080, 'be', {
    mode: 'http',
    logs: [{ target: 'stdout', format: 'short', facility: 'local0', source: here }],
    ...extra,
    options: { tcplog: false, httplog: false, dontlognull: false, ...options },
  });
}

function setup(extra: Partial<FrontendModel>, options: Partial<FrontendOptions> = {}, json = false): { rt: FakeRuntime; log: TrafficLog } {
  const rt = new FakeRuntime();
  const m = model(extra, options);
  return { rt, log: new TrafficLog(m, new ProxyLogger(rt, m.logs, json)) };
}

function record(extra: Partial<LogRecord> = {}): LogRecord {
  return {
    mode: 'http',
    clientAddress: '192.0.2.1',
    clientPort: 40000,
    frontendName: 'fe',
    lbHead: get('/x', 'Host: h'),
    acceptWall: Date.UTC(2026, 10, 24, 8, 0, 0),
    streamId: 0,
    backendName: 'be',
    serverName: 's1',
    serverAddress: undefined,
    serverPort: undefined,
    sourceAddress: undefined,
    sourcePort: undefined,
    tHandshake: 0,
    tIdle: 0,
    tRequest: 0,
    tQueue: 0,
    tConnect: 1,
    tData: 2,
    tClose: 3,
    status: 200,
    bytesIn: 30,
    bytesOut: 100,
    termination: '--',
    cookieFlags: '--',
    actconn: 1,
    feconn: 1,
    beconn: 0,
    srvconn: 0,
    retries: 0,
    redispatched: false,
    serverQueuePos: 0,
    backendQueuePos: 0,
    logCount: 0,
    ...extra,
  };
}

// format short writes the level alone: info is <6>, err is <3>.
describe('TrafficLog', () => {
  it('logs with log-format, else the format option httplog/tcplog stands for, else not at all', () => {
    const custom = setup({ logFormat: '%b:%s %ST' });
    custom.log.emit(record());
    assert.deepEqual(custom.rt.stdout, ['<6>be:s1 200\n']);
    const httplog = setup({}, { httplog: true });
    httplog.log.emit(record());
    assert.match(httplog.rt.stdout[0] ?? '', /^<6>192\.0\.2\.1:40000 \[[^\]]+\] fe be\/s1 0\/0\/1\/1\/3 200 100 - - ---- 1\/1\/0\/0\/0 0\/0 "GET \/x HTTP\/1\.1"\n$/);
    const none = setup({});
    assert.equal(none.log.hasFormat, false);
    none.log.emit(record());
    assert.deepEqual(none.rt.stdout, []);
  });

  it('logs early with option logasap or when no variable waits for the end (HAProxy LW_BYTES)', () => {
    assert.equal(setup({}, { httplog: true }).log.early, false);
    assert.equal(setup({}, { httplog: true, logasap: true }).log.early, true);
    assert.equal(setup({ logFormat: 'ci:%cp [%tr] hpo=%HPO' }).log.early, true);
    assert.equal(setup({ logFormat: '%ci %B' }).log.early, false);
  });

  it("a rule value waiting for the end counts as the line's own (HAProxy's fe->to_log): the line waits, no '+' in rule values", () => {
    const rt = new FakeRuntime();
    const m = model({ logFormat: 'ci:%cp' });
    const withRules = new TrafficLog(m, new ProxyLogger(rt, m.logs, false), true);
    assert.equal(withRules.early, false);
    assert.equal(withRules.logsStreamEnd, true);
    const without = new TrafficLog(m, new ProxyLogger(rt, m.logs, false), false);
    assert.equal(without.early, true);
    assert.equal(without.logsStreamEnd, false);
    const asap = model({ logFormat: '%ci %B' }, { logasap: true });
    assert.equal(new TrafficLog(asap, new ProxyLogger(rt, asap.logs, false), true).logsStreamEnd, false, 'option logasap clears it');
    assert.equal(setup({}, { httplog: true }).log.logsStreamEnd, true);
  });

  it('option dontlog-normal keeps errors, retries, redispatches and 5xx only', () => {
    const { rt, log } = setup({ logFormat: '%ST %ts %rc' }, { dontlogNormal: true });
    log.emit(record());
    log.emit(record({ termination: 'LR', status: 302 }));
    assert.deepEqual(rt.stdout, [], 'normal and locally processed streams are not logged');
    log.emit(record({ status: 503, termination: 'SC' }));
    log.emit(record({ status: 502 }));
    log.emit(record({ retries: 1 }));
    log.emit(record({ redispatched: true, retries: 3 }));
    log.emit(record({ termination: 'CD' }));
    assert.deepEqual(rt.stdout, ['<6>503 SC 0\n', '<6>502 -- 0\n', '<6>200 -- 1\n', '<6>200 -- +3\n', '<6>200 CD 0\n']);
  });

  it('option log-separate-errors logs errors at level err', () => {
    const { rt, log } = setup({ logFormat: '%ST' }, { logSeparateErrors: true });
    log.emit(record());
    log.emit(record({ status: 504, termination: 'sH' }));
    assert.deepEqual(rt.stdout, ['<6>200\n', '<3>504\n']);
  });

  it('set-log-level decides the level over log-separate-errors; silent drops the line', () => {
    const { rt, log } = setup({ logFormat: '%ST' }, { logSeparateErrors: true });
    log.emit(record({ status: 503, termination: 'SC' }), 5);
    log.emit(record(), -1);
    log.emit(record({ status: 201 }), 7);
    assert.deepEqual(rt.stdout, ['<5>503\n', '<7>201\n']);
  });

  it("errors HAProxy's H1 layer reports itself (no request: 400, 408) use error-log-format", () => {
    const { rt, log } = setup({ logFormat: 'normal %ST', errorLogFormat: 'error %ST %{+Q}r' });
    log.emit(record());
    log.emit(record({ lbHead: undefined, status: 400, termination: 'PR' }));
    assert.deepEqual(rt.stdout, ['<6>normal 200\n', '<6>error 400 "<BADREQ>"\n']);
  });

  it('option dontlognull skips streams that received nothing', () => {
    const { rt, log } = setup({ logFormat: '%ST' }, { dontlognull: true });
    log.emit(record({ bytesIn: 0, lbHead: undefined, status: 408, termination: 'cR' }));
    assert.deepEqual(rt.stdout, []);
  });

  it('counts the lines it logged (%lc reads the count before its own line)', () => {
    const { rt, log } = setup({ logFormat: '%lc' });
    for (let i = 0; i < 3; i++) log.emit(record({ logCount: log.count }));
    assert.deepEqual(rt.stdout, ['<6>0\n', '<6>1\n', '<6>2\n']);
    assert.equal(log.count, 3);
  });

  it('--log-json writes the httplog/tcplog fields as JSON', () => {
    const { rt, log } = setup({ logFormat: '%ci' }, {}, true);
    log.emit(record());
    const parsed = JSON.parse((rt.stdout[0] ?? '').trim()) as Record<string, unknown>;
    assert.equal(parsed.server, 's1');
    assert.equal(parsed.Tc, 1);
    assert.equal(parsed.request, 'GET /x HTTP/1.1');
  });

  it('generates one unique id per stream from unique-id-format', () => {
    const { log } = setup({ uniqueIdFormat: 'ID-%rt-%[uuid]', uniqueIdHeader: 'X-Id' });
    const stream = { clientAddress: '192.0.2.1', lbHead: undefined, acceptWall: 0, streamId: 4 };
    const id = log.uniqueIdFor(stream);
    assert.ok(id);
    assert.equal(id.generated, undefined);
    const value = id.value;
    assert.match(value, /^ID-4-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id.value, value, 'generated once');
    id.reset();
    assert.notEqual(id.value, value, 'a new stream, a new id');
    assert.equal(log.uniqueIdHeader, 'X-Id');
  });

  it('explains a model whose formats do not compile', () => {
    assert.equal(logFormatProblem(model({ logFormat: '%ci' })), undefined);
    assert.equal(logFormatProblem(model({ mode: 'tcp', logFormat: '%r' })), "frontend 'fe': failed to parse log-format : format variable 'r' is reserved for HTTP mode.");
    assert.match(logFormatProblem(model({ uniqueIdFormat: '%Tt' })) ?? '', /failed to parse unique-id/);
  });
});
