/**
 * `ipmask(mask4[,mask6])` (HAProxy's sample.c): an address with its host bits cleared. An
 * IPv4-mapped IPv6 address is masked as IPv4; another IPv6 address needs the IPv6 mask (else
 * the sample is absent).
 */
import { parseAddress } from '../../util/cidr.ts';
import { formatIpv4, formatIpv6, type Ipv6Words, v6ToV4 } from '../../util/ip-address.ts';
import { parseIpv4 } from '../../util/ipv4.ts';
import type { ConverterDefinition } from './definition.ts';
import { spec } from './definition.ts';

const ipmask: ConverterDefinition = {
  name: 'ipmask',
  args: spec(1, 'msk4', 'msk6'),
  input: 'addr',
  output: 'ipv4',
  compile(args) {
    const m4 = args[0]?.type === 'ipv4' ? args[0].value : 0;
    const m6: Ipv6Words | undefined = args[1]?.type === 'ipv6' ? args[1].value : undefined;
    return (s) => {
      let v4 = s.str.includes(':') ? -1 : parseIpv4(s.str);
      let words: Ipv6Words | undefined;
      if (v4 < 0) {
        words = parseAddress(s.str);
        if (words === undefined) return false;
        v4 = v6ToV4(words);
      }
      if (v4 >= 0) return s.setIp(formatIpv4((v4 & m4) >>> 0));
      if (m6 === undefined || words === undefined) return false;
      const w = words;
      return s.setIp(formatIpv6([(w[0] & m6[0]) >>> 0, (w[1] & m6[1]) >>> 0, (w[2] & m6[2]) >>> 0, (w[3] & m6[3]) >>> 0]));
    };
  },
};

export const NETWORK_CONVERTERS: readonly ConverterDefinition[] = [ipmask];
