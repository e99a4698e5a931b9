/** MQTT converters (src/rules/converters/mqtt.ts, mqtt-packet.ts) against HAProxy 2.6's mqtt.c, with the packets of its reg-test converter/mqtt. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CPT_CONNACK, CPT_CONNECT, Field, mqttFieldValue, mqttTypeId, validateMqtt } from '../../src/rules/converters/mqtt-packet.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { Payload } from '../../src/rules/payload.ts';
import { Sample } from '../../src/rules/sample.ts';
import type { SampleContext } from '../../src/rules/sample-context.ts';

const hex = (h: string): string => Buffer.from(h, 'hex').toString('latin1');
/** A packet: its fixed-header byte, the remaining length (under 128) computed, then the body. */
const packet = (first: string, body: string): string => hex(first + (body.length / 2).toString(16).padStart(2, '0') + body);

// reg-test converter/mqtt packets.
const CONNECT_311_LONG_ID = hex(`10d40100044d5154540402003c00c8746573745f737562${'61'.repeat(192)}`);
const CONNECT_311_USER = hex('101a00044d51545404c2003c00000004746573740006706173737764');
const CONNECT_311_WILL = hex('103a00044d51545404ee003c0008746573745f737562000977696c6c746f706963000b77696c6c7061796c6f61640004746573740006706173737764');
const CONNECT_50 = hex('101800044d5154540502003c032100140008746573745f737562');
const CONNECT_50_USER = hex('102600044d51545405c2003c032100140008746573745f7375620004746573740006706173737764');
const CONNECT_50_COMPLEX = hex(
  '107e00044d51545405ee003c182700000014170126000161000162260001630001642100140008746573745f7375622a03000a746578742f706c61696e08000c77696c6c727370746f7069632600016500016626000167000168000977696c6c746f706963000b77696c6c7061796c6f61640004746573740006706173737764',
);
const CONNECT_31 = hex('102400064d514973647003c200000008746573745f7375620004746573740006706173737764');
const CONNACK_311 = hex('20020000');
const CONNACK_50 = hex('200600000322000a');
const CONNACK_50_COMPLEX = hex('20250000221100000078217fff24012501270000ffff22000a2600016100016226000163000164');

describe('mqtt_is_valid', () => {
  it('the reg-test’s valid CONNECT and CONNACK packets, MQTT 3.1, 3.1.1 and 5.0', () => {
    for (const p of [CONNECT_311_LONG_ID, CONNECT_311_USER, CONNECT_311_WILL, CONNECT_50, CONNECT_50_USER, CONNECT_50_COMPLEX, CONNECT_31]) {
      assert.equal(validateMqtt(p), 1, Buffer.from(p, 'latin1').toString('hex'));
    }
    for (const p of [CONNACK_311, CONNACK_50, CONNACK_50_COMPLEX]) assert.equal(validateMqtt(p), 1);
  });

  it('the reg-test’s invalid packets', () => {
    assert.equal(validateMqtt(hex('d000')), -1, 'PINGREQ: only CONNECT and CONNACK are parsed');
    assert.equal(validateMqtt(hex('111400044d5154540402003c0008746573745f737562')), -1, 'CONNECT fixed-header flags');
    assert.equal(validateMqtt(hex('21020000')), -1, 'CONNACK fixed-header flags');
    assert.equal(validateMqtt(hex('10ffffffff1400044d5154540402003c0008746573745f737562')), -1, 'remaining length over 4 bytes');
    assert.equal(validateMqtt(hex('101300044d5154540402003c0008746573745f7375')), -1, 'remaining length shorter than the packet');
    assert.equal(validateMqtt(hex('101800044d5154540402003c0008746573745f737562ffffffff')), -1, 'remaining length longer than the packet');
  });

  it('incomplete packets need more data: under 2 bytes, or fewer than the remaining length', () => {
    assert.equal(validateMqtt(''), 0);
    assert.equal(validateMqtt(hex('10')), 0);
    for (let n = 2; n < CONNECT_50_COMPLEX.length; n += 7) assert.equal(validateMqtt(CONNECT_50_COMPLEX.slice(0, n)), 0, `${n} bytes`);
    assert.equal(validateMqtt(hex('10ff')), 0, 'a remaining length cut short reads as what came');
  });

  it('malformed CONNECT bodies', () => {
    const ID = '0008746573745f737562';
    assert.equal(validateMqtt(packet('10', `00044d51545404${'02'}003c${ID}`)), 1, 'the well-formed base');
    assert.equal(validateMqtt(packet('10', `00044d51545104${'02'}003c${ID}`)), -1, 'protocol name');
    assert.equal(validateMqtt(packet('10', `00046d71747404${'02'}003c${ID}`)), 1, 'protocol name compared without case');
    assert.equal(validateMqtt(packet('10', `00044d51545406${'02'}003c${ID}`)), -1, 'protocol version 6');
    assert.equal(validateMqtt(packet('10', `00044d51545404${'03'}003c${ID}`)), -1, 'reserved flag');
    assert.equal(validateMqtt(packet('10', `00044d51545404${'18'}003c${ID}`)), -1, 'will QoS without will');
    assert.equal(validateMqtt(packet('10', `00044d51545404${'08'}003c${ID}`)), 1, 'HAProxy refuses only both QoS bits without will');
    assert.equal(validateMqtt(packet('10', `00044d51545404${'82'}003c${ID}`)), -1, 'username flag without a username');
    assert.equal(validateMqtt(packet('10', `00044d51545404${'02'}003c0009746573745f737562`)), -1, 'client identifier cut short');
    // MQTT 5.0 properties.
    const v5 = (props: string): string => packet('10', `00044d51545405${'02'}003c${props}${ID}`);
    assert.equal(validateMqtt(v5('03210014')), 1, 'receive maximum 20');
    assert.equal(validateMqtt(v5('06210014210014')), -1, 'a property twice');
    assert.equal(validateMqtt(v5('037f0014')), -1, 'an unknown property');
    assert.equal(validateMqtt(v5('03210000')), -1, 'receive maximum 0');
    assert.equal(validateMqtt(v5('04160001' + '78')), -1, 'authentication data without a method');
    assert.equal(validateMqtt(v5('0a150001781600017900')), -1, 'a property list cut short');
    assert.equal(validateMqtt(v5('0815000178160001' + '79')), 1, 'authentication method and data');
    assert.equal(validateMqtt(v5('0926000161000162' + '1702')), -1, 'request problem information 2');
    assert.equal(validateMqtt(v5('0926000161000162' + '1701')), 1, 'user properties');
  });

  it('CONNACK: HAProxy’s quirks (3.1.1 when 2 bytes follow the header; unknown 5.0 property = more data)', () => {
    assert.equal(validateMqtt(hex('20020200')), -1, 'reserved acknowledge flags');
    assert.equal(validateMqtt(hex('20030000')), 0, 'remaining length beyond the bytes');
    assert.equal(validateMqtt(hex('2003000000')), 1, 'MQTT 5.0 with no properties');
    assert.equal(validateMqtt(hex('200500000201ff')), 0, 'unknown property');
    assert.equal(validateMqtt(hex('2005000002240200')), -1, 'maximum QoS 2');
    assert.equal(validateMqtt(hex('2005000002120000')), -1, 'empty assigned client identifier');
  });
});

describe('mqtt_field_value', () => {
  it('CONNECT fields of the complex MQTT 5.0 packet', () => {
    const read = (f: Field): string | undefined => mqttFieldValue(CONNECT_50_COMPLEX, CPT_CONNECT, f);
    assert.equal(read(Field.ProtocolName), 'MQTT');
    assert.equal(read(Field.ProtocolVersion), '5');
    assert.equal(read(Field.Flags), '238');
    assert.equal(read(Field.Keepalive), '60');
    assert.equal(read(Field.ClientIdentifier), 'test_sub');
    assert.equal(read(Field.WillTopic), 'willtopic');
    assert.equal(read(Field.WillPayload), 'willpayload');
    assert.equal(read(Field.Username), 'test');
    assert.equal(read(Field.Password), 'passwd');
    assert.equal(read(Field.MaximumPacketSize), '20');
    assert.equal(read(Field.RequestProblemInformation), '1');
    assert.equal(read(Field.ContentType), 'text/plain');
    assert.equal(read(Field.ResponseTopic), 'willrsptopic');
    assert.equal(read(Field.SessionExpiryInterval), '0', 'an absent numeric property reads 0');
    assert.equal(read(Field.CorrelationData), undefined, 'an absent string is absent');
    assert.equal(read(Field.UserProperty), undefined, 'declared, never served');
    assert.equal(mqttFieldValue(CONNECT_50_COMPLEX, CPT_CONNACK, Field.Flags), undefined, 'another packet type');
  });

  it('CONNECT fields by version: 5.0 properties absent from 3.1.1; an empty client identifier is absent', () => {
    assert.equal(mqttFieldValue(CONNECT_311_USER, CPT_CONNECT, Field.ClientIdentifier), undefined);
    assert.equal(mqttFieldValue(CONNECT_311_USER, CPT_CONNECT, Field.Username), 'test');
    assert.equal(mqttFieldValue(CONNECT_311_USER, CPT_CONNECT, Field.SessionExpiryInterval), undefined);
    assert.equal(mqttFieldValue(CONNECT_31, CPT_CONNECT, Field.ProtocolName), 'MQIsdp');
    assert.equal(mqttFieldValue(CONNECT_31, CPT_CONNECT, Field.ProtocolVersion), '3');
    assert.equal(mqttFieldValue(CONNECT_50_USER, CPT_CONNECT, Field.ContentType), undefined, 'will property without the will flag');
    assert.equal(mqttFieldValue(CONNECT_311_LONG_ID, CPT_CONNECT, Field.ClientIdentifier), `test_sub${'a'.repeat(192)}`);
  });

  it('CONNACK fields', () => {
    const read = (f: Field): string | undefined => mqttFieldValue(CONNACK_50_COMPLEX, CPT_CONNACK, f);
    assert.equal(read(Field.ProtocolVersion), '5');
    assert.equal(read(Field.Flags), '0');
    assert.equal(read(Field.ReasonCode), '0');
    assert.equal(read(Field.SessionExpiryInterval), '120');
    assert.equal(read(Field.ReceiveMaximum), '32767');
    assert.equal(read(Field.MaximumQos), '1');
    assert.equal(read(Field.RetainAvailable), '1');
    assert.equal(read(Field.MaximumPacketSize), '65535');
    assert.equal(read(Field.TopicAliasMaximum), '10');
    assert.equal(mqttFieldValue(CONNACK_311, CPT_CONNACK, Field.ProtocolVersion), '4');
    assert.equal(mqttFieldValue(hex('20020105'), CPT_CONNACK, Field.ReasonCode), '5');
    assert.equal(mqttFieldValue(CONNACK_311, CPT_CONNACK, Field.MaximumQos), undefined, 'a 5.0 property of a 3.1.1 packet');
  });

  it('"" (more data) on an incomplete packet, undefined on an invalid one', () => {
    assert.equal(mqttFieldValue(CONNECT_50_COMPLEX.slice(0, 40), CPT_CONNECT, Field.ClientIdentifier), '');
    assert.equal(mqttFieldValue(hex('d000'), CPT_CONNECT, Field.ClientIdentifier), undefined);
  });

  it('packet types by name or number', () => {
    assert.equal(mqttTypeId('connect'), 1);
    assert.equal(mqttTypeId('CONNACK'), 2);
    assert.equal(mqttTypeId('14'), 14);
    assert.equal(mqttTypeId('Auth'), 15);
    assert.equal(mqttTypeId('16'), 0);
    assert.equal(mqttTypeId('0'), 0);
    assert.equal(mqttTypeId('nope'), 0);
  });
});

describe('MQTT converters in sample expressions', () => {
  function contextWith(bytes: string, final: boolean): { ctx: SampleContext; payload: Payload } {
    const payload = Object.assign(new Payload(), { final, bytes: Buffer.from(bytes, 'latin1') });
    return { ctx: { clientAddress: '', lbHead: undefined, requestPayload: payload } as unknown as SampleContext, payload };
  }
  function read(expr: string, bytes: string): string | undefined {
    const compiled = compileSampleFetch(expr);
    if (!compiled.ok) return compiled.message;
    const s = new Sample();
    return compiled.fetch.sample(contextWith(bytes, true).ctx, s) ? `${s.type}:${s.type === 'bool' ? s.num : s.str}` : undefined;
  }

  it('field names and property numbers; type and field checked at configuration time as HAProxy', () => {
    assert.equal(read('req.payload(0,0),mqtt_field_value(connect,client_identifier)', CONNECT_50_COMPLEX), 'str:test_sub');
    assert.equal(read('req.payload(0,0),mqtt_field_value(1,3)', CONNECT_50_COMPLEX), 'str:text/plain');
    assert.equal(read('req.payload(0,0),mqtt_field_value(connect,39)', CONNECT_50_COMPLEX), 'str:20');
    assert.equal(read('req.payload(0,0),mqtt_field_value(connack,36)', CONNACK_50_COMPLEX), 'str:1');
    assert.equal(read('req.payload(0,0),mqtt_is_valid', CONNECT_311_WILL), 'bool:1');
    assert.equal(read('req.payload(0,0),mqtt_is_valid', hex('d000')), 'bool:0');
    assert.match(read('req.payload(0,0),mqtt_field_value(nope,flags)', CONNECT_50) ?? '', /Unknown MQTT type 'nope'/);
    assert.match(
      read('req.payload(0,0),mqtt_field_value(connack,username)', CONNECT_50) ?? '',
      /Unknown MQTT field name 'username' for packet type 'connack'/,
    );
    assert.match(read('req.payload(0,0),mqtt_field_value(connect)', CONNECT_50) ?? '', /mqtt_field_value/);
  });

  it('on a buffer that may grow, an incomplete packet asks for more instead of deciding', () => {
    for (const expr of ['req.payload(0,0),mqtt_is_valid', 'req.payload(0,0),mqtt_field_value(connect,username)']) {
      const compiled = compileSampleFetch(expr);
      assert.ok(compiled.ok);
      const { ctx, payload } = contextWith(CONNECT_50_USER.slice(0, 20), false);
      assert.equal(compiled.fetch.sample(ctx, new Sample()), false, expr);
      assert.equal(payload.mayChange, true, expr);
      payload.final = true;
      payload.mayChange = false;
      assert.equal(compiled.fetch.sample(ctx, new Sample()), false);
      assert.equal(payload.mayChange, false, 'no more data coming: absent');
      payload.final = false;
      payload.bytes = Buffer.from(CONNECT_50_USER, 'latin1');
      const s = new Sample();
      assert.equal(compiled.fetch.sample(ctx, s), true);
      assert.equal(payload.mayChange, false, 'decided');
    }
  });
});
