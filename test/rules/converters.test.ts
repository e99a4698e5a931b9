/**
 * Converters and constant fetches against HAProxy 2.6: every expected value below is what
 * HAProxy 2.6.12 (/usr/sbin/haproxy) printed for the expression through
 * `http-request return ... lf-string "[%[EXPR]]"` (collected once, kept as fixed expectations),
 * and every error message what `haproxy -c` said about it. Bytes are compared as bytes: a sample
 * is a latin1 string here.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { compileLogFormat } from '../../src/rules/log-format.ts';
import { LoadedPatternFiles, withPatternFiles } from '../../src/rules/pattern-files.ts';
import { Sample, sampleText } from '../../src/rules/sample.ts';
import type { SampleContext, SampleRuntime } from '../../src/rules/sample-context.ts';
import { compileSampleFetch } from '../../src/rules/sample-fetch.ts';
import { ProcessVars, SessionVars, type VarStore } from '../../src/rules/vars.ts';

const runtime: SampleRuntime = {
  wallClock: () => 1_700_000_000_123.456, // Tue, 14 Nov 2023 22:13:20.123456 GMT
  env: (name) => (name === 'HAPROXY_CONV_TEST' ? 'hello' : undefined),
  digest: (algorithm, data) => createHash(algorithm).update(data).digest(),
};

/** The context of HAProxy's run: a client on 127.0.0.1, frontend `fe`. */
const ctx: SampleContext = { clientAddress: '127.0.0.1', lbHead: undefined, frontendName: 'fe', runtime };

/** The map files of the HAProxy run, under /etc/haproxy/. */
export const MAP_FILES: Readonly<Record<string, string>> = {
  '/etc/haproxy/str.map': "# comment\n   \n\tfoo  bar baz  \nfoo second\nexact\tvalue\nEmpty\n#x y\n  lead   spaced value\t\n/api api\n/api/v2 apiv2\nwww.example.com site\n",
  '/etc/haproxy/beg.map': "/api api\n/api/v2 apiv2\n/ root\n/static/img img\n",
  '/etc/haproxy/sub.map': "img images\nadmin administration\nimg second\n",
  '/etc/haproxy/dir.map': "img images\n/admin/ administration\nstatic/css css\n",
  '/etc/haproxy/dom.map': "example.com ex\n.test.org test\nlocal lcl\n",
  '/etc/haproxy/end.map': ".jpg image\n.png image\n.html page\n",
  '/etc/haproxy/reg.map': "^/api/(v[0-9]+)/(.*)$ api-\\2-\\1\n\\.php$ php\n(?i)^/ADMIN admin\n",
  '/etc/haproxy/regm.map': "^/api/(v[0-9]+)/(.*)$ \\2-\\1\n",
  '/etc/haproxy/int.map': "10 ten\n20:29 twenties\n30-39 thirties\n:5 low\n100: big\n-7 minus\n",
  '/etc/haproxy/ip.map': "10.0.0.0/8 ten\n10.1.0.0/16 ten-one\n192.168.1.1 host\n0.0.0.0/0 any4\n2001:db8::/32 doc\n::1 lo6\n10.1.2.0/255.255.0.255 noncontig\n",
  '/etc/haproxy/ip4.map': "10.0.0.0/8 ten\n0.0.0.0/0 any\n",
  '/etc/haproxy/int-values.map': "a 12\nb -4\nc\n",
  '/etc/haproxy/ip-values.map': "a 1.2.3.4\nb ::1\nc 10.0.0.1:80\n",
  '/etc/haproxy/badint.map': "a 12\nb -4\nc 1x\n",
  '/etc/haproxy/badreg.map': "ok fine\n([a- broken\n",
  '/etc/haproxy/dup.map': "dup first\ndup second\n",
  '/etc/haproxy/begdup.map': "/a/b ab\n/a ab-short\n",
};

const files = new LoadedPatternFiles(MAP_FILES);

/**
 * The sample `expression` gives, as text ('' when absent, as log-format prints it). Non-ASCII
 * characters of the expression are given as their UTF-8 bytes, as HAProxy read them from its
 * UTF-8 configuration file (in Switchyard's configuration, `\xc3\xa9` for é).
 */
function evaluate(expression: string): string {
  const bytes = Buffer.from(expression, 'utf8').toString('latin1');
  const compiled = withPatternFiles(files, () => compileSampleFetch(bytes));
  if (!compiled.ok) throw new Error(`${expression}: ${compiled.message}`);
  const s = new Sample();
  return compiled.fetch.sample(ctx, s) ? sampleText(s) : '';
}

/** [expression, what HAProxy 2.6 printed]. */
const HAPROXY_VALUES: readonly (readonly [string, string])[] = [
  ['str(abc),upper', 'ABC'],
  ["str(AbC-\u00e9),lower", 'abc-\xc3\xa9'],
  ['str(hello),length', '5'],
  ['str(),length', '0'],
  ['int(5),add(3)', '8'],
  ['int(5),sub(8)', '-3'],
  ['int(-7),mul(3)', '-21'],
  ['int(7),div(2)', '3'],
  ['int(-7),div(2)', '-3'],
  ['int(7),mod(-3)', '1'],
  ['int(-7),mod(3)', '-1'],
  ['int(1),div(0)', '9223372036854775807'],
  ['int(1),mod(0)', '0'],
  ['int(9223372036854775807),add(1)', '9223372036854775807'],
  ['int(-9223372036854775808),sub(1)', '-9223372036854775808'],
  ['int(-9223372036854775808),neg', '9223372036854775807'],
  ['int(3037000500),mul(3037000500)', '9223372036854775807'],
  ['int(12),and(10)', '8'],
  ['int(12),or(3)', '15'],
  ['int(12),xor(10)', '6'],
  ['int(-12),and(255)', '244'],
  ['int(5),cpl', '-6'],
  ['int(0),bool', '0'],
  ['int(-3),bool', '1'],
  ['int(0),not', '1'],
  ['int(3),odd', '1'],
  ['int(-3),odd', '1'],
  ['int(4),even', '1'],
  ['str(12abc),add(1)', '13'],
  ['str(-4),add(1)', '-3'],
  ['str(abc),add(1)', '1'],
  ['str(),add(1)', ''],
  ['bool(true),add(5)', '6'],
  ['bool(1),add(5),hex', '0000000000000001'],
  ['int(5),add()', '5'],
  ['int(99999999999),mul(100000)', '9999999999900000'],
  ['str(a/b//c/d),field(2,/)', 'b'],
  ['str(a/b//c/d),field(3,/)', ''],
  ['str(a/b//c/d),field(-1,/)', 'd'],
  ['str(a/b//c/d),field(-2,/)', 'c'],
  ['str(a/b//c/d),field(2,/,2)', 'b/'],
  ['str(a/b//c/d),field(2,/,0)', 'b//c/d'],
  ['str(a/b//c/d),field(9,/)', ''],
  ['str(a/b//c/d),field(1,/)', 'a'],
  ['str(a.b/c),field(2,./)', 'b'],
  ['str(a/b//c/d),word(2,/)', 'b'],
  ['str(a/b//c/d),word(3,/)', 'c'],
  ['str(a/b//c/d),word(-1,/)', 'd'],
  ['str(a/b//c/d),word(-3,/)', 'b'],
  ['str(a/b//c/d),word(9,/)', ''],
  ['str(a/b//c/d),word(2,/,2)', 'b//c'],
  ['str(//a//b//),word(1,/)', 'a'],
  ['str(//a//b//),word(-1,/)', 'b'],
  ['str(hello world),regsub(o,0)', 'hell0 world'],
  ['str(hello world),regsub(o,0,g)', 'hell0 w0rld'],
  ['str(hello world),regsub(O,0,ig)', 'hell0 w0rld'],
  ['str(hello world),regsub("(l+)",[\\1],g)', 'he[ll]o wor[l]d'],
  ['str(abc),regsub(x*,-,g)', '-a-b-c-'],
  ['str(abc),regsub(^,>)', '>abc'],
  ['str(aaa),regsub(a,\\x41\\x4a,g)', 'AJAJAJ'],
  ['str(abc),concat(1,,2)', 'abc12'],
  ['str(abc),concat(pre)', 'abcpre'],
  ['str(abc),concat(,,post)', 'abcpost'],
  ['str(abc),add_item(:,,x)', 'abc:x'],
  ['str(),add_item(:,,x)', 'x'],
  ['str(  abc  ),ltrim(" ")', 'abc  '],
  ['str(xxabcxx),rtrim(x)', 'xxabc'],
  ['str(xxabcxx),ltrim(xa)', 'bcxx'],
  ['str(xx),rtrim(x)', ''],
  ['str(ab\\r\\ncd),cut_crlf', 'ab'],
  ['int(1),iif(yes,no)', 'yes'],
  ['int(0),iif(yes,no)', 'no'],
  ['str(abc),iif(yes,no)', 'no'],
  ['str(),iif(yes,no)', ''],
  ['str(abcdef),bytes(2)', 'cdef'],
  ['str(abcdef),bytes(2,3)', 'cde'],
  ['str(abcdef),bytes(10)', ''],
  ['str(abcdef),bytes(2,0)', ''],
  ['bin(00ff41),hex', '00FF41'],
  ['str(AZaz),hex', '415A617A'],
  ['int(255),hex', '00000000000000FF'],
  ['int(-1),hex', 'FFFFFFFFFFFFFFFF'],
  ['src,hex', '7F000001'],
  ['ipv6(::1),hex', '00000000000000000000000000000001'],
  ['str(ff),hex2i', '255'],
  ['str(FFFFFFFF),hex2i', '4294967295'],
  ['str(7fffffffffffffff),hex2i', '9223372036854775807'],
  ['str(ffffffffffffffff),hex2i', '-1'],
  ['str(),hex2i', '0'],
  ['str(xyz),hex2i', ''],
  ['str(1g),hex2i', ''],
  ['str(hello),base64', 'aGVsbG8='],
  ['str(a),base64', 'YQ=='],
  ['str(ab),base64', 'YWI='],
  ['str(),base64', ''],
  ['bin(fbff),base64', '+/8='],
  ['bin(fbff),ub64enc', '-_8'],
  ['str(a),ub64enc', 'YQ'],
  ['str(aGVsbG8=),b64dec', 'hello'],
  ['str(YQ==),b64dec', 'a'],
  ['str(YWI=),b64dec', 'ab'],
  ['str(YQ),b64dec', ''],
  ['str(Y===),b64dec,hex', ''],
  ['str(YQ==YQ==),b64dec', 'aa'],
  ['str(====),b64dec', ''],
  ['str(+/+/),b64dec,hex', 'FBFFBF'],
  ['str(-_-_),ub64dec,hex', 'FBFFBF'],
  ['str(YQ),ub64dec', 'a'],
  ['str(YWI),ub64dec', 'ab'],
  ['str(Y),ub64dec', ''],
  ['str(AA==),ub64dec,hex', '000FFF'],
  ['str(a%20b+c),url_dec', 'a b+c'],
  ['str(a%20b+c),url_dec(1)', 'a b c'],
  ['str(a+b?c+d),url_dec', 'a+b?c d'],
  ['str(a%2),url_dec', ''],
  ['str(a%zzb),url_dec', ''],
  ['str(a%00b),url_dec,length', '3'],
  ['str(foo=bar+42 42 ~x),url_enc', 'foo%3Dbar%2B42%2042%20~x'],
  ["str(\u00e9/?),url_enc", '%C3%A9%2F%3F'],
  ['str(tab\tx),json', 'tab\\tx'],
  ["str(\u00e9),json", '\\u00c3\\u00a9'],
  ["str(\u00e9),json(utf8)", '\\u00e9'],
  ["str(-\u00e9-),json(utf8s)", '-\\u00e9-'],
  ['str(\\xC3),json(utf8s)', '\\\\xC3'],
  ['str(a),crc32', '3904355907'],
  ['str(a),crc32(1)', '1288200982'],
  ['str(hello),crc32c', '2591144780'],
  ['str(hello),crc32c(1)', '2290590055'],
  ['str(hello),djb2', '261238937'],
  ['str(hello),djb2(1)', '1119739105'],
  ['str(hello),sdbm', '684824882'],
  ['str(hello),sdbm(1)', '2061535398'],
  ['str(hello),wt6', '3538347703'],
  ['str(hello),wt6(1)', '140457739'],
  ['str(),crc32', '0'],
  ['int(1),crc32', '304476159'],
  ['str(abc),sha1,hex', 'A9993E364706816ABA3E25717850C26C9CD0D89D'],
  ['str(abc),sha2,hex', 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'],
  ['str(abc),sha2(224),hex', '23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7'],
  ['str(abc),sha2(384),hex', 'CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7'],
  ['str(abc),sha2(512),hex', 'DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F'],
  ['str(abc),digest(md5),hex', '900150983CD24FB0D6963F7D28E17F72'],
  ['str(abc),digest(sha256),hex', 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'],
  ['str(abc),digest(SHA1),hex', 'A9993E364706816ABA3E25717850C26C9CD0D89D'],
  ['str(abc),hmac(sha1,a2V5),hex', '4FD0B215276EF12F2B3E4C8ECAC2811498B656FC'],
  ['str(abc),hmac(sha256,a2V5),hex', '9C196E32DC0175F86F4B1CB89289D6619DE6BEE699E4C378E68309ED97A1A6AB'],
  ['str(abc),hmac(sha512,a2V5),hex', '3926A207C8C42B0C41792CBD3E1A1AAAF5F7A25704F62DFC939C4987DD7CE060009C5BB1C2447355B3216F10B537E9AFA7B64A4E5391B0D631172D07939E087A'],
  ['str(abc),hmac(sha256,),hex', 'FD7ADB152C05EF80DCCF50A1FA4C05D5A3EC6DA95575FC312AE7C5D091836351'],
  ['str(abc),hmac(sha256,QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB),hex', '2F39DE060753E1056CF9DCFF67CC71DBAB147D3025E7BFDED103F9C56DD1DA4C'],
  ['int(0),utime(%Y-%m-%d %H:%M:%S)', '1970-01-01 00:00:00'],
  ['int(1700000000),utime(%a %A %b %B %d %e %j %u %w %y %C %p %I %l %k)', 'Tue Tuesday Nov November 14 14 318 2 2 23 20 PM 10 10 22'],
  ['int(1700000000),utime(%c|%D|%F|%T|%R|%r|%x|%X|%s|%z|%Z|%%|%U|%W|%V|%G|%g)', 'Tue Nov 14 22:13:20 2023|11/14/23|2023-11-14|22:13:20|22:13|10:13:20 PM|11/14/23|22:13:20|1700000000|+0000|GMT|%|46|46|46|2023|23'],
  ['int(1700000000),utime(%-d|%_m|%^a|%10Y|%Q)', '14|11|TUE|0000002023|%Q'],
  ['int(1700000000),utime(%H,3600)', '23'],
  ['int(-1),utime(%Y)', '1141709097'],
  ['int(1700000000),http_date', 'Tue, 14 Nov 2023 22:13:20 GMT'],
  ['int(1700000000),http_date(3600)', 'Tue, 14 Nov 2023 23:13:20 GMT'],
  ['int(1700000000123),http_date(0,ms)', 'Tue, 14 Nov 2023 22:13:20.123 GMT'],
  ['int(1700000000000),http_date(0,ms)', 'Tue, 14 Nov 2023 22:13:20.0 GMT'],
  ['int(1700000000000123),http_date(0,us)', 'Tue, 14 Nov 2023 22:13:20.123 GMT'],
  ['int(1700000000),http_date(0,s)', 'Tue, 14 Nov 2023 22:13:20 GMT'],
  ['int(-1),http_date', 'Sun, 13 Jun 1141709097 06:26:07 GMT'],
  ['src,ipmask(24)', '127.0.0.0'],
  ['ipv4(192.168.17.201),ipmask(255.255.0.0)', '192.168.0.0'],
  ['ipv4(192.168.17.201),ipmask(0)', '0.0.0.0'],
  ['ipv6(2001:db8:1:2::3),ipmask(24)', ''],
  ['ipv6(2001:db8:1:2::3),ipmask(24,64)', '2001:db8:1:2::'],
  ['ipv6(::ffff:10.1.2.3),ipmask(16)', '10.1.0.0'],
  ['str(10.1.2.3),ipmask(8)', '10.0.0.0'],
  ['str(garbage),ipmask(8)', ''],
  ['int(167772161),ipmask(8)', '10.0.0.0'],
  ['ipv4(1.2.3.4)', '1.2.3.4'],
  ['ipv6(2001:db8::1)', '2001:db8::1'],
  ['ipv6(::ffff:1.2.3.4)', '::ffff:1.2.3.4'],
  ['ipv6(::1.2.3.4)', '::1.2.3.4'],
  ['ipv6(::)', '::'],
  ['ipv6(1:0:0:1:0:0:0:1)', '1:0:0:1::1'],
  ['ipv6(1:0:0:1:0:0:1:1)', '1::1:0:0:1:1'],
  ['ipv6(2001:DB8:0:0:1:0:0:0)', '2001:db8:0:0:1::'],
  ['ipv4(1.2.3.4),add(1)', '16909061'],
  ['ipv6(::ffff:1.2.3.4),ipmask(32),add(0)', '16909060'],
  ['str(1.2.3.4xyz),ipmask(32)', '1.2.3.4'],
  ['bin(414243)', 'ABC'],
  ['bin(410042)', 'A'],
  ['bin(410042),length', '1'],
  ['bool(TRUE)', '1'],
  ['bool(0)', '0'],
  ['meth(GET)', 'GET'],
  ['meth(FOO),lower', 'foo'],
  ['int(0012)', '12'],
  ['int(-0)', '0'],
  ['int(+5)', '5'],
  ['int(-)', '0'],
  ['str("quoted,arg")', 'quoted,arg'],
  ['str(\'single quoted\')', 'single quoted'],
  ['str(a\\tb),hex', '610962'],
  ['str(a\\\\b)', 'a\\b'],
  ['str(it\\\'s)', 'it\'s'],
  ['str(a\\"b)', 'a"b'],
  ['str(a\\nb),hex', '610A62'],
  ['str(a\\qb)', 'a\\qb'],
  ['str(a b)', 'a b'],
  ['env(HAPROXY_CONV_TEST)', 'hello'],
  ['env(NO_SUCH_VARIABLE_X)', ''],
  ['fe_name', 'fe'],
  ['nbproc', '1'],
  ['proc', '1'],
  ['str(a),field(1,a)', ''],
  ['bin(225c2f080c0d0a09017f80ff41),json', '\\"\\\\\\/\\b\\f\\r\\n\\t\\u0001\\u007f\\u0080\\u00ffA'],
  ['bin(225c2f080c0d0a09017f80ff41),json(utf8s)', '\\"\\\\\\/\\b\\f\\r\\n\\t\\u0001\\u007fA'],
  ['bin(c3a9e282acf09f9880eda080c0af),json(utf8ps)', '\\u00e9\\u20ac\\/'],
  ['bin(c3a9e282acf09f9880),json(utf8p)', ''],
  ['bin(c0af),json(utf8p)', '\\/'],
  ['bin(c0af),json(utf8ps)', '\\/'],
];

const HAPROXY_MAP_VALUES: readonly (readonly [string, string])[] = [
  ['str(foo),map(/etc/haproxy/str.map)', 'bar baz'],
  ['str(foo),map_str(/etc/haproxy/str.map)', 'bar baz'],
  ['str(exact),map(/etc/haproxy/str.map)', 'value'],
  ['str(Empty),map(/etc/haproxy/str.map,dflt)', ''],
  ['str(lead),map(/etc/haproxy/str.map)', 'spaced value'],
  ['str(nope),map(/etc/haproxy/str.map)', ''],
  ['str(nope),map(/etc/haproxy/str.map,dflt)', 'dflt'],
  ['str(#x),map(/etc/haproxy/str.map,dflt)', 'dflt'],
  ['str(dup),map(/etc/haproxy/dup.map)', 'first'],
  ['str(/api/v2/users),map_beg(/etc/haproxy/beg.map)', 'apiv2'],
  ['str(/api/v1),map_beg(/etc/haproxy/beg.map)', 'api'],
  ['str(/static/img/a.png),map_beg(/etc/haproxy/beg.map)', 'img'],
  ['str(x),map_beg(/etc/haproxy/beg.map,none)', 'none'],
  ['str(/a/b/c),map_beg(/etc/haproxy/begdup.map)', 'ab'],
  ['str(/static/img/a.png),map_sub(/etc/haproxy/sub.map)', 'images'],
  ['str(/admin/img),map_sub(/etc/haproxy/sub.map)', 'images'],
  ['str(/static/img/a.png),map_dir(/etc/haproxy/dir.map)', 'images'],
  ['str(/static/imgs/a.png),map_dir(/etc/haproxy/dir.map,none)', 'none'],
  ['str(/x/admin?q),map_dir(/etc/haproxy/dir.map)', 'administration'],
  ['str(/static/css/x),map_dir(/etc/haproxy/dir.map)', 'css'],
  ['str(www.example.com),map_dom(/etc/haproxy/dom.map)', 'ex'],
  ['str(example.com:8080),map_dom(/etc/haproxy/dom.map)', 'ex'],
  ['str(a.test.org),map_dom(/etc/haproxy/dom.map)', 'test'],
  ['str(notexample.com),map_dom(/etc/haproxy/dom.map,none)', 'none'],
  ['str(local),map_dom(/etc/haproxy/dom.map)', 'lcl'],
  ['str(/a/b.png),map_end(/etc/haproxy/end.map)', 'image'],
  ['str(/a/b.PNG),map_end(/etc/haproxy/end.map,none)', 'none'],
  ['str(/api/v2/users/7),map_reg(/etc/haproxy/reg.map)', 'api-\\2-\\1'],
  ['str(/index.php),map_reg(/etc/haproxy/reg.map)', 'php'],
  ['str(/Admin/x),map_reg(/etc/haproxy/reg.map,none)', 'admin'],
  ['str(/api/v2/users/7),map_regm(/etc/haproxy/reg.map)', 'api-users/7-v2'],
  ['str(/api/v3/x),map_regm(/etc/haproxy/regm.map)', 'x-v3'],
  ['int(10),map_int(/etc/haproxy/int.map)', 'ten'],
  ['int(25),map_int(/etc/haproxy/int.map)', 'twenties'],
  ['int(35),map_int(/etc/haproxy/int.map)', 'thirties'],
  ['int(3),map_int(/etc/haproxy/int.map)', 'low'],
  ['int(-3),map_int(/etc/haproxy/int.map)', 'low'],
  ['int(7),map_int(/etc/haproxy/int.map)', 'minus'],
  ['int(500),map_int(/etc/haproxy/int.map)', 'big'],
  ['int(50),map_int(/etc/haproxy/int.map,none)', 'none'],
  ['str(25x),map_int(/etc/haproxy/int.map)', 'twenties'],
  ['ipv4(10.1.2.3),map_ip(/etc/haproxy/ip.map)', 'ten-one'],
  ['ipv4(10.2.2.3),map_ip(/etc/haproxy/ip.map)', 'ten'],
  ['ipv4(192.168.1.1),map_ip(/etc/haproxy/ip.map)', 'host'],
  ['ipv4(8.8.8.8),map_ip(/etc/haproxy/ip.map)', 'any4'],
  ['ipv6(2001:db8::5),map_ip(/etc/haproxy/ip.map)', 'doc'],
  ['ipv6(::1),map_ip(/etc/haproxy/ip.map)', 'lo6'],
  ['ipv6(::ffff:10.1.2.3),map_ip(/etc/haproxy/ip.map)', 'ten-one'],
  ['ipv6(2002:a01:203::1),map_ip(/etc/haproxy/ip.map)', 'ten-one'],
  ['ipv6(fe80::1),map_ip(/etc/haproxy/ip.map,none)', 'none'],
  ['str(10.9.9.9),map_ip(/etc/haproxy/ip4.map)', 'ten'],
  ['src,map_ip(/etc/haproxy/ip4.map)', 'any'],
  ['ipv6(::ffff:10.3.2.1),map_ip(/etc/haproxy/ip4.map)', 'ten'],
  ['ipv6(2001:db8::1),map_ip(/etc/haproxy/ip4.map,none)', 'none'],
  ['str(a),map_str_int(/etc/haproxy/int-values.map)', '12'],
  ['str(b),map_str_int(/etc/haproxy/int-values.map),add(1)', '-3'],
  ['str(c),map_str_int(/etc/haproxy/int-values.map)', '0'],
  ['str(z),map_str_int(/etc/haproxy/int-values.map,42)', '42'],
  ['str(a),map_str_ip(/etc/haproxy/ip-values.map)', '1.2.3.4'],
  ['str(b),map_str_ip(/etc/haproxy/ip-values.map)', '::1'],
  ['str(c),map_str_ip(/etc/haproxy/ip-values.map)', '10.0.0.1'],
  ['str(z),map_str_ip(/etc/haproxy/ip-values.map,::2)', '::2'],
  ['str(hello),xxh32', '4211111929'],
  ['str(hello),xxh32(1)', '4244634537'],
  ['str(hello),xxh32(-1)', '655458443'],
  ['str(hello),xxh64', '2794345569481354659'],
  ['str(hello),xxh64(-1)', '125878816811915416'],
  ['str(hello),xxh3', '-7685981735718036227'],
  ['str(hello),xxh3(7)', '2263127920094649883'],
  ['str(),xxh3', '3244421341483603138'],
  ['str(hello),xxh64,hex', '26C7827D889F6DA3'],
];

/** [expression, HAProxy 2.6's error for `lf-string "[%[EXPR]]"`]. */
const HAPROXY_ERRORS: readonly (readonly [string, string])[] = [
  ["path)", "expected ']' after 'path', but found ')'"],
  ["path,lower(1)", "failed to parse sample expression <path,lower(1)]]> : invalid arg 1 in converter 'lower' : expected ')' before '1)]]'"],
  ["str(a,b)", "failed to parse sample expression <str(a,b)]]> : fetch method 'str' : expected ')' before ',b)]]'"],
  ["str(a", "failed to parse sample expression <str(a]]> : fetch method 'str' : expected ')'"],
  ["int(abc)", "failed to parse sample expression <int(abc)]]> : fetch method 'int' : failed to parse 'abc' as type 'integer' at position 1"],
  ["int(1),add(x)", "failed to parse sample expression <int(1),add(x)]]> : invalid args in converter 'add' : expects an integer or a variable name"],
  ["str(a),field(0,/)", "failed to parse sample expression <str(a),field(0,/)]]> : invalid args in converter 'field' : Unexpected value 0 for index"],
  ["str(a),field(1,)", "failed to parse sample expression <str(a),field(1,)]]> : invalid args in converter 'field' : Empty separators list"],
  ["str(a),nope", "failed to parse sample expression <str(a),nope]]> : unknown converter 'nope'"],
  ["ipv6(::1),add(1)", "failed to parse sample expression <ipv6(::1),add(1)]]> : converter 'add' cannot be applied"],
  ["str(a),regsub(a,b,x)", "failed to parse sample expression <str(a),regsub(a,b,x)]]> : invalid args in converter 'regsub' : invalid regex flag 'x', only 'i' and 'g' are supported"],
  ["uuid(3)", "failed to parse sample expression <uuid(3)]]> : invalid args in fetch method 'uuid' : Unsupported UUID version: '3'"],
  ["bool(maybe)", "failed to parse sample expression <bool(maybe)]]> : invalid args in fetch method 'bool' : Expects 'true', 'false', '0' or '1'"],
  ["bin(abc)", "failed to parse sample expression <bin(abc)]]> : invalid args in fetch method 'bin' : an even number of hex digit is expected"],
  ["bin(zz)", "failed to parse sample expression <bin(zz)]]> : invalid args in fetch method 'bin' : an hex digit is expected (found 'z')"],
  ["meth(GE T)", "failed to parse sample expression <meth(GE T)]]> : invalid args in fetch method 'meth' : expects valid method."],
  ["date(0,xs)", "failed to parse sample expression <date(0,xs)]]> : invalid args in fetch method 'date' : expects 's', 'ms' or 'us', got 'xs'"],
  ["int", "failed to parse sample expression <int]]> : fetch method 'int' : expected type 'integer' at position 1, but got nothing"],
  ["str(a),concat(a,foo)", "failed to parse sample expression <str(a),concat(a,foo)]]> : invalid args in converter 'concat' : failed to register variable name 'foo'"],
  ["str(a),strcmp(foo)", "failed to parse sample expression <str(a),strcmp(foo)]]> : invalid args in converter 'strcmp' : failed to register variable name 'foo'"],
  ["str(a),json(x)", "failed to parse sample expression <str(a),json(x)]]> : invalid args in converter 'json' : Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'"],
  ["str(a),sha2(100)", "failed to parse sample expression <str(a),sha2(100)]]> : invalid args in converter 'sha2' : Unsupported number of bits: '100'"],
  ["str(a),hmac(sha1,abc)", "failed to parse sample expression <str(a),hmac(sha1,abc)]]> : invalid args in converter 'hmac' : failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable"],
  ["str(a),digest(foo)", "failed to parse sample expression <str(a),digest(foo)]]> : invalid args in converter 'digest' : algorithm must be a valid OpenSSL message digest name."],
  ["src,ipmask(33)", "failed to parse sample expression <src,ipmask(33)]]> : invalid arg 1 in converter 'ipmask' : failed to parse '33' as type 'IPv4 mask' at position 1"],
  ["str(a),map(/nonexistent.map)", "failed to parse sample expression <str(a),map(/nonexistent.map)]]> : invalid args in converter 'map' : failed to open pattern file </nonexistent.map>"],
  ["str(a),be2dec(:,9)", "failed to parse sample expression <str(a),be2dec(:,9)]]> : invalid args in converter 'be2dec' : chunk_size out of [1..8] range (9)"],
  ["str(a),add_item(x)", "failed to parse sample expression <str(a),add_item(x)]]> : invalid arg 2 in converter 'add_item' : missing arguments (got 1/2), type 'string' expected"],
  ["str(a),add_item(x,)", "failed to parse sample expression <str(a),add_item(x,)]]> : invalid args in converter 'add_item' : one of the optional arguments has to be nonempty"],
  ["str(a),url_enc(x)", "failed to parse sample expression <str(a),url_enc(x)]]> : invalid args in converter 'url_enc' : Unexpected encode type. Allowed value is 'query'"],
  ["int(1),http_date(0,x)", "failed to parse sample expression <int(1),http_date(0,x)]]> : invalid args in converter 'http_date' : expects 's', 'ms' or 'us', got 'x'"],
  ["str(a\\,b)", "failed to parse sample expression <str(a\\,b)]]> : fetch method 'str' : expected ')' before ',b)]]'"],
  ["str(a),field(x,/)", "failed to parse sample expression <str(a),field(x,/)]]> : invalid arg 1 in converter 'field' : failed to parse 'x' as type 'integer' at position 1"],
  ["str(a),field(1)", "failed to parse sample expression <str(a),field(1)]]> : invalid arg 2 in converter 'field' : missing arguments (got 1/2), type 'string' expected"],
  ["str(a),word(1,/,x)", "failed to parse sample expression <str(a),word(1,/,x)]]> : invalid arg 3 in converter 'word' : failed to parse 'x' as type 'integer' at position 3"],
  ["str(a),bytes()", "failed to parse sample expression <str(a),bytes()]]> : invalid arg 1 in converter 'bytes' : expected type 'integer' at position 1, but got nothing"],
  ["str(a),bytes(x)", "failed to parse sample expression <str(a),bytes(x)]]> : invalid arg 1 in converter 'bytes' : failed to parse 'x' as type 'integer' at position 1"],
  ["str(a),crc32(x)", "failed to parse sample expression <str(a),crc32(x)]]> : invalid arg 1 in converter 'crc32' : failed to parse 'x' as type 'integer' at position 1"],
  ["int(1),iif(a)", "failed to parse sample expression <int(1),iif(a)]]> : invalid arg 2 in converter 'iif' : missing arguments (got 1/2), type 'string' expected"],
  ["str(a),regsub(a)", "failed to parse sample expression <str(a),regsub(a)]]> : invalid arg 2 in converter 'regsub' : missing arguments (got 1/2), type 'string' expected"],
  ["ipv4(1.2.3)", "failed to parse sample expression <ipv4(1.2.3)]]> : fetch method 'ipv4' : failed to parse '1.2.3' as type 'IPv4 address' at position 1"],
  ["ipv6(1.2.3.4)", "failed to parse sample expression <ipv6(1.2.3.4)]]> : fetch method 'ipv6' : failed to parse '1.2.3.4' as type 'IPv6 address' at position 1"],
  ["src,ipmask(24,129)", "failed to parse sample expression <src,ipmask(24,129)]]> : invalid arg 2 in converter 'ipmask' : failed to parse '129' as type 'IPv6 mask' at position 2"],
  ["bool(1),ipmask(24)", "failed to parse sample expression <bool(1),ipmask(24)]]> : converter 'ipmask' cannot be applied"],
  ["str(a),hex2i(1)", "failed to parse sample expression <str(a),hex2i(1)]]> : invalid arg 1 in converter 'hex2i' : expected ')' before '1)]]'"],
  ["bin(41),add(1)", "failed to parse sample expression <bin(41),add(1)]]> : converter 'add' cannot be applied"],
  ["str(a),be2hex(:,0)", "failed to parse sample expression <str(a),be2hex(:,0)]]> : invalid args in converter 'be2hex' : chunk_size needs to be positive (0)"],
  ["str(a),be2hex(,,2)", "failed to parse sample expression <str(a),be2hex(,,2)]]> : invalid arg 2 in converter 'be2hex' : expected ')' before ',2)]]'"],
  ["str(a)x", "expected ']' after 'str(a)', but found 'x'"],
  ["str(a),lower,", "failed to parse sample expression <str(a),lower,]]> : unknown converter ''"],
  ["str(a),strcmp()", "failed to parse sample expression <str(a),strcmp()]]> : invalid args in converter 'strcmp' : missing variable name"],
  ["str(a),hmac(sha1)", "failed to parse sample expression <str(a),hmac(sha1)]]> : invalid arg 2 in converter 'hmac' : missing arguments (got 1/2), type 'string' expected"],
  ["str(a),hmac(foo,a2V5)", "failed to parse sample expression <str(a),hmac(foo,a2V5)]]> : invalid args in converter 'hmac' : algorithm must be a valid OpenSSL message digest name."],
  ["str(a),digest()", "failed to parse sample expression <str(a),digest()]]> : invalid args in converter 'digest' : algorithm must be a valid OpenSSL message digest name."],
  ["int(1),div(1.5)", "failed to parse sample expression <int(1),div(1.5)]]> : invalid args in converter 'div' : expects an integer or a variable name"],
  ["int(1),add( 1)", "failed to parse sample expression <int(1),add( 1)]]> : invalid args in converter 'add' : expects an integer or a variable name"],
  ["str(z),map_str_ip(/etc/haproxy/ip-values.map,1.1.1.1),ipmask(8)", "failed to parse sample expression <str(z),map_str_ip(/etc/haproxy/ip-values.map,1.1.1.1),ipmask(8)]]> : converter 'ipmask' cannot be applied"],
  ["str(a),map_str_ip(/etc/haproxy/ip-values.map),add(0)", "failed to parse sample expression <str(a),map_str_ip(/etc/haproxy/ip-values.map),add(0)]]> : converter 'add' cannot be applied"],
  ["ipv4(10.1.2.3),map_ip_int(/etc/haproxy/int-values.map,3)", "failed to parse sample expression <ipv4(10.1.2.3),map_ip_int(/etc/haproxy/int-values.map,3)]]> : invalid args in converter 'map_ip_int' : 'a' is not a valid IPv4 or IPv6 address at line 1 of file '/etc/haproxy/int-values.map'"],
  ["str(a),map_str_int(/etc/haproxy/badint.map)", "failed to parse sample expression <str(a),map_str_int(/etc/haproxy/badint.map)]]> : invalid args in converter 'map_str_int' : unable to parse '1x' at line 3 of file '/etc/haproxy/badint.map'"],
  ["str(a),map_int(/etc/haproxy/str.map)", "failed to parse sample expression <str(a),map_int(/etc/haproxy/str.map)]]> : invalid args in converter 'map_int' : 'foo' is not a number at line 3 of file '/etc/haproxy/str.map'"],
  ["str(a),map_ip(/etc/haproxy/ip-values.map)", "failed to parse sample expression <str(a),map_ip(/etc/haproxy/ip-values.map)]]> : invalid args in converter 'map_ip' : 'a' is not a valid IPv4 or IPv6 address at line 1 of file '/etc/haproxy/ip-values.map'"],
  ["str(a),map_str_ip(/etc/haproxy/str.map)", "failed to parse sample expression <str(a),map_str_ip(/etc/haproxy/str.map)]]> : invalid args in converter 'map_str_ip' : unable to parse 'bar baz' at line 3 of file '/etc/haproxy/str.map'"],
  ["str(a),map_str_int(/etc/haproxy/int-values.map,x)", "failed to parse sample expression <str(a),map_str_int(/etc/haproxy/int-values.map,x)]]> : invalid arg 2 in converter 'map_str_int' : failed to parse 'x' as type 'integer' at position 2"],
  ["str(a),map_str_ip(/etc/haproxy/ip-values.map,x)", "failed to parse sample expression <str(a),map_str_ip(/etc/haproxy/ip-values.map,x)]]> : invalid args in converter 'map_str_ip' : map: cannot parse default ip <x>."],
  ["str(a),map()", "failed to parse sample expression <str(a),map()]]> : invalid args in converter 'map' : failed to open pattern file <>"],
  ["str(a),map", "failed to parse sample expression <str(a),map]]> : invalid args in converter 'map' : failed to open pattern file <>"],
];

describe('converters and constant fetches give HAProxy 2.6\u2019s values', () => {
  it('arithmetic, strings, encodings, hashes and digests, dates, addresses, casts', () => {
    for (const [expression, expected] of HAPROXY_VALUES) assert.equal(evaluate(expression), expected, expression);
  });

  it('maps: every match kind and output type, defaults, comments and spacing of map files', () => {
    for (const [expression, expected] of HAPROXY_MAP_VALUES) assert.equal(evaluate(expression), expected, expression);
  });

  it('refuses what HAProxy refuses, in its words', () => {
    for (const [expression, expected] of HAPROXY_ERRORS) {
      const compiled = withPatternFiles(files, () => compileLogFormat(`[%[${expression}]]`, 'request'));
      assert.equal(compiled.ok ? 'OK' : compiled.message, expected, expression);
    }
  });
});

/** [Host value, host_only, port_only]: HAProxy 2.6.12's answers (a header through lf-string). */
const HOST_PARTS: readonly (readonly [string, string, string])[] = [
  ["Example.COM", "example.com", "0"],
  ["Example.com:8080", "example.com", "8080"],
  ["127.0.0.1", "127.0.0.1", "0"],
  ["127.0.0.1:80", "127.0.0.1", "80"],
  ["[::1]", "[::1]", "0"],
  ["[::1]:443", "[::1]", "443"],
  ["[::1", "[:", "1"],
  ["[::1]:", "[::1]", "0"],
  ["a:b:c", "a:b", "51"],
  ["host:", "host", "0"],
  ["host:abc", "host", "5451"],
  [":80", "", "80"],
  ["HOST:99999", "host", "99999"],
  ["host:0080", "host", "80"],
  ["[::1]x", "[::1]x", "0"],
  ["a:80:90", "a:80", "90"],
  ["[2001:DB8::A]:8", "[2001:db8::a]", "8"],
  ["host:-1", "host", "4294967267"],
  ["host:+5", "host", "4294967251"],
  ["host:4294967297", "host", "1"],
  ["[]:80", "[]", "80"],
  ["a]:80", "a]", "80"],
];

describe('host_only and port_only split a Host value as HAProxy 2.6.12', () => {
  it('host in lower case without the port; the port as HAProxy\u2019s unchecked strl2ui reads it, 0 without one', () => {
    for (const [value, host, port] of HOST_PARTS) {
      assert.equal(evaluate(`str(${value}),host_only`), host, `${value},host_only`);
      assert.equal(evaluate(`str(${value}),port_only`), port, `${value},port_only`);
    }
    assert.deepEqual(typed('str(a:80),port_only'), { type: 'int', text: '80' });
    assert.equal(evaluate('str(),host_only'), '');
    assert.equal(evaluate('str(),port_only'), '0');
  });
});

/** The sample's type and text, or undefined when absent. */
function typed(expression: string, context: SampleContext = ctx): { type: string; text: string } | undefined {
  const compiled = withPatternFiles(files, () => compileSampleFetch(expression));
  if (!compiled.ok) throw new Error(`${expression}: ${compiled.message}`);
  const s = new Sample();
  return compiled.fetch.sample(context, s) ? { type: s.type, text: sampleText(s) } : undefined;
}

function refusal(expression: string): string {
  const compiled = withPatternFiles(files, () => compileSampleFetch(expression));
  return compiled.ok ? 'OK' : compiled.message;
}

describe('sample types follow HAProxy’s casts', () => {
  it('a cast to a type the sample has is none: a boolean stays one through add, a string through bytes', () => {
    assert.deepEqual(typed('bool(1),add(5)'), { type: 'bool', text: '6' });
    assert.deepEqual(typed('str(abc),bytes(1)'), { type: 'str', text: 'bc' });
    assert.deepEqual(typed('str(abc),sha1,bytes(19)'), { type: 'bin', text: '\x9d' });
    assert.deepEqual(typed('str(12),add(1)'), { type: 'int', text: '13' });
  });

  it('string arguments are bytes: latin1 characters as they are, others as their UTF-8 bytes', () => {
    assert.equal(typed('str(\xe9),hex')?.text, 'E9');
    assert.equal(typed('str(\u20ac),hex')?.text, 'E282AC');
  });

  it('declared output types: maps give strings, integers or addresses; hashes integers; iif strings', () => {
    assert.deepEqual(typed('str(a),map_str_int(/etc/haproxy/int-values.map)'), { type: 'int', text: '12' });
    assert.deepEqual(typed('str(b),map_str_ip(/etc/haproxy/ip-values.map)'), { type: 'ip', text: '::1' });
    assert.deepEqual(typed('str(x),crc32'), { type: 'int', text: '2363233923' });
    assert.deepEqual(typed('int(0),iif(a,b)'), { type: 'str', text: 'b' });
    const fetch = compileSampleFetch('str(x),length,bool');
    assert.equal(fetch.ok && fetch.fetch.type, 'bool');
  });

  it('a failed run-time cast makes the sample absent', () => {
    assert.equal(typed('str(),add(1)'), undefined);
    assert.equal(typed('ipv6(2001:db8::1),ipmask(24)'), undefined);
    assert.equal(typed('str(a%zz),url_dec'), undefined);
    assert.equal(typed('str(a/b),field(5,/)'), undefined);
    // word(), unlike field(), gives an empty string for a missing word.
    assert.deepEqual(typed('str(a/b),word(5,/)'), { type: 'str', text: '' });
  });
});

describe('fetches reading the host and the stream', () => {
  it('date and date_us read the runtime’s wall clock, with an offset and a unit', () => {
    assert.deepEqual(typed('date'), { type: 'int', text: '1700000000' });
    assert.equal(typed('date(10)')?.text, '1700000010');
    assert.equal(typed('date(0,ms)')?.text, '1700000000123');
    assert.equal(typed('date(-5,us)')?.text, '1700000000123451');
    assert.equal(typed('date(0,s)')?.text, '1700000000');
    assert.equal(typed('date_us')?.text, '123456');
    assert.equal(typed('date,http_date')?.text, 'Tue, 14 Nov 2023 22:13:20 GMT');
    assert.equal(typed('date', { ...ctx, runtime: undefined }), undefined);
  });

  it('env reads the runtime’s environment; an unset variable is absent', () => {
    assert.deepEqual(typed('env(HAPROXY_CONV_TEST)'), { type: 'str', text: 'hello' });
    assert.equal(typed('env(NOT_SET)'), undefined);
  });

  it('rand stays within its range; uuid is a version 4 UUID', () => {
    for (let i = 0; i < 200; i++) {
      const n = Number(typed('rand(10)')?.text);
      assert.ok(Number.isInteger(n) && n >= 0 && n < 10, String(n));
      const any = Number(typed('rand')?.text);
      assert.ok(Number.isInteger(any) && any >= 0 && any < 2 ** 32, String(any));
    }
    assert.match(typed('uuid')?.text ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(typed('uuid')?.text, typed('uuid(4)')?.text);
  });

  it('be_name is the frontend until a backend is chosen; nbsrv counts its usable servers', () => {
    assert.equal(typed('be_name')?.text, 'fe');
    assert.equal(typed('fe_name')?.text, 'fe');
    const backends = new Map([
      ['app', { name: 'app', usableServers: 3 }],
      ['spare', { name: 'spare', usableServers: 0 }],
    ]);
    const withBackend: SampleContext = { ...ctx, backend: backends.get('app'), backendNamed: (name) => backends.get(name) };
    assert.equal(typed('be_name', withBackend)?.text, 'app');
    assert.equal(typed('nbsrv(spare)', withBackend)?.text, '0');
    assert.equal(typed('nbsrv(app)', withBackend)?.text, '3');
    assert.equal(typed('nbsrv(none)', withBackend), undefined);
    // nbsrv as a converter: the backend the sample names.
    assert.equal(typed('str(app),nbsrv', withBackend)?.text, '3');
    assert.equal(typed('str(none),nbsrv', withBackend), undefined);
  });

  it('ltime formats in the host’s time zone', () => {
    const local = new Date(1_700_000_000_000);
    const pad = (n: number): string => String(n).padStart(2, '0');
    assert.equal(typed('int(1700000000),ltime(%Y-%m-%d %H:%M)')?.text, `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}`);
  });
});

describe('converter arguments naming variables', () => {
  /** The variables of HAProxy's run (`http-request set-var(...)` before the expression). */
  function withVars(): SampleContext {
    const vars = new SessionVars(new ProcessVars());
    vars.beginTransaction();
    const txn = vars.store('txn', true) as VarStore;
    const set = (name: string, expression: string): void => {
      const compiled = compileSampleFetch(expression);
      const s = new Sample();
      assert.ok(compiled.ok && compiled.fetch.sample(ctx, s), expression);
      txn.set(name, s, 0);
    };
    set('n', 'int(5)');
    set('s', 'str(7x)');
    set('a', 'str(abd)');
    set('b', 'str(ab)');
    set('c', 'str(abc)');
    set('e', 'str()');
    set('k', 'str(a2V5)');
    set('bin', 'str(AAEC),b64dec');
    set('h', 'str(hello),xxh64');
    set('ip', 'src');
    set('t', 'bool(1)');
    return { ...ctx, vars };
  }

  /** [expression, what HAProxy 2.6.12 printed with those variables set]. */
  const VALUES: readonly (readonly [string, string])[] = [
    ['int(10),add(txn.n)', '15'],
    ['int(10),add(txn.none)', ''],
    ['int(10),add(txn.s)', '17'],
    ['int(10),sub(txn.c)', '10'],
    ['int(10),div(txn.e)', ''],
    ['int(10),mul(txn.t)', '10'],
    ['int(10),add(txn.ip)', '2130706443'],
    ['str(abc),concat(<,txn.s,>)', 'abc<7x>'],
    ['str(abc),concat(<,txn.none,>)', 'abc<>'],
    ['str(abc),concat(<,txn.n,>)', 'abc<5>'],
    ['str(abc),add_item(:,txn.s)', 'abc:7x'],
    ['str(),add_item(:,txn.s)', '7x'],
    ['str(abc),add_item(:,txn.none)', 'abc'],
    ['str(abc),add_item(:,txn.none,sfx)', 'abc:sfx'],
    ['str(abc),add_item(:,txn.e)', 'abc'],
    ['str(abc),add_item(:,txn.e,x)', 'abc:x'],
    ['str(abc),strcmp(txn.a)', '-1'],
    ['str(abc),strcmp(txn.b)', '1'],
    ['str(abc),strcmp(txn.c)', '0'],
    ['str(abc),strcmp(txn.none)', ''],
    ['str(abz),strcmp(txn.a)', '22'],
    ['str(hello),hmac(sha256,txn.k),hex', '9307B3B915EFB5171FF14D8CB55FBCC798C6C0EF1456D66DED1A6AA723A58B7B'],
    ['str(hello),hmac(sha256,txn.s),hex', ''],
    ['str(hello),hmac(sha256,txn.none),hex', ''],
    ['str(abc),secure_memcmp(txn.c)', '1'],
    ['str(abd),secure_memcmp(txn.c)', '0'],
    ['str(ab),secure_memcmp(txn.c)', '0'],
    ['str(abc),secure_memcmp(txn.none)', ''],
    ['int(3),secure_memcmp(txn.n)', '0'],
    ['var(txn.h)', '2794345569481354659'],
    ['var(txn.h),hex', '26C7827D889F6DA3'],
    ['var(txn.h),add(1)', '2794345569481354660'],
    ['var(txn.bin),hex', '000102'],
  ];

  it('read the variable at each conversion, as HAProxy 2.6 does', () => {
    const context = withVars();
    for (const [expression, expected] of VALUES) {
      const compiled = compileSampleFetch(expression);
      assert.ok(compiled.ok, expression);
      const s = new Sample();
      assert.equal(compiled.fetch.sample(context, s) ? sampleText(s) : '', expected, expression);
    }
  });

  it('a 64-bit value stays exact through arithmetic with a variable', () => {
    const context = withVars();
    assert.equal(typed('int(1),add(txn.h)', context)?.text, '2794345569481354660');
    assert.equal(typed('var(txn.h),sub(txn.h)', context)?.text, '0');
    assert.equal(typed('var(txn.h),xor(-1)', context)?.text, '-2794345569481354660');
  });

  it('secure_memcmp and strcmp need a variable name', () => {
    assert.match(refusal('str(a),secure_memcmp()'), /invalid args in converter 'secure_memcmp' : missing variable name/);
    assert.match(refusal('str(a),secure_memcmp(foo)'), /invalid args in converter 'secure_memcmp' : failed to register variable name 'foo'/);
  });
});
