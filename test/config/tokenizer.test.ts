import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLines, tokenizeLine, type Token } from '../../src/config/tokenizer.ts';

const ENV: Record<string, string> = {
  HOST: '10.0.0.1',
  PORT: '8080',
  EMPTY: '',
  LIST: 'a  b\tc',
  SPACED: 'x y',
};

function tokens(line: string, env: Record<string, string> = ENV): Token[] {
  const result = tokenizeLine(line, { env: (name) => env[name], pseudoVariable: (n) => (n === 'LINE' ? '42' : undefined) });
  if (!result.ok) assert.fail(`unexpected tokenizer error: ${result.message} at ${result.column}`);
  return result.tokens;
}

function words(line: string, env?: Record<string, string>): string[] {
  return tokens(line, env).map((t) => t.text);
}

function failure(line: string): { message: string; column: number } {
  const result = tokenizeLine(line, { env: (name) => ENV[name] });
  if (result.ok) assert.fail(`expected an error for ${JSON.stringify(line)}, got ${JSON.stringify(result.tokens)}`);
  return { message: result.message, column: result.column };
}

describe('tokenizer: words and columns', () => {
  it('splits on spaces and tabs and records 1-based columns', () => {
    assert.deepEqual(tokens('  bind\t:80   ssl'), [
      { text: 'bind', column: 3 },
      { text: ':80', column: 8 },
      { text: 'ssl', column: 14 },
    ]);
  });

  it('returns no token for blank and comment-only lines', () => {
    assert.deepEqual(tokens(''), []);
    assert.deepEqual(tokens('   \t '), []);
    assert.deepEqual(tokens('   # a comment'), []);
  });

  it('starts a comment at an unquoted # even inside a word', () => {
    assert.deepEqual(words('server s1 1.2.3.4:80 # weight 3'), ['server', 's1', '1.2.3.4:80']);
    assert.deepEqual(words('foo#bar baz'), ['foo']);
  });

  it('keeps # inside double or single quotes', () => {
    assert.deepEqual(words(`description "a # b" 'c # d'`), ['description', 'a # b', 'c # d']);
  });

  it('ends a line at CR (CRLF files)', () => {
    assert.deepEqual(words('mode http\r'), ['mode', 'http']);
  });

  it('has no line continuation: a trailing backslash stays in the word', () => {
    assert.deepEqual(words('description abc\\'), ['description', 'abc\\']);
  });
});

describe('tokenizer: quoting', () => {
  it('double quotes protect blanks and single quotes', () => {
    assert.deepEqual(words(`log-format "%ci it's %t"`), ['log-format', "%ci it's %t"]);
  });

  it('single quotes protect everything, including $ and backslashes', () => {
    assert.deepEqual(words(`x '$HOST \\n "q"'`), ['x', '$HOST \\n "q"']);
  });

  it('concatenates adjacent quoted and unquoted parts into one word', () => {
    assert.deepEqual(words(`x "a b"'c d'e\\ f`), ['x', 'a bc de f']);
  });

  it('keeps an empty quoted word in the middle but drops a trailing one', () => {
    assert.deepEqual(tokens('a "" b'), [
      { text: 'a', column: 1 },
      { text: '', column: 3 },
      { text: 'b', column: 6 },
    ]);
    assert.deepEqual(words('a ""'), ['a']);
  });

  it('reports an unmatched quote at the opening quote', () => {
    assert.deepEqual(failure(`description "abc`), { message: 'unmatched quote', column: 13 });
    assert.deepEqual(failure(`x 'a' 'b`), { message: 'unmatched quote', column: 7 });
  });
});

describe('tokenizer: escapes', () => {
  it('interprets \\ space, \\#, \\\\, \\\', \\" outside single quotes', () => {
    assert.deepEqual(words('a\\ b c\\#d e\\\\f g\\\'h i\\"j'), ['a b', 'c#d', 'e\\f', "g'h", 'i"j']);
  });

  it('interprets \\r, \\n, \\t and \\xHH, also inside double quotes', () => {
    assert.deepEqual(words('\\r\\n\\t \\x41\\x7a "\\x42\\t"'), ['\r\n\t', 'Az', 'B\t']);
  });

  it('keeps other backslashes (regex escapes) as written', () => {
    assert.deepEqual(words('path_reg ^/\\d+\\.html$'), ['path_reg', '^/\\d+\\.html$']);
  });

  it('rejects a truncated or invalid \\x sequence at the backslash', () => {
    assert.deepEqual(failure('x ab\\x4'), { message: 'truncated or invalid hexadecimal sequence', column: 5 });
    assert.deepEqual(failure('x \\xZZ'), { message: 'truncated or invalid hexadecimal sequence', column: 3 });
  });

  it('treats \\$ as a literal dollar only inside double quotes', () => {
    assert.deepEqual(words('"\\$HOST" \\$HOST'), ['$HOST', '\\$HOST']);
  });
});

describe('tokenizer: environment variables', () => {
  it('expands $NAME and ${NAME} inside double quotes only', () => {
    assert.deepEqual(words('bind "$HOST:${PORT}" $HOST \'${PORT}\''), ['bind', '10.0.0.1:8080', '$HOST', '${PORT}']);
  });

  it('expands an unset variable to nothing', () => {
    assert.deepEqual(words('x "a${NOPE}b" "$NOPE"'), ['x', 'ab']);
  });

  it('uses ${NAME-default} only when the variable is unset, not when it is empty', () => {
    assert.deepEqual(words('x "${NOPE-127.0.0.1}:${PORT-1}" "[${EMPTY-d}]"'), ['x', '127.0.0.1:8080', '[]']);
  });

  it('keeps blanks of a plain expansion inside one word', () => {
    assert.deepEqual(words('x "${SPACED}"'), ['x', 'x y']);
  });

  it('expands "${NAME[*]}" into one word per blank-separated part', () => {
    assert.deepEqual(tokens('bind "${LIST[*]}" end'), [
      { text: 'bind', column: 1 },
      { text: 'a', column: 6 },
      { text: 'b', column: 7 },
      { text: 'c', column: 7 },
      { text: 'end', column: 19 },
    ]);
  });

  it('expands pseudo-variables such as ${.LINE}', () => {
    assert.deepEqual(words('x "line ${.LINE}"'), ['x', 'line 42']);
  });

  it('rejects malformed variable references with their column', () => {
    assert.deepEqual(failure('x "${PORT"'), { message: 'unmatched brace in environment variable name', column: 5 });
    assert.deepEqual(failure('x "${PORT-8080"'), { message: 'unmatched brace in environment variable name', column: 5 });
    assert.deepEqual(failure('x "$1abc"'), { message: 'forbidden first char in environment variable name', column: 5 });
    assert.deepEqual(failure('x "${LIST[x]}"'), { message: 'truncated or invalid word expansion sequence', column: 10 });
    assert.deepEqual(failure('x "${.NOPE}"'), { message: "unknown pseudo-variable '.NOPE'", column: 6 });
  });
});

describe('splitLines', () => {
  it('splits on LF, keeps empty lines, ignores the final newline', () => {
    assert.deepEqual(splitLines('a\n\nb\r\nc\n'), ['a', '', 'b\r', 'c']);
    assert.deepEqual(splitLines('a'), ['a']);
    assert.deepEqual(splitLines(''), []);
  });
});
