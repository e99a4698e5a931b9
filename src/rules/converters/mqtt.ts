/**
 * MQTT converters, HAProxy 2.6's sample.c over mqtt.c (parser in mqtt-packet.ts):
 * `mqtt_is_valid` checks that the bytes start with a whole, valid CONNECT or CONNACK packet;
 * `mqtt_field_value(PACKET_TYPE, FIELD)` gives a field of it as text (PACKET_TYPE a name or
 * number, FIELD a name or, for MQTT 5.0 properties, the property's number). On a buffer that
 * may still grow (tcp-request/response content rules within their inspect delay) both say
 * "more data needed" instead of deciding, so the rule waits.
 */
import { inspectedPayload } from '../payload.ts';
import { type ConverterDefinition, spec, strArg } from './definition.ts';
import { type Field, MQTT_NEED_MORE, MQTT_VALID, mqttFieldId, mqttFieldValue, mqttTypeId, validateMqtt } from './mqtt-packet.ts';

export const MQTT_CONVERTERS: readonly ConverterDefinition[] = [
  {
    name: 'mqtt_is_valid',
    args: spec(0),
    input: 'bin',
    output: 'bool',
    compile: () => (s, ctx) => {
      const payload = inspectedPayload(ctx);
      if (payload !== undefined) payload.mayChange = false;
      const verdict = validateMqtt(s.str);
      if (verdict === MQTT_NEED_MORE) return payload === undefined ? false : payload.missing();
      return s.setBool(verdict === MQTT_VALID);
    },
  },
  {
    name: 'mqtt_field_value',
    args: spec(2, 'str', 'str'),
    input: 'bin',
    output: 'str',
    compile(args) {
      const typeName = strArg(args, 0) ?? '';
      const fieldName = strArg(args, 1) ?? '';
      const type = mqttTypeId(typeName);
      if (type === 0) return `Unknown MQTT type '${typeName}'`;
      const field = mqttFieldId(type, fieldName) as Field | 0;
      if (field === 0) return `Unknown MQTT field name '${fieldName}' for packet type '${typeName}'`;
      return (s, ctx) => {
        const payload = inspectedPayload(ctx);
        if (payload !== undefined) payload.mayChange = false;
        const value = mqttFieldValue(s.str, type, field);
        if (value === undefined) return false;
        if (value === '') return payload === undefined ? false : payload.missing();
        return s.setStr(value);
      };
    },
  },
];
