/**
 * The hash functions and crypt(3) formats behind `user NAME password HASH`: the digests against
 * NIST's vectors and node:crypto at every length around the block sizes; SHA-crypt against the
 * vectors of Drepper's specification; all three formats against `openssl passwd` and against
 * libxcrypt (the crypt(3) HAProxy 2.6 calls on Debian: vectors produced once with its crypt()),
 * including the settings libxcrypt refuses.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { crypt, passwordHash } from '../../src/auth/crypt.ts';
import { Md5, Sha256, Sha512, type Digest } from '../../src/auth/digest.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function hex(d: Digest, ...parts: Uint8Array[]): string {
  for (const p of parts) d.update(p);
  const out = new Uint8Array(d.size);
  d.finish(out);
  return Buffer.from(out).toString('hex');
}

describe('digests', () => {
  it('match the NIST / RFC 1321 vectors for "abc" and ""', () => {
    assert.equal(hex(new Sha256(), enc('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hex(new Sha256()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(
      hex(new Sha512(), enc('abc')),
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    assert.equal(hex(new Md5(), enc('abc')), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(hex(new Md5()), 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('match node:crypto at every length up to three blocks, fed whole or in pieces, and reset after finish', () => {
    const digests: [Digest, string][] = [
      [new Sha256(), 'sha256'],
      [new Sha512(), 'sha512'],
      [new Md5(), 'md5'],
    ];
    const data = Uint8Array.from({ length: 400 }, (_, i) => (i * 131 + 7) & 0xff);
    for (const [d, name] of digests) {
      for (let n = 0; n <= 390; n++) {
        const input = data.subarray(0, n);
        const expected = createHash(name).update(input).digest('hex');
        assert.equal(hex(d, input), expected, `${name} of ${n} bytes`);
        const cut = (n * 7) >> 3;
        assert.equal(hex(d, input.subarray(0, cut), input.subarray(cut)), expected, `${name} of ${n} bytes in two pieces`);
      }
    }
  });
});

/** Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", test vectors. */
const SPEC: readonly (readonly [setting: string, password: string, hash: string])[] = [
  ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
  ['$5$rounds=10000$saltstringsaltstring', 'Hello world!', '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA'],
  ['$5$rounds=5000$toolongsaltstring', 'This is just a test', '$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5'],
  [
    '$5$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1',
  ],
  ['$5$rounds=77777$short', 'we have a short salt string but not a short password', '$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/'],
  ['$5$rounds=123456$asaltof16chars..', 'a short string', '$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD'],
  [
    '$6$saltstring',
    'Hello world!',
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  ],
  [
    '$6$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    '$6$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    '$6$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    '$6$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    '$6$rounds=123456$asaltof16chars..',
    'a short string',
    '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  ],
];

/** `openssl passwd -1|-5|-6 -salt saltsalt secret` (OpenSSL 3.0). */
const OPENSSL: readonly (readonly [string, string])[] = [
  ['$1$saltsalt$9xy1btjgzLYfb7hivXtC//', 'secret'],
  ['$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA', 'secret'],
  ['$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1', 'secret'],
];

/**
 * libxcrypt's crypt(password, setting) (Debian 12): passwords around the block sizes, empty and
 * over-long salts, custom rounds, UTF-8.
 */
const LIBXCRYPT: readonly (readonly [password: string, setting: string, hash: string])[] = [
  ["", "$5$abcdefgh", "$5$abcdefgh$mnv0N8gJGuJiQCFVlADjwwxPyRiUO8rGuljjETTLqw9"],
  ["", "$6$abcdefgh", "$6$abcdefgh$v7sYNA18/BerGOYQLppYLyjH4yJilp8kqe/ef3KYMK9hOIdzH1yzcmP74Ay.m51y1jP3QqxM7Jl75S4CxDhBq."],
  ["", "$1$abcdefgh", "$1$abcdefgh$M55TzYaaccxVGbptZWaxX/"],
  ["a", "$5$abcdefgh", "$5$abcdefgh$GzAL/HPD/MYJIjVUUnvBTiqueLrt/LVxJEZtz0qaNX2"],
  ["a", "$6$abcdefgh", "$6$abcdefgh$GjMgmmowSihU3X8xhdMxaCaEziO5NUh/IZqYnnZhN1j7.JYnm2e5BnPfWNUdj17OlEroBdrPtMnfsmwWCrkw70"],
  ["a", "$1$abcdefgh", "$1$abcdefgh$jUYc1Xi7pkozuzWQ0Dft71"],
  ["abcdefghijklmnopqrstuvwxyzabcde", "$5$abcdefgh", "$5$abcdefgh$DMIUaC3KmoiG9EWNJ.8OCK75D2L2vvVV.FTmiRnweR3"],
  ["abcdefghijklmnopqrstuvwxyzabcde", "$6$abcdefgh", "$6$abcdefgh$RgnSO9S1pKXihIAwCBLXr8QC.aDd4HWvU1dubTjZM1327hKA0F.EvdNFt3zCgNreya5hZrf3Fc56u98xYjCQC0"],
  ["abcdefghijklmnopqrstuvwxyzabcde", "$1$abcdefgh", "$1$abcdefgh$7Z9zzC6exx6eyw6zPYiql0"],
  ["abcdefghijklmnopqrstuvwxyzabcdef", "$5$abcdefgh", "$5$abcdefgh$cuVIr7XaKr.AkYDtKvSOrO7blCeCHXTqpGuZQkkiZeB"],
  ["abcdefghijklmnopqrstuvwxyzabcdef", "$6$abcdefgh", "$6$abcdefgh$RGmzUfkr/EPj2ZluqqnniaZZFQyb4a8v.k80p3M8pWtqn/rUtYJQ7PWM48Wilew9xlx3yW/C1j3lxeR0bmrAR."],
  ["abcdefghijklmnopqrstuvwxyzabcdef", "$1$abcdefgh", "$1$abcdefgh$jxyKuL2aomNWKX.2bX17L/"],
  ["abcdefghijklmnopqrstuvwxyzabcdefg", "$5$abcdefgh", "$5$abcdefgh$WUa1KqY3D6PzYpa/Cqd4tn7pWMS5W/0GpSQBf/hvmb7"],
  ["abcdefghijklmnopqrstuvwxyzabcdefg", "$6$abcdefgh", "$6$abcdefgh$VkK8phX81rBG.o2UtpH0pg8AhqLGKzirQTGzScvdC0EMhspn5.bmDOH/tdr76l19cV9DhYP3dncqIGeichxAN/"],
  ["abcdefghijklmnopqrstuvwxyzabcdefg", "$1$abcdefgh", "$1$abcdefgh$8naHGOg2Paa5mxhb6z09G1"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", "$5$abcdefgh", "$5$abcdefgh$rdLTqNCc7K4EpLfolVWUFQCTkZJnVGHM7W2IovliTh2"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", "$6$abcdefgh", "$6$abcdefgh$XSn07ZxIXpfi8VSjT6cB.d67hPtgEmM0fKZr9JhqTJuueXhn1CEEp3LNAQgqFlAG0DzRysp89JiDDR3VROdZX."],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk", "$1$abcdefgh", "$1$abcdefgh$fOC5bkjWjvPBiGEIZCAly/"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", "$5$abcdefgh", "$5$abcdefgh$GTEjZUiqcQGp/Ec6TJkvmKK.q2oHdSs0oZ6HK4L.dJ2"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", "$6$abcdefgh", "$6$abcdefgh$lO2lyQlWEDfSFgHwMdKmVk94lzcm.BR4wbtGVcEzAbYI3aK0jAnqRLh7/.1cBEpGB2AdHvWWu607vVFfhQIsn1"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", "$1$abcdefgh", "$1$abcdefgh$btS5Tn2OAsmHfBiXkiRfw0"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", "$5$abcdefgh", "$5$abcdefgh$uLS6yHQPR.QA7QB7cSAnnBJKqdd7CAITcofXK.2gj62"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", "$6$abcdefgh", "$6$abcdefgh$VofksaGRUQZm21CUqMxDHL./eY10g81Elrj0JB3hDbUR/GGsnEZgN0gfyl3bXz1g4I2GYgvaM6YU.TC/NAosr."],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", "$1$abcdefgh", "$1$abcdefgh$jH1pQfcMlLJ9oQ/sb3KcK/"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw", "$5$abcdefgh", "$5$abcdefgh$XaqTbrgi30cgCnXKxk77xP61AvRVN98X4FfqpGExam7"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw", "$6$abcdefgh", "$6$abcdefgh$EpX4fhaivI4rSop9ahottcCSxudUNQ6uWftc9.3suTUYjDljIMdadxvLXmv2ASjj3KEGabJhBoGQ22qdqDBCq1"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw", "$1$abcdefgh", "$1$abcdefgh$/tv8hfVURhI01GCJdmOeq."],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx", "$5$abcdefgh", "$5$abcdefgh$PG3uSobwLJmsxgP.hdeooR7TOtHVlVCgBBHTLQ9y1t7"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx", "$6$abcdefgh", "$6$abcdefgh$yEqxnsrxRvl4GHjZ84RYqfqFxu/fEZdOAgfTjf3MqFWYunohND0LntPe7QyhaTi1atx3a3vCASX9xdpWCqlrr."],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx", "$1$abcdefgh", "$1$abcdefgh$ml.r1jvzD8ONvdAwKk8Me0"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy", "$5$abcdefgh", "$5$abcdefgh$q/IbfrZyUm36GQmZA0uqcPUhphAUZqIgXzZu0oM2ha5"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy", "$6$abcdefgh", "$6$abcdefgh$3BV1KilI85XyREfMbd/xolKqB76JHLfB7GMEXj7wvLbt.T3StAhf2uprQo.jRFB8UlEmoskPj8OWZ3ZDGqYGN1"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy", "$1$abcdefgh", "$1$abcdefgh$jj5NNJS2OQ40BpS.Gncgj/"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr", "$5$abcdefgh", "$5$abcdefgh$eD.1I4qaDjIwx2niXCo..SyVBtBxygwJbMYUJkRfRH5"],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr", "$6$abcdefgh", "$6$abcdefgh$cfyPgT3aM./IDr2GqY01bNTSpeqZHQ.LFWIAbTyFi4q4egtD16qHlvrIf3TCgdwpG0c.S/uHwyS1m6hHVDJWj."],
  ["abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqr", "$1$abcdefgh", "$1$abcdefgh$hJLIUdmXx6EVJs9dhjuVJ."],
  ["pw", "$6$$", "$6$$Z7WSO9A8tKGD2oGB9t2ViKdYTIHgnjMZIbdOJElGnO.QoZE5zDsfnF1WHM.IL2KPxhNG4/v/zU9LBcGhxg5Uy."],
  ["pw", "$1$$", "$1$$F0Fc2lbYpzr3KKdKkM0Wj."],
  ["pw", "$6$a$", "$6$a$nvOPw7CPhYOWhlLySx0/bwHKZLqSFBh.pO4PJXAC7jDpnKA8fOKYrlaGrG585p0Eg/RZ3zubvd1hUfMR83Q980"],
  ["pw", "$1$a$", "$1$a$Slr4opLRbq0iJ7N2AZjfg/"],
  ["pw", "$6$abcdefghijklmnop$", "$6$abcdefghijklmnop$GRSTFj3H0pZ9BY1uhdqITG.qORbXkTk40qgaa1roNICfs/axSgdNnbKEYghuyLnrmnFXvSE09GdxJbCDOnxdc1"],
  ["pw", "$1$abcdefghijklmnop$", "$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc."],
  ["pw", "$6$abcdefghijklmnopq$", "$6$abcdefghijklmnop$GRSTFj3H0pZ9BY1uhdqITG.qORbXkTk40qgaa1roNICfs/axSgdNnbKEYghuyLnrmnFXvSE09GdxJbCDOnxdc1"],
  ["pw", "$1$abcdefghijklmnopq$", "$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc."],
  ["p\u00e4ssw\u00f6rd", "$6$utf8salt", "$6$utf8salt$Nf6juS0Q3mv0f53eB4BVd6Njt8ABkI/Nw9Yqy9ZA65U6sGRcr2ajrL8Kwlq2SfdEvHi3Rhn/AVzWRrTM5gRn80"],
  ["x", "$5$rounds=1000$ab", "$5$rounds=1000$ab$lMxgB9r4O0h7N8Fc22csLTwDjQhj47dburbojE4s.sD"],
  ["x", "$6$rounds=1001$ab$", "$6$rounds=1001$ab$qdlfsJ72EWDHiB5o7/c5aAIrpL.5fa9hSp7bxCbBh7q7.8gTyonrOrY3RG8OF4NWjGWMBTNlz1t.ElfhqwL1n."],
];

describe('crypt', () => {
  it("computes Drepper's SHA-crypt test vectors", () => {
    for (const [setting, password, hash] of SPEC) assert.equal(crypt(enc(password), setting), hash, setting);
  });

  it('refuses rounds below 1000 as libxcrypt does (the specification clamps them; HAProxy on Debian never matches)', () => {
    assert.equal(crypt(enc('the minimum number is still observed'), '$5$rounds=10$roundstoolow'), undefined);
    assert.equal(crypt(enc('x'), '$6$rounds=999$ab'), undefined);
    assert.equal(crypt(enc('x'), '$6$rounds=1000000000$ab'), undefined);
    assert.equal(crypt(enc('x'), '$6$rounds=01000$ab'), undefined, 'leading zero');
    assert.equal(crypt(enc('x'), '$6$rounds=1000'), undefined, 'no $ after the rounds');
  });

  it('matches openssl passwd -1, -5 and -6', () => {
    for (const [hash, password] of OPENSSL) assert.equal(crypt(enc(password), hash), hash);
  });

  it("matches libxcrypt's output", () => {
    for (const [password, setting, hash] of LIBXCRYPT) assert.equal(crypt(enc(password), setting), hash, `${setting} / ${password.length}`);
  });

  it('refuses what libxcrypt refuses: bad characters anywhere, a ":" in the salt, passphrases of 512 bytes or more', () => {
    for (const setting of ['$5$sa!t$', '$5$ab d$', '$6$abcd$hash!', '$1$ab*d$', '$5$ab\\d', '$6$salt:x$', '$1$ab;d$', '$5$ab\u0080d$']) {
      assert.equal(crypt(enc('x'), setting), undefined, setting);
    }
    assert.notEqual(crypt(new Uint8Array(511).fill(0x61), '$5$ab'), undefined);
    assert.equal(crypt(new Uint8Array(512).fill(0x61), '$5$ab'), undefined);
  });

  it('reads the passphrase up to its first NUL, as C does', () => {
    assert.equal(crypt(Uint8Array.of(0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0, 0x41), '$1$saltsalt'), '$1$saltsalt$9xy1btjgzLYfb7hivXtC//');
  });
});

describe('passwordHash', () => {
  it('verifies the three supported formats', () => {
    for (const [hash, password] of OPENSSL) {
      const parsed = passwordHash(hash);
      assert.equal(parsed.kind, 'supported');
      if (parsed.kind !== 'supported') continue;
      assert.equal(parsed.matches(enc(password)), true);
      assert.equal(parsed.matches(enc(`${password}x`)), false);
      assert.equal(parsed.matches(enc('')), false);
    }
  });

  it('names the formats Switchyard does not compute', () => {
    const cases: [string, string][] = [
      ['$2b$10$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO', 'bcrypt'],
      ['$2y$10$abcdefghijklmnopqrstuuhKF09ZYWwH2zP/0fwE1X8e/Q1YNx/hO', 'bcrypt'],
      ['$y$j9T$F5Jx5fExrKuJdYgf1Y.Ps/$2G0jmbrTJyTvXr.xRXNlHlc9Dy5SqbD/UFkBGsOOmd6', 'yescrypt'],
      ['$7$CU..../....abc$mIe3RcV2CdT2H1wrpei6LQaDNz7bvlNUEObYNXyWiz7', 'scrypt'],
      ['abNANd1rDfiNc', 'DES'],
      ['_J9..abcd5WNy9VUCfAY', 'BSDi extended DES'],
    ];
    for (const [hash, name] of cases) {
      const parsed = passwordHash(hash);
      assert.equal(parsed.kind, 'unsupported', hash);
      assert.equal(parsed.kind === 'unsupported' ? parsed.name : '', name, hash);
    }
  });

  it('tells a string that can never match', () => {
    for (const hash of ['', '*', '!', 'plaintext', '$6$rounds=10$ab$x', '$6$salt:x$abc', '$9$abc']) assert.equal(passwordHash(hash).kind, 'invalid', hash);
  });

  it('does not hash anything to classify, however many rounds the setting asks', () => {
    const started = performance.now();
    assert.equal(passwordHash('$6$rounds=999999999$salt$hash').kind, 'supported');
    assert.ok(performance.now() - started < 50);
  });
});
