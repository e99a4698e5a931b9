/**
 * The MQTT parser behind `mqtt_is_valid` and `mqtt_field_value` (HAProxy 2.6's mqtt.c): it
 * validates the first packet of a stream (a CONNECT from the client, a CONNACK from the server;
 * any other type is invalid) in MQTT 3.1, 3.1.1 and 5.0, and records the fields the converters
 * can extract. The bytes are a binary sample: a string of one character per byte (0-255).
 *
 * HAProxy's quirks are kept on purpose, since rules written against HAProxy depend on them: the
 * packet body is parsed over everything received (not only the announced remaining length) and
 * must have consumed exactly that length; a CONNACK longer than 2 bytes is taken as MQTT 5.0; an
 * unknown CONNACK property answers "more data needed"; numeric fields read 0 when absent.
 */

export const MQTT_INVALID = -1;
export const MQTT_NEED_MORE = 0;
export const MQTT_VALID = 1;
export type MqttVerdict = typeof MQTT_INVALID | typeof MQTT_NEED_MORE | typeof MQTT_VALID;

/** Control packet types (MQTT_CPT_*), in the protocol's numbering. */
export const PACKET_TYPES = [
  'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe',
  'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth',
] as const;
export const CPT_CONNECT = 1;
export const CPT_CONNACK = 2;
const CPT_ENTRIES = 16;

/** The fixed header's flags each type must carry (mqtt_cpt_flags), index = type. */
const TYPE_FLAGS = [0, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00];

/** Field ids (MQTT_FN_*), in HAProxy's order: a field's bit in FIELDS_PER_TYPE is 1 << id. */
export const Field = {
  Flags: 1,
  ReasonCode: 2,
  ProtocolName: 3,
  ProtocolVersion: 4,
  ClientIdentifier: 5,
  WillTopic: 6,
  WillPayload: 7,
  Username: 8,
  Password: 9,
  Keepalive: 10,
  PayloadFormatIndicator: 11,
  MessageExpiryInterval: 12,
  ContentType: 13,
  ResponseTopic: 14,
  CorrelationData: 15,
  SubscriptionIdentifier: 16,
  SessionExpiryInterval: 17,
  AssignedClientIdentifier: 18,
  ServerKeepalive: 19,
  AuthenticationMethod: 20,
  AuthenticationData: 21,
  RequestProblemInformation: 22,
  DelayInterval: 23,
  RequestResponseInformation: 24,
  ResponseInformation: 25,
  ServerReference: 26,
  ReasonString: 27,
  ReceiveMaximum: 28,
  TopicAliasMaximum: 29,
  TopicAlias: 30,
  MaximumQos: 31,
  RetainAvailable: 32,
  UserProperty: 33,
  MaximumPacketSize: 34,
  WildcardSubscriptionAvailable: 35,
  SubscriptionIdentifiersAvailable: 36,
  SharedSubscriptionAvailable: 37,
} as const;
export type Field = (typeof Field)[keyof typeof Field];
const FIELD_ENTRIES = 38;

/** The names `mqtt_field_value` accepts (mqtt_fields_string), index = field id; MQTT 5.0 properties by their number. */
export const FIELD_NAMES: readonly string[] = [
  '', 'flags', 'reason_code', 'protocol_name', 'protocol_version', 'client_identifier', 'will_topic',
  'will_payload', 'username', 'password', 'keepalive',
  '1', '2', '3', '8', '9', '11', '17', '18', '19', '21', '22', '23', '24', '25', '26', '28', '31',
  '33', '34', '35', '36', '37', '38', '39', '40', '41', '42',
];

function bits(...fields: Field[]): bigint {
  let b = 0n;
  for (const f of fields) b |= 1n << BigInt(f);
  return b;
}

/** The fields each packet type declares (mqtt_fields_per_packet), index = type: what the configuration accepts. */
export const FIELDS_PER_TYPE: readonly bigint[] = [
  0n,
  bits(Field.ProtocolName, Field.ProtocolVersion, Field.Flags, Field.Keepalive, Field.SessionExpiryInterval,
    Field.ReceiveMaximum, Field.MaximumPacketSize, Field.TopicAliasMaximum, Field.RequestResponseInformation,
    Field.RequestProblemInformation, Field.UserProperty, Field.AuthenticationMethod, Field.AuthenticationData,
    Field.ClientIdentifier, Field.DelayInterval, Field.PayloadFormatIndicator, Field.MessageExpiryInterval,
    Field.ContentType, Field.ResponseTopic, Field.CorrelationData, Field.WillTopic, Field.WillPayload,
    Field.Username, Field.Password),
  bits(Field.Flags, Field.ProtocolVersion, Field.ReasonCode, Field.SessionExpiryInterval, Field.ReceiveMaximum,
    Field.MaximumQos, Field.RetainAvailable, Field.MaximumPacketSize, Field.AssignedClientIdentifier,
    Field.TopicAliasMaximum, Field.ReasonString, Field.WildcardSubscriptionAvailable,
    Field.SubscriptionIdentifiersAvailable, Field.SharedSubscriptionAvailable, Field.ServerKeepalive,
    Field.ResponseInformation, Field.ServerReference, Field.UserProperty, Field.AuthenticationMethod,
    Field.AuthenticationData),
  bits(Field.PayloadFormatIndicator, Field.MessageExpiryInterval, Field.ContentType, Field.ResponseTopic,
    Field.CorrelationData, Field.SubscriptionIdentifier, Field.TopicAlias, Field.UserProperty),
  bits(Field.ReasonCode, Field.ReasonString, Field.UserProperty),
  bits(Field.ReasonCode, Field.ReasonString, Field.UserProperty),
  bits(Field.ReasonCode, Field.ReasonString, Field.UserProperty),
  bits(Field.ReasonCode, Field.ReasonString, Field.UserProperty),
  bits(Field.SubscriptionIdentifier, Field.UserProperty),
  bits(Field.ReasonString, Field.UserProperty),
  bits(Field.UserProperty),
  bits(Field.ReasonString, Field.UserProperty),
  0n,
  0n,
  bits(Field.ReasonCode, Field.SessionExpiryInterval, Field.ServerReference, Field.ReasonString, Field.UserProperty),
  bits(Field.AuthenticationMethod, Field.AuthenticationData, Field.ReasonString, Field.UserProperty),
];

const VERSION_3_1_1 = 4;
export const VERSION_5_0 = 5;
const CONNECT_RESERVED = 0x01;
export const CONNECT_WILL = 0x04;
const CONNECT_WILL_QOS = 0x18;
const CONNECT_WILL_RETAIN = 0x20;
const CONNECT_PASSWORD = 0x40;
const CONNECT_USERNAME = 0x80;
const VARINT_MAX_SIZE = 4;
const MIN_PACKET_SIZE = 2;

/** What a property's value is and which field it fills. */
/** Byte01: a byte that must be 0 or 1; NonZero / NonEmpty: 0 or '' is invalid. */
const Kind = { Byte01: 0, Two: 1, TwoNonZero: 2, Four: 3, FourNonZero: 4, Str: 5, StrNonEmpty: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];
interface PropertySpec { readonly field: Field; readonly kind: Kind }

/** CONNECT properties (variable header), by property id. */
const CONNECT_PROPS: ReadonlyMap<number, PropertySpec> = new Map([
  [0x11, { field: Field.SessionExpiryInterval, kind: Kind.Four }],
  [0x21, { field: Field.ReceiveMaximum, kind: Kind.TwoNonZero }],
  [0x27, { field: Field.MaximumPacketSize, kind: Kind.FourNonZero }],
  [0x22, { field: Field.TopicAliasMaximum, kind: Kind.Two }],
  [0x19, { field: Field.RequestResponseInformation, kind: Kind.Byte01 }],
  [0x17, { field: Field.RequestProblemInformation, kind: Kind.Byte01 }],
  [0x15, { field: Field.AuthenticationMethod, kind: Kind.Str }],
  [0x16, { field: Field.AuthenticationData, kind: Kind.Str }],
]);

/** CONNECT will properties (payload), by property id. */
const WILL_PROPS: ReadonlyMap<number, PropertySpec> = new Map([
  [0x18, { field: Field.DelayInterval, kind: Kind.Four }],
  [0x01, { field: Field.PayloadFormatIndicator, kind: Kind.Byte01 }],
  [0x02, { field: Field.MessageExpiryInterval, kind: Kind.Four }],
  [0x03, { field: Field.ContentType, kind: Kind.Str }],
  [0x08, { field: Field.ResponseTopic, kind: Kind.Str }],
  [0x09, { field: Field.CorrelationData, kind: Kind.Str }],
]);

/** CONNACK properties, by property id. */
const CONNACK_PROPS: ReadonlyMap<number, PropertySpec> = new Map([
  [0x11, { field: Field.SessionExpiryInterval, kind: Kind.Four }],
  [0x21, { field: Field.ReceiveMaximum, kind: Kind.TwoNonZero }],
  [0x24, { field: Field.MaximumQos, kind: Kind.Byte01 }],
  [0x25, { field: Field.RetainAvailable, kind: Kind.Byte01 }],
  [0x27, { field: Field.MaximumPacketSize, kind: Kind.FourNonZero }],
  [0x12, { field: Field.AssignedClientIdentifier, kind: Kind.StrNonEmpty }],
  [0x22, { field: Field.TopicAliasMaximum, kind: Kind.Two }],
  [0x1f, { field: Field.ReasonString, kind: Kind.Str }],
  [0x28, { field: Field.WildcardSubscriptionAvailable, kind: Kind.Byte01 }],
  [0x29, { field: Field.SubscriptionIdentifiersAvailable, kind: Kind.Byte01 }],
  [0x2a, { field: Field.SharedSubscriptionAvailable, kind: Kind.Byte01 }],
  [0x13, { field: Field.ServerKeepalive, kind: Kind.Two }],
  [0x1a, { field: Field.ResponseInformation, kind: Kind.Str }],
  [0x1c, { field: Field.ServerReference, kind: Kind.Str }],
  [0x15, { field: Field.AuthenticationMethod, kind: Kind.Str }],
  [0x16, { field: Field.AuthenticationData, kind: Kind.Str }],
]);

const USER_PROPERTY = 0x26;

/**
 * The packet the last parse saw: its type and the fields found, numbers in `num` and strings as
 * offsets into the message (`strStart` -1 when absent). One instance is reused by every parse:
 * the converters read it right after parsing, synchronously.
 */
export class MqttPacket {
  type = 0;
  remainingLength = 0;
  readonly num = new Float64Array(FIELD_ENTRIES);
  readonly strStart = new Int32Array(FIELD_ENTRIES);
  readonly strEnd = new Int32Array(FIELD_ENTRIES);
  msg = '';

  reset(msg: string): void {
    this.type = 0;
    this.remainingLength = 0;
    this.num.fill(0);
    this.strStart.fill(-1);
    this.strEnd.fill(-1);
    this.msg = msg;
  }

  /** The length of a string field (0 when absent). */
  strLength(field: Field): number {
    return this.strStart[field]! < 0 ? 0 : this.strEnd[field]! - this.strStart[field]!;
  }

  /** A string field: its bytes, or '' when absent or empty. */
  str(field: Field): string {
    const start = this.strStart[field]!;
    return start < 0 ? '' : this.msg.slice(start, this.strEnd[field]);
  }
}

/** A cursor over msg[pos, end): -1 when a read failed (HAProxy's IST_NULL). */
class Cursor {
  msg = '';
  pos = 0;
  end = 0;
  value = 0;

  get failed(): boolean {
    return this.pos < 0;
  }
  get left(): number {
    return this.end - this.pos;
  }
  fail(): false {
    this.pos = -1;
    return false;
  }
  byte(): boolean {
    if (this.left < 1) return this.fail();
    this.value = this.msg.charCodeAt(this.pos++);
    return true;
  }
  two(): boolean {
    if (this.left < 2) return this.fail();
    this.value = (this.msg.charCodeAt(this.pos) << 8) | this.msg.charCodeAt(this.pos + 1);
    this.pos += 2;
    return true;
  }
  four(): boolean {
    if (this.left < 4) return this.fail();
    const m = this.msg;
    const p = this.pos;
    this.value = ((m.charCodeAt(p) << 24) >>> 0) + (m.charCodeAt(p + 1) << 16) + (m.charCodeAt(p + 2) << 8) + m.charCodeAt(p + 3);
    this.pos += 4;
    return true;
  }
  /** mqtt_read_varint: at most 4 bytes; running out of bytes simply stops it (as in HAProxy). */
  varint(): boolean {
    let value = 0;
    let shift = 0;
    let off = 0;
    for (; off < VARINT_MAX_SIZE && this.left > 0; off++) {
      const b = this.msg.charCodeAt(this.pos++);
      value += (b & 127) * 2 ** shift;
      shift += 7;
      if (b <= 127) break;
    }
    if (off === VARINT_MAX_SIZE) return this.fail();
    this.value = value;
    return true;
  }
  /** mqtt_read_string: a 2-byte length then the bytes; `value` = where they start. */
  string(): boolean {
    if (!this.two()) return false;
    const len = this.value;
    if (this.left < len) return this.fail();
    this.value = this.pos;
    this.pos += len;
    return true;
  }
}

const cursor = new Cursor();
const props = new Cursor();
const scratch = new MqttPacket();
/** Which fields the property list being read has set already (each known property at most once). */
const seen = new Uint8Array(FIELD_ENTRIES);

function storeString(pkt: MqttPacket, field: Field, c: Cursor): void {
  pkt.strStart[field] = c.value;
  pkt.strEnd[field] = c.pos;
}

/** Reads one property's value into `pkt` as `spec` says; false when invalid. */
function readProperty(c: Cursor, spec: PropertySpec, pkt: MqttPacket): boolean {
  switch (spec.kind) {
    case Kind.Byte01:
      if (!c.byte() || c.value > 1) return false;
      pkt.num[spec.field] = c.value;
      return true;
    case Kind.Two:
    case Kind.TwoNonZero:
      if (!c.two() || (spec.kind === Kind.TwoNonZero && c.value === 0)) return false;
      pkt.num[spec.field] = c.value;
      return true;
    case Kind.Four:
    case Kind.FourNonZero:
      if (!c.four() || (spec.kind === Kind.FourNonZero && c.value === 0)) return false;
      pkt.num[spec.field] = c.value;
      return true;
    case Kind.Str:
    case Kind.StrNonEmpty:
      if (!c.string() || (spec.kind === Kind.StrNonEmpty && c.pos === c.value)) return false;
      storeString(pkt, spec.field, c);
      return true;
  }
}

/**
 * A property list (a varint length then the properties) at the cursor: each known property at
 * most once, user properties any number of times. Returns the verdict when it ends the parse
 * (`unknown` answers an unknown property), undefined when the list was fine.
 */
function readProperties(
  pkt: MqttPacket,
  table: ReadonlyMap<number, PropertySpec>,
  unknown: MqttVerdict,
): MqttVerdict | undefined {
  if (!cursor.varint() || cursor.left < cursor.value) return MQTT_INVALID;
  props.msg = cursor.msg;
  props.pos = cursor.pos;
  props.end = cursor.pos + cursor.value;
  cursor.pos = props.end;
  seen.fill(0);
  while (props.left > 0) {
    const id = props.msg.charCodeAt(props.pos++);
    if (id === USER_PROPERTY) {
      if (!props.string() || !props.string()) return MQTT_INVALID;
      continue;
    }
    const spec = table.get(id);
    if (spec === undefined) return unknown;
    if (seen[spec.field] === 1) return MQTT_INVALID;
    if (!readProperty(props, spec, pkt)) return MQTT_INVALID;
    seen[spec.field] = 1;
  }
  return undefined;
}

/** mqtt_parse_connect, the cursor right after the fixed header. */
function parseConnect(pkt: MqttPacket): MqttVerdict {
  const start = cursor.pos;
  if (!cursor.string()) return MQTT_INVALID;
  storeString(pkt, Field.ProtocolName, cursor);
  const name = pkt.str(Field.ProtocolName).toLowerCase();
  if (name !== 'mqtt' && name !== 'mqisdp') return MQTT_INVALID;
  if (!cursor.byte()) return MQTT_INVALID;
  const version = cursor.value;
  if (version !== 3 && version !== VERSION_3_1_1 && version !== VERSION_5_0) return MQTT_INVALID;
  pkt.num[Field.ProtocolVersion] = version;
  if (!cursor.byte() || cursor.value & CONNECT_RESERVED) return MQTT_INVALID;
  const flags = cursor.value;
  pkt.num[Field.Flags] = flags;
  // Will QoS or Will Retain need the Will flag.
  if ((flags & (CONNECT_WILL | CONNECT_WILL_QOS | CONNECT_WILL_RETAIN)) === CONNECT_WILL_QOS) return MQTT_INVALID;
  if (!cursor.two()) return MQTT_INVALID;
  pkt.num[Field.Keepalive] = cursor.value;
  if (version === VERSION_5_0) {
    const verdict = readProperties(pkt, CONNECT_PROPS, MQTT_INVALID);
    if (verdict !== undefined) return verdict;
  }
  // No authentication data without an authentication method.
  if (pkt.strLength(Field.AuthenticationMethod) === 0 && pkt.strLength(Field.AuthenticationData) !== 0) return MQTT_INVALID;
  if (!cursor.string()) return MQTT_INVALID;
  storeString(pkt, Field.ClientIdentifier, cursor);
  if (version === VERSION_5_0 && flags & CONNECT_WILL) {
    const verdict = readProperties(pkt, WILL_PROPS, MQTT_INVALID);
    if (verdict !== undefined) return verdict;
  }
  if (flags & CONNECT_WILL) {
    if (!cursor.string()) return MQTT_INVALID;
    storeString(pkt, Field.WillTopic, cursor);
    if (!cursor.string()) return MQTT_INVALID;
    storeString(pkt, Field.WillPayload, cursor);
  }
  if (flags & CONNECT_USERNAME) {
    if (!cursor.string()) return MQTT_INVALID;
    storeString(pkt, Field.Username, cursor);
  }
  if (flags & CONNECT_PASSWORD) {
    if (!cursor.string()) return MQTT_INVALID;
    storeString(pkt, Field.Password, cursor);
  }
  return cursor.pos - start === pkt.remainingLength ? MQTT_VALID : MQTT_INVALID;
}

/** mqtt_parse_connack, the cursor right after the fixed header. */
function parseConnack(pkt: MqttPacket): MqttVerdict {
  const start = cursor.pos;
  if (cursor.left < 2) return MQTT_INVALID;
  // HAProxy tells the version by what follows the fixed header: exactly 2 bytes is 3.1.1.
  const version = cursor.left === 2 ? VERSION_3_1_1 : VERSION_5_0;
  pkt.num[Field.ProtocolVersion] = version;
  // Bits 7 to 1 of the acknowledge flags are reserved.
  if (!cursor.byte() || cursor.value & 0xfe) return MQTT_INVALID;
  pkt.num[Field.Flags] = cursor.value;
  if (!cursor.byte()) return MQTT_INVALID;
  pkt.num[Field.ReasonCode] = cursor.value;
  if (version === VERSION_5_0) {
    // HAProxy's "return 0" on an unknown CONNACK property: more data needed.
    const verdict = readProperties(pkt, CONNACK_PROPS, MQTT_NEED_MORE);
    if (verdict !== undefined) return verdict;
  }
  return cursor.pos - start === pkt.remainingLength ? MQTT_VALID : MQTT_INVALID;
}

/**
 * mqtt_validate_message: whether `msg` starts with a whole valid CONNECT or CONNACK packet,
 * more bytes are needed to tell, or it is invalid. The fields land in `pkt` (a shared scratch
 * packet when not given).
 */
export function validateMqtt(msg: string, pkt: MqttPacket = scratch): MqttVerdict {
  pkt.reset(msg);
  if (msg.length < MIN_PACKET_SIZE) return MQTT_NEED_MORE;
  const first = msg.charCodeAt(0);
  const type = first >> 4;
  if (type === 0 || type >= CPT_ENTRIES || (first & 0x0f) !== TYPE_FLAGS[type]) return MQTT_INVALID;
  pkt.type = type;
  cursor.msg = msg;
  cursor.pos = 1;
  cursor.end = msg.length;
  if (!cursor.varint()) return MQTT_INVALID;
  pkt.remainingLength = cursor.value;
  if (cursor.left < pkt.remainingLength) return MQTT_NEED_MORE;
  if (type === CPT_CONNECT) return parseConnect(pkt);
  if (type === CPT_CONNACK) return parseConnack(pkt);
  return MQTT_INVALID;
}

/** Fields of a CONNECT that only a 5.0 packet with the Will flag has. */
const CONNECT_WILL_FIELDS = new Set<Field>([
  Field.PayloadFormatIndicator, Field.MessageExpiryInterval, Field.ContentType, Field.ResponseTopic,
  Field.CorrelationData, Field.DelayInterval,
]);
/** Fields of a CONNECT that only a 5.0 packet has. */
const CONNECT_V5_FIELDS = new Set<Field>([
  Field.SessionExpiryInterval, Field.AuthenticationMethod, Field.AuthenticationData,
  Field.RequestProblemInformation, Field.RequestResponseInformation, Field.ReceiveMaximum,
  Field.TopicAliasMaximum, Field.MaximumPacketSize,
]);
const CONNECT_ANY_VERSION = new Set<Field>([
  Field.Flags, Field.ProtocolName, Field.ProtocolVersion, Field.ClientIdentifier, Field.WillTopic,
  Field.WillPayload, Field.Username, Field.Password, Field.Keepalive,
]);
const CONNACK_ANY_VERSION = new Set<Field>([Field.Flags, Field.ReasonCode, Field.ProtocolVersion]);
const CONNACK_V5_FIELDS = new Set<Field>([
  Field.SessionExpiryInterval, Field.AssignedClientIdentifier, Field.ServerKeepalive,
  Field.AuthenticationMethod, Field.AuthenticationData, Field.ResponseInformation, Field.ServerReference,
  Field.ReasonString, Field.ReceiveMaximum, Field.TopicAliasMaximum, Field.MaximumQos, Field.RetainAvailable,
  Field.MaximumPacketSize, Field.WildcardSubscriptionAvailable, Field.SubscriptionIdentifiersAvailable,
  Field.SharedSubscriptionAvailable,
]);
/** Fields whose value is text (the others are numbers, printed in decimal). */
const STRING_FIELDS = new Set<Field>([
  Field.ProtocolName, Field.ClientIdentifier, Field.WillTopic, Field.WillPayload, Field.Username,
  Field.Password, Field.ContentType, Field.ResponseTopic, Field.CorrelationData, Field.AuthenticationMethod,
  Field.AuthenticationData, Field.AssignedClientIdentifier, Field.ResponseInformation, Field.ServerReference,
  Field.ReasonString,
]);

/** Whether mqtt_field_value serves `field` of a parsed `pkt` of the asked type. */
function served(pkt: MqttPacket, field: Field): boolean {
  const version = pkt.num[Field.ProtocolVersion];
  if (pkt.type === CPT_CONNECT) {
    if (CONNECT_ANY_VERSION.has(field)) return true;
    if (version !== VERSION_5_0) return false;
    if (CONNECT_V5_FIELDS.has(field)) return true;
    return CONNECT_WILL_FIELDS.has(field) && (pkt.num[Field.Flags]! & CONNECT_WILL) !== 0;
  }
  if (pkt.type === CPT_CONNACK) {
    return CONNACK_ANY_VERSION.has(field) || (version === VERSION_5_0 && CONNACK_V5_FIELDS.has(field));
  }
  return false;
}

/**
 * mqtt_field_value: the field's value as text; '' when more data is needed; undefined when the
 * packet is invalid, of another type, or the field is absent (an empty string counts as absent).
 */
export function mqttFieldValue(msg: string, type: number, field: Field): string | undefined {
  const verdict = validateMqtt(msg, scratch);
  if (verdict === MQTT_NEED_MORE) return '';
  if (verdict === MQTT_INVALID || scratch.type !== type || !served(scratch, field)) return undefined;
  if (STRING_FIELDS.has(field)) {
    const value = scratch.str(field);
    return value === '' ? undefined : value;
  }
  return String(scratch.num[field]);
}

/** mqtt_typeid: a packet type by number (leading digits, as strl2ui) or by name, 0 when unknown. */
export function mqttTypeId(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = (n * 10 + d) >>> 0;
  }
  if (n >= CPT_CONNECT && n < CPT_ENTRIES) return n;
  return PACKET_TYPES.indexOf(text.toLowerCase() as (typeof PACKET_TYPES)[number]) + 1;
}

/** mqtt_check_type_fieldname: the field id `text` names if `type` declares it, 0 otherwise. */
export function mqttFieldId(type: number, text: string): number {
  const lower = text.toLowerCase();
  const id = FIELD_NAMES.indexOf(lower);
  if (id < 0) return 0;
  return (FIELDS_PER_TYPE[type]! >> BigInt(id)) & 1n ? id : 0;
}
